/** Event processing from the inbox: attribution, control observation, closures, card updates, ordering. */
import { describe, expect, it } from 'vitest';
import type { SeedInput } from '../../src/emulator/index.js';
import { signPayload } from '../../src/stripe/index.js';
import { customerIn, DAY, HOUR, KEY, startWorld, stripeApi, type World } from './helpers.js';

const START = '2026-01-05T00:00:00Z'; // a Monday

type SeedCustomer = NonNullable<NonNullable<SeedInput['account']>['customers']>[number];

/** A customer whose only invoice is created 10 min after the start and first tried 1 h later. */
function customer(id: string, behaviour: Record<string, unknown>, extra: Partial<SeedCustomer> = {}): SeedCustomer {
  const tag = id.slice(4);
  return {
    id,
    timezone: 'Europe/London',
    country: 'GB',
    payment_methods: [{ id: `pm_${tag}`, brand: 'visa', behaviour: behaviour as never }],
    subscriptions: [{ id: `sub_${tag}`, price: 4200, invoices: [{ id: `in_${tag}`, amount: 4200, created: '+10m' }] }],
    ...extra,
  };
}

function seed(customers: SeedCustomer[]): SeedInput {
  return { start: START, account: { customers } };
}

async function deliver(w: World, ev: Record<string, unknown>): Promise<Response> {
  const body = JSON.stringify(ev);
  const secret = w.store.secrets.get('webhook_secret')!;
  return fetch(`${w.daemon.url}/stripe/webhook`, {
    method: 'POST',
    body,
    headers: { 'Stripe-Signature': signPayload(body, secret, Math.floor(Date.now() / 1000)) },
  });
}

