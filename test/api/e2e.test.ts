/**
 * "Done when" of issue 16 §1–§3, as a merchant's billing code drives it: failed payments posted
 * through the API to a `recover run` child process (some customer-present), the merchant's
 * retry-status endpoint answering yes / no / an error / nothing, card updates, 30 days on the
 * emulator clock, the daemon SIGKILLed at random points (half of them around a charge). Then:
 * no payment charged twice (per idempotency key and per recovery), every payment handed over is
 * exactly one case, a "no" is never charged, every result webhook verifies with the independent
 * `standardwebhooks` package and dedupes by id. N=API_E2E_N (default 120; 1,000 in bench/api.ts).
 * Emulator behaviour: PaymentIntents create with confirm/off_session and idempotency keys
 * (https://docs.stripe.com/api/idempotent_requests: the first answer is replayed for 24 h).
 */
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/index.js';
import { hashUniform, mulberry32 } from '../../src/policy/index.js';
import { buildChildCli } from '../helpers/child-build.js';
import { emulator, tempDb } from '../helpers/env.js';
import { startMerchantServer } from '../helpers/merchant-server.js';
import { startChildRun, type ChildDaemon } from '../daemon/child.js';
import { DAY, HOUR, freePort, stripeApi } from '../daemon/helpers.js';
import { onboardApi, retryStatusServer } from './helpers.js';

const N = Number(process.env.API_E2E_N ?? 120);
const KILLS = Number(process.env.API_E2E_KILLS ?? 4);
let entry: string;
beforeAll(() => {
  entry = buildChildCli();
}, 120_000);

type Kind = 'yes' | 'no' | 'error' | 'silent';
const kindOf = (inv: string): Kind => {
  const u = hashUniform(inv, 'kind');
  return u < 0.7 ? 'yes' : u < 0.85 ? 'no' : u < 0.98 ? 'error' : 'silent';
};

