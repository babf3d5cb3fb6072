/**
 * Every Stripe Billing result event, end to end: the emulator, the real daemon (SDK over HTTP,
 * SQLite file), a merchant receiver that answers 500 to its first requests. Each request is
 * verified with the independent `standardwebhooks` package and deduplicated by `webhook-id`,
 * as a merchant would.
 */
import { describe, expect, it } from 'vitest';
import type { SeedInput } from '../../src/emulator/index.js';
import { RESULT_EVENT_TYPES } from '../../src/db/index.js';
import { DAY, HOUR, startWorld, stripeApi } from '../daemon/helpers.js';
import { startMerchantServer } from '../helpers/merchant-server.js';
import { sendResultsTo, verifyReceived } from './helpers.js';

type SeedCustomer = NonNullable<NonNullable<SeedInput['account']>['customers']>[number];

const START = Date.UTC(2026, 2, 2, 9);

function customer(tag: string, behaviour: Record<string, unknown>): SeedCustomer {
  return {
    id: `cus_${tag}`,
    timezone: 'Europe/London',
    country: 'GB',
    payment_methods: [{ id: `pm_${tag}`, brand: 'visa', behaviour: behaviour as never }],
    subscriptions: [{ id: `sub_${tag}`, price: 4200, invoices: [{ id: `in_${tag}`, amount: 4200, created: '+10m' }] }],
  };
}

type Body = { type: string; timestamp: string; data: Record<string, unknown> };

describe('result webhooks on the Stripe Billing path', () => {
  it('emits every event type once per outcome, signed, with a stable id across redeliveries', async () => {
    const server = await startMerchantServer();
    server.script(500, 500, 503); // the first tries fail: redelivered under the same id
    const soft = { type: 'decline', decline_code: 'insufficient_funds' };
    const seed: SeedInput = {
      start: new Date(START).toISOString(),
      account: {
        customers: [
          customer('ok', { type: 'schedule', decline: { decline_code: 'insufficient_funds' }, succeed_after: '+2d' }),
          customer('hd', { type: 'decline', decline_code: 'lost_card' }),
          customer('lost', soft),
          customer('void', soft),
          customer('cu', { type: 'decline', decline_code: 'expired_card' }),
        ],
      },
    };
    const w = await startWorld({ seed, onboard: ['--control-share', '0', '--dunning-days', '4'] });
    try {
      const secret = sendResultsTo(w.store, server);
      await w.advance(2 * HOUR);
      await stripeApi(w, 'POST', '/v1/invoices/in_void/void');
      await w.quiesce();
      await w.advance(HOUR);
      const pm = await fetch(`${w.emu.url}/_emulator/payment_methods`, {
        method: 'POST',
        body: JSON.stringify({ customer: 'cus_cu', brand: 'mastercard', last4: '4444' }),
      });
      expect(pm.status).toBe(200);
      await w.quiesce();
      await w.advance(6 * DAY, 2 * HOUR);
      await w.quiesce();

      if (process.env.SHOW_EVENTS)
        console.log(
          JSON.stringify(
            server.received.map((r) => JSON.parse(r.body)),
            null,
            1,
          ),
        );
      const byId = new Map<string, Body>();
      for (const r of server.received) {
        const body = verifyReceived(secret, r);
        const id = String(r.headers['webhook-id']);
        if (byId.has(id)) expect(body).toEqual(byId.get(id)); // a redelivery: same id, same event
        byId.set(id, body);
      }
      expect(server.received.length).toBeGreaterThan(byId.size); // the 500s were redelivered
      const events = [...byId.values()];
      const of = (tag: string) => events.filter((e) => e.data.invoiceId === `in_${tag}`).map((e) => e.type);
      const types = new Set(events.map((e) => e.type));
      for (const t of RESULT_EVENT_TYPES.filter((x) => x !== 'card.expiring_soon'))
        // card-expiry.test.ts
        expect(types, t).toContain(t);
      expect(of('hd')).toEqual(['recovery.blocked']);
      expect(of('void')).toContain('recovery.canceled');
      expect(of('ok')).toContain('recovery.succeeded');
      expect(of('lost')).toContain('recovery.failed');
      // One new card, announced by Stripe with several events: one card.updated.
      expect(of('cu').filter((t) => t === 'card.updated')).toHaveLength(1);
      expect(events.find((e) => e.type === 'recovery.scheduled' && e.data.invoiceId === 'in_cu')!.data).toMatchObject({
        status: 'waiting_card_update',
        nextAttemptAt: null,
        recommendedAction: 'request_card_update',
      });
      // One event per outcome: one opening and at most one ending per case, one attempt_failed per attempt.
      for (const tag of ['ok', 'hd', 'lost', 'void', 'cu']) {
        const t = of(tag);
        const ends = t.filter((x) => /succeeded|failed$|blocked|canceled/.test(x) && x !== 'recovery.attempt_failed');
        expect(ends.length, `${tag}: ${t.join(', ')}`).toBeLessThanOrEqual(1);
        expect(t.filter((x) => x === 'recovery.scheduled' || x === 'recovery.blocked')).toHaveLength(1);
      }
      const attempts = events.filter((e) => e.type === 'recovery.attempt_failed').map((e) => e.data.chargeId);
      expect(new Set(attempts).size).toBe(attempts.length);

      const ok = events.find((e) => e.type === 'recovery.succeeded' && e.data.invoiceId === 'in_ok')!;
      const okCase = w.store.cases.getByInvoice('in_ok')!;
      expect(ok.data).toMatchObject({
        recoveryId: `rcv_${okCase.id}`,
        invoiceId: 'in_ok',
        customerId: 'cus_ok',
        platform: 'stripe',
        currency: 'usd',
        amountCollected: 4200,
        status: 'recovered',
      });
      expect(ok.data.chargeId).toMatch(/^ch_/);
      const failed = events.find((e) => e.type === 'recovery.failed')!;
      expect(failed.data).toMatchObject({ reason: 'dunning_over', recommendedAction: 'request_card_update' });
      const blocked = events.find((e) => e.type === 'recovery.blocked')!;
      expect(blocked.data).toMatchObject({ declineCode: 'lost_card', recommendedAction: 'request_card_update' });
      const af = events.find((e) => e.type === 'recovery.attempt_failed')!;
      expect(af.data.declineCode).toBeTruthy();
      expect(typeof af.data.attempt).toBe('number');
      expect(Date.parse(String(events[0].timestamp))).toBeGreaterThanOrEqual(START);
      // Everything the outbox holds was delivered, and /metrics says so.
      expect(w.store.outbox.pending()).toBe(0);
      const metrics = await (await fetch(`${w.daemon.url}/metrics`)).text();
      const count = (result: string) =>
        Number(new RegExp(`recover_result_webhook_deliveries_total\\{result="${result}"\\} (\\d+)`).exec(metrics)?.[1]);
      expect(count('delivered')).toBe(byId.size);
      expect(count('retry')).toBe(3);
      expect(metrics).toMatch(/^recover_result_webhook_backlog 0$/m);
      expect(w.store.outbox.list({ limit: 1000 }).every((m) => m.outcome === 'delivered')).toBe(true);
    } finally {
      await server.close();
    }
  });
});