describe('event processing', () => {
  it('a paid event arriving before its payment_failed opens no case', async () => {
    const w = await startWorld({
      onboard: ['--control-share', '0'],
      seed: {
        start: START,
        account: {
          customers: [
            {
              id: 'cus_ooo',
              payment_methods: [{ id: 'pm_ooo', behaviour: { type: 'succeed' } }],
              subscriptions: [
                {
                  id: 'sub_ooo',
                  price: 900,
                  invoices: [
                    {
                      id: 'in_ooo',
                      amount: 900,
                      created: '-3h',
                      attempts: [{ at: '-2h', outcome: { decline_code: 'insufficient_funds' } }, { at: '-1h' }],
                    },
                  ],
                },
              ],
            },
          ],
        },
      },
      daemon: { reconcileCron: '0 0 1 1 *' },
    });
    // The emulator kept the history's events; deliver them newest first, as a bad network might.
    const list = await w.gw.events.list({ limit: 100 });
    const paid = list.data.find((e) => e.type === 'invoice.paid' && (e.data.object as { id: string }).id === 'in_ooo')!;
    const failed = list.data.find(
      (e) => e.type === 'invoice.payment_failed' && (e.data.object as { id: string }).id === 'in_ooo',
    )!;
    expect(paid.created).toBeGreaterThan(failed.created);
    const results: Record<string, string> = {};
    const off = w.daemon.on('processed', (r) => (results[r.id] = r.result));
    expect((await deliver(w, paid as unknown as Record<string, unknown>)).status).toBe(200);
    await w.quiesce();
    expect((await deliver(w, failed as unknown as Record<string, unknown>)).status).toBe(200);
    await w.quiesce();
    off();
    expect(results[paid.id]).toBe('no case for this invoice');
    expect(results[failed.id]).toBe('not taken: paid meanwhile');
    expect(w.store.cases.getByInvoice('in_ooo')).toBeUndefined();
  });

  it('treatment: pauses Stripe, retries, attributes the recovery to recover; duplicates and late failures change nothing', async () => {
    const w = await startWorld({
      onboard: ['--control-share', '0'],
      seed: seed([
        customer('cus_t1', { type: 'schedule', decline: { decline_code: 'insufficient_funds' }, succeed_after: '+2d' }),
      ]),
    });
    await w.advance(2 * HOUR);
    const c = w.store.cases.getByInvoice('in_t1')!;
    expect(c).toMatchObject({
      arm: 'treatment',
      status: 'in_dunning',
      source: 'webhook',
      pausedStripe: true,
      lastDeclineCode: 'insufficient_funds',
    });
    const inv = w.emu.state().invoices.find((i) => i.id === 'in_t1')!;
    expect(inv).toMatchObject({
      auto_advance: false,
      metadata: { recover_managed: 'true' },
      next_payment_attempt: null,
    });
    const recovered = w.daemon.waitFor('recovered', (r) => r.invoiceId === 'in_t1', 60_000);
    await w.advance(10 * DAY);
    expect((await recovered)[0]).toMatchObject({ by: 'recover', amount: 4200, currency: 'usd' });
    const after = w.store.cases.get(c.id)!;
    expect(after).toMatchObject({ status: 'recovered', recoveredBy: 'recover', recoveredAmount: 4200 });
    // Re-deliver every event of the run, then a forged-late failure with a fresh id: nothing changes.
    const before = JSON.stringify([
      w.store.cases.get(c.id),
      w.store.attempts.listForCase(c.id),
      w.store.decisions.listForCase(c.id),
    ]);
    const events = (await w.gw.events.list({ limit: 100 })).data.filter(
      (e) => (e.data.object as { id: string }).id === 'in_t1',
    );
    for (const e of events) expect((await deliver(w, e as unknown as Record<string, unknown>)).status).toBe(200);
    const late = events.find((e) => e.type === 'invoice.payment_failed')!;
    await deliver(w, { ...late, id: 'evt_late_failure_1' } as unknown as Record<string, unknown>);
    await w.quiesce();
    expect(
      JSON.stringify([
        w.store.cases.get(c.id),
        w.store.attempts.listForCase(c.id),
        w.store.decisions.listForCase(c.id),
      ]),
    ).toBe(before);
    // Stripe never retried by itself: only the first automatic attempt and recover's.
    const charges = w.emu.state().charges.filter((ch) => ch.invoice === 'in_t1');
    expect(charges.filter((ch) => ch.source === 'smart_retry')).toHaveLength(0);
    expect(charges.filter((ch) => ch.idempotencyKey?.startsWith('recover:')).length).toBeGreaterThanOrEqual(1);
    // The policy learned from its attempts (Beta-Binomial counts under the retry decision's keys).
    const learned = [...w.store.stats.load()].filter(([k]) => k.startsWith('cat:'));
    expect(learned.some(([, v]) => v.successes >= 1)).toBe(true);
    // Each attempt is logged with invoice, attempt n, outcome, decline code and the next decision; never a key.
    const logged = w.log.lines().filter((l) => l.msg === 'attempt');
    expect(logged.length).toBeGreaterThanOrEqual(1);
    for (const l of logged)
      expect(Object.keys(l)).toEqual(expect.arrayContaining(['invoice', 'attempt', 'outcome', 'declineCode', 'next']));
    expect(logged.at(-1)).toMatchObject({ invoice: 'in_t1', outcome: 'succeeded', next: 'recovered' });
    const text = w.log.text();
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(w.store.secrets.get('webhook_secret')!);
    expect(text).not.toContain('recover:self:in_t1:');
  });

  it("control under baseline stripe: only observed; Stripe's retries are recorded as control attempts and the recovery as Stripe's", async () => {
    const id = await customerIn('control', 0.5, 'ctl');
    const w = await startWorld({
      onboard: ['--control-share', '0.5'],
      seed: seed([
        customer(id, { type: 'schedule', decline: { decline_code: 'insufficient_funds' }, succeed_after: '+5d' }),
      ]),
    });
    const tag = id.slice(4);
    await w.advance(2 * HOUR);
    const c = w.store.cases.getByInvoice(`in_${tag}`)!;
    expect(c).toMatchObject({ arm: 'control', status: 'observing', pausedStripe: false });
    expect(w.emu.state().invoices.find((i) => i.id === `in_${tag}`)!.auto_advance).toBe(true);
    await w.advance(10 * DAY);
    const after = w.store.cases.get(c.id)!;
    expect(after).toMatchObject({ status: 'recovered', recoveredBy: 'stripe' });
    const attempts = w.store.attempts.listForCase(c.id);
    expect(attempts.every((a) => a.by === 'stripe')).toBe(true);
    const smart = w.emu.state().charges.filter((ch) => ch.invoice === `in_${tag}` && ch.source === 'smart_retry');
    expect(smart.length).toBeGreaterThanOrEqual(2);
    // Every Stripe retry is one control attempt (by charge id), with its outcome.
    expect(new Set(attempts.map((a) => a.chargeId))).toEqual(
      new Set(
        w.emu
          .state()
          .charges.filter((ch) => ch.invoice === `in_${tag}`)
          .map((ch) => ch.id),
      ),
    );
    expect(attempts.at(-1)).toMatchObject({ outcome: 'succeeded' });
    expect(w.emu.state().charges.some((ch) => ch.idempotencyKey?.startsWith('recover:'))).toBe(false);
  });

  it('void, uncollectible and subscription cancellation outside recover close the case', async () => {
    const soft = { type: 'decline', decline_code: 'insufficient_funds' };
    const w = await startWorld({
      onboard: ['--control-share', '0'],
      seed: seed([customer('cus_v1', soft), customer('cus_u1', soft), customer('cus_s1', soft)]),
    });
    await w.advance(2 * HOUR);
    for (const inv of ['in_v1', 'in_u1', 'in_s1']) expect(w.store.cases.getByInvoice(inv)?.status).toBe('in_dunning');
    await stripeApi(w, 'POST', '/v1/invoices/in_v1/void');
    await stripeApi(w, 'POST', '/v1/invoices/in_u1/mark_uncollectible');
    await stripeApi(w, 'DELETE', '/v1/subscriptions/sub_s1');
    await w.quiesce();
    expect(w.store.cases.getByInvoice('in_v1')).toMatchObject({ status: 'closed', closedReason: 'invoice_voided' });
    expect(w.store.cases.getByInvoice('in_u1')).toMatchObject({
      status: 'closed',
      closedReason: 'invoice_uncollectible',
    });
    expect(w.store.cases.getByInvoice('in_s1')).toMatchObject({
      status: 'closed',
      closedReason: 'subscription_canceled',
    });
    for (const inv of ['in_v1', 'in_u1', 'in_s1']) {
      const c = w.store.cases.getByInvoice(inv)!;
      expect(w.store.attempts.pendingForCase(c.id)).toBeUndefined();
    }
    await w.advance(20 * DAY);
    expect(w.emu.state().charges.filter((ch) => ch.idempotencyKey?.startsWith('recover:'))).toHaveLength(0);
  });

  it('a card update triggers a prompt retry on the new card', async () => {
    const w = await startWorld({
      onboard: ['--control-share', '0'],
      seed: seed([customer('cus_cu1', { type: 'decline', decline_code: 'expired_card' })]),
    });
    await w.advance(2 * HOUR);
    const c = w.store.cases.getByInvoice('in_cu1')!;
    expect(c.status).toBe('waiting_card_update');
    await w.advance(1 * DAY);
    expect(w.store.attempts.pendingForCase(c.id)).toBeUndefined();
    const updatedAt = w.clock.now();
    const res = await fetch(`${w.emu.url}/_emulator/payment_methods`, {
      method: 'POST',
      body: JSON.stringify({ customer: 'cus_cu1', brand: 'mastercard', last4: '4444' }),
    });
    expect(res.status).toBe(200);
    const charging = w.daemon.waitFor('charging', (r) => r.invoiceId === 'in_cu1', 60_000);
    await w.quiesce();
    const pending = w.store.attempts.pendingForCase(c.id)!;
    expect(pending.scheduledAt - updatedAt).toBeLessThan(DAY);
    await w.advance(DAY);
    await charging;
    const after = w.store.cases.get(c.id)!;
    expect(after).toMatchObject({ status: 'recovered', recoveredBy: 'recover', cardBrand: 'mastercard' });
    const kinds = w.store.decisions.listForCase(c.id).map((d) => d.kind ?? d.action);
    expect(kinds).toContain('card_update');
    expect(kinds.indexOf('card_update')).toBeLessThan(kinds.lastIndexOf('recovered'));
  });

  it('a refund of a recovered charge is recorded for the report', async () => {
    const w = await startWorld({
      onboard: ['--control-share', '0'],
      seed: seed([
        customer('cus_r1', { type: 'schedule', decline: { decline_code: 'insufficient_funds' }, succeed_after: '+1d' }),
      ]),
    });
    await w.advance(8 * DAY);
    const c = w.store.cases.getByInvoice('in_r1')!;
    expect(c.status).toBe('recovered');
    const charge = w.store.attempts.listForCase(c.id).find((a) => a.outcome === 'succeeded')!.chargeId!;
    await stripeApi(w, 'POST', '/v1/refunds', { charge, amount: '1000' });
    await w.quiesce();
    const note = w.store.decisions.listForCase(c.id).find((d) => d.kind === 'refund')!;
    expect(note.inputs).toMatchObject({ chargeId: charge, refunded: 1000, currency: 'usd' });
    expect(w.store.counters.get('refunded:usd')).toBe(1000);
  });

  it("Connect scope: a connected account's failure opens a case there and the retry is made on that account", async () => {
    const w = await startWorld({
      onboard: ['--control-share', '0'],
      seed: {
        start: START,
        account: { id: 'acct_1Platform0000001' },
        connected_accounts: [
          {
            id: 'acct_1Connected000001',
            customers: [
              customer('cus_cx1', {
                type: 'schedule',
                decline: { decline_code: 'insufficient_funds' },
                succeed_after: '+1d',
              }),
            ],
          },
        ],
      },
      scope: 'connect',
    });
    await w.advance(2 * HOUR);
    const c = w.store.cases.getByInvoice('in_cx1')!;
    expect(c).toMatchObject({ accountId: 'acct_1Connected000001', status: 'in_dunning', pausedStripe: true });
    await w.advance(8 * DAY);
    expect(w.store.cases.get(c.id)).toMatchObject({ status: 'recovered', recoveredBy: 'recover' });
    const pays = w.emu.state().requests.log.filter((r) => r.path === '/v1/invoices/in_cx1/pay');
    expect(pays.length).toBeGreaterThanOrEqual(1);
    expect(
      pays.every(
        (r) =>
          r.account === 'acct_1Connected000001' &&
          r.idempotencyKey?.startsWith('recover:acct_1Connected000001:in_cx1:'),
      ),
    ).toBe(true);
  });
});