describe('Recovery API end to end', () => {
  it(
    `${N} failed payments through the API, ${KILLS} SIGKILLs, 30 days: no double charge`,
    { timeout: 600_000 },
    async () => {
      const emu = await emulator({ latencyMs: 10, webhookRetryMs: 40 });
      const start = emu.now();
      const asked = new Map<string, number>();
      const rs = await retryStatusServer((q) => {
        const n = (asked.get(q.invoiceId) ?? 0) + 1;
        asked.set(q.invoiceId, n);
        const k = kindOf(q.invoiceId);
        if (k === 'no') return { status: 200, body: { retry: false, reason: 'cancelled in our billing' } };
        if (k === 'error' && n <= 2) return { status: 503, body: 'maintenance' };
        if (k === 'silent' && n <= 1) return 'hang';
        return { status: 200, body: { retry: true } };
      });
      const hooks = await startMerchantServer('/hooks');
      const port = await freePort();
      const db = tempDb();
      const { apiKey, signingSecret: secret } = await onboardApi(emu.url, db, [
        ...['--result-webhook-url', hooks.url, '--retry-status-url', rs.url, '--allow-local-webhooks'],
        ...['--card-update-return-url', 'https://shop.example.com/card', '--dunning-days', '21'],
      ]);
      const s0 = openStore(db);
      s0.settings.set({ ...s0.settings.require(), rateLimitPerSec: 1000 });
      s0.close();

      // The merchant's customers, each with a card at Stripe; a few cards keep declining.
      const rng = mulberry32(16);
      const payments: Array<{ key: string; body: Record<string, unknown> }> = [];
      for (let i = 0; i < N; i++) {
        const card = rng() < 0.15 ? 'pm_card_chargeDeclinedInsufficientFunds' : 'pm_card_visa';
        const cus = await stripeApi({ emu }, 'POST', '/v1/customers', { email: `m${i}@example.com` });
        const pm = await stripeApi({ emu }, 'POST', `/v1/payment_methods/${card}/attach`, {
          customer: cus.id as string,
        });
        const u = rng();
        payments.push({
          key: `order-${i}`,
          body: {
            paymentMethod: { customer: cus.id, token: pm.id },
            amount: 1000 + Math.floor(rng() * 9000),
            currency: 'usd',
            declineCode: u < 0.1 ? 'expired_card' : u < 0.14 ? 'stolen_card' : 'insufficient_funds',
            invoiceId: `order-${i}`,
            customerId: `m-${i}`,
            ...(rng() < 0.1 ? { customerPresent: true } : {}),
          },
        });
      }
      const post = async (url: string, p: { key: string; body: unknown }) => {
        const res = await fetch(`${url}/v1/recoveries`, {
          method: 'POST',
          body: JSON.stringify(p.body),
          headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': p.key },
        });
        return { status: res.status, body: (await res.json()) as any };
      };
      const accepted = new Map<string, string>(); // idempotency key → recovery id
      const postAll = async (child: ChildDaemon, url: string, list: typeof payments) => {
        for (let i = 0; i < list.length && child.alive; i += 8) {
          const answers = await Promise.allSettled(list.slice(i, i + 8).map((p) => post(url, p)));
          answers.forEach((a, j) => {
            if (a.status !== 'fulfilled') return;
            expect([200, 202], JSON.stringify(a.value.body)).toContain(a.value.status);
            const k = list[i + j]!.key;
            const before = accepted.get(k);
            if (before) expect(a.value.body.id, `replay of ${k}`).toBe(before);
            accepted.set(k, a.value.body.id);
          });
        }
      };
      const spawn = () => startChildRun(entry, { db, apiBase: emu.url, port, logLevel: 'debug' });
      const url = `http://127.0.0.1:${port}`;
      const slice = Math.ceil(N / KILLS);
      for (let k = 0; k < KILLS; k++) {
        const child = await spawn();
        const kill = () => child.kill('SIGKILL');
        if (k % 2 === 0) {
          void child
            .next((l) => l.msg === 'charging', 60_000)
            .then(
              () => setTimeout(kill, Math.floor(rng() * 30)),
              () => 0,
            );
        }
        setTimeout(kill, 300 + Math.floor(rng() * 900));
        // This life's payments, and again every one not yet answered (same Idempotency-Keys).
        await postAll(child, url, payments.slice(k * slice, (k + 1) * slice));
        for (let step = 0; step < 2 && child.alive; step++) {
          await emu.advance(6 * HOUR);
          await Promise.race([child.next((l) => l.msg === 'pass' || l.msg === 'idle').catch(() => 0), child.exited]);
        }
        kill();
        expect((await child.exited).signal).toBe('SIGKILL');
      }

      const child = await spawn();
      await postAll(child, url, payments); // the rest, and a replay of every one answered before
      expect(accepted.size).toBe(N);
      const reader = openStore(db, { readonly: true });
      // Card updates: a new card for every customer left waiting for one.
      for (const p of payments) {
        const c = reader.cases.getByInvoice(p.key, 'self')!;
        if (c.status !== 'waiting_card_update') continue;
        const cus = (p.body.paymentMethod as { customer: string }).customer;
        const pm = await stripeApi({ emu }, 'POST', '/v1/payment_methods/pm_card_visa/attach', { customer: cus });
        const res = await fetch(`${url}/v1/payment-method-updates`, {
          method: 'POST',
          body: JSON.stringify({ customerId: p.body.customerId, token: pm.id }),
          headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
        });
        expect(res.status).toBe(200);
      }
      const quiet = () => {
        const now = emu.now();
        return (
          reader.attempts.listInFlight().length === 0 &&
          (reader.attempts.nextDueAt() ?? Infinity) > now &&
          reader.cases.listPastDeadline(now, 1).length === 0 &&
          reader.outbox.pending() === 0
        );
      };
      while (emu.now() < start + 30 * DAY) {
        await emu.advance(12 * HOUR);
        for (let i = 0; i < 200 && !quiet(); i++) await child.next((l) => l.msg === 'pass' || l.msg === 'idle');
      }
      for (let i = 0; i < 200 && reader.outbox.pending() > 0; i++)
        await child.next((l) => l.msg === 'pass' || l.msg === 'idle');
      child.kill('SIGTERM');
      expect((await child.exited).code).toBe(0);

      // 1. No double charge: per idempotency key, and per recovery at most one success.
      const ours = emu.state().charges.filter((c) => c.idempotencyKey?.startsWith('recover:'));
      expect(ours.length).toBeGreaterThan(N / 2);
      const perKey = new Map<string, number>();
      const paid = new Map<string, number>();
      for (const c of ours) {
        perKey.set(c.idempotencyKey!, (perKey.get(c.idempotencyKey!) ?? 0) + 1);
        const inv = c.idempotencyKey!.split(':')[2]!;
        if (c.status === 'succeeded') paid.set(inv, (paid.get(inv) ?? 0) + 1);
      }
      for (const [key, n] of perKey) expect(n, `key ${key} charged ${n} times`).toBe(1);
      for (const [inv, n] of paid) expect(n, `${inv} paid ${n} times`).toBe(1);
      // 2. One case per payment handed over; a "no" is never charged; a recovered case was paid once.
      expect(reader.cases.count()).toBe(N);
      for (const p of payments) {
        const c = reader.cases.getByInvoice(p.key, 'self')!;
        expect(c.platform).toBe('api');
        if (c.status === 'recovered') expect(paid.get(p.key), p.key).toBe(1);
        else expect(paid.get(p.key) ?? 0, `${p.key} ${c.status}`).toBe(0);
        const present = (p.body as { customerPresent?: boolean }).customerPresent;
        if (kindOf(p.key) === 'no' && !present) expect(c.status === 'recovered', p.key).toBe(false);
      }
      const recovered = reader.cases.countsByStatus().recovered;
      expect(recovered).toBeGreaterThan(N * 0.3);
      // 3. Result webhooks: every one verifies with standardwebhooks; deduped by webhook-id.
      const wh = new Webhook(secret);
      const byId = new Map<string, { type: string; data: any }>();
      for (const h of hooks.received) {
        const ev = wh.verify(h.body, h.headers as Record<string, string>) as { type: string; data: any };
        byId.set(h.headers['webhook-id'] as string, ev);
      }
      const succeeded = new Set(
        [...byId.values()].filter((e) => e.type === 'recovery.succeeded').map((e) => e.data.recoveryId),
      );
      expect(succeeded.size).toBe(recovered);
      const scheduled = [...byId.values()].filter((e) => e.type === 'recovery.scheduled' && e.data.platform === 'api');
      expect(scheduled.length).toBeGreaterThan(N * 0.5);
      console.log(
        `api e2e: ${N} payments, ${ours.length} charges by recover, ${recovered} recovered, ` +
          `${byId.size} result webhooks (${hooks.received.length} deliveries), ` +
          `retry-status asked ${rs.calls.length} times`,
      );
      reader.close();
    },
  );
});
