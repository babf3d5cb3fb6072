/** Scheduler and executor: retry-status check, idempotent resume, end of dunning, shadow mode, stop. */
import { describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon/daemon.js';
import { createGateway } from '../../src/stripe/index.js';
import { REQUIRED_PERMISSIONS } from '../../src/stripe/permissions.js';
import { DAY, HOUR, KEY, LATER, SOFT, oneCustomer as base, startWorld, stripeApi, type World } from './helpers.js';

const START = '2026-01-05T00:00:00Z';

const oneCustomer = (tag: string, behaviour: Record<string, unknown>) => base(tag, behaviour, START);

async function setEndpoint(w: World, disabled: boolean): Promise<void> {
  await w.gw.webhookEndpoints.update(w.store.settings.require().webhookEndpointId!, { disabled });
}

const ourCharges = (w: World, invoice: string) =>
  w.emu.state().charges.filter((c) => c.invoice === invoice && c.idempotencyKey?.startsWith('recover:'));

describe('scheduler and executor', () => {
  it('a hard decline is never retried; the end-of-dunning actions run as configured (uncollectible, cancel after 2 days, prorated)', async () => {
    const w = await startWorld({
      onboard: [
        '--control-share',
        '0',
        '--subscription-action',
        'cancel_after_delay',
        '--cancel-delay',
        '2d',
        '--prorate',
        '--invoice-action',
        'mark_uncollectible',
      ],
      seed: oneCustomer('hd1', { type: 'decline', decline_code: 'lost_card' }),
    });
    await w.advance(2 * HOUR);
    const c = w.store.cases.getByInvoice('in_hd1')!;
    expect(c).toMatchObject({ status: 'hard_declined', closedReason: 'hard_decline' });
    expect(w.store.attempts.pendingForCase(c.id)).toBeUndefined();
    const endedAt = c.endedAt!;
    await w.advance(5 * DAY);
    expect(ourCharges(w, 'in_hd1')).toHaveLength(0);
    const st = w.emu.state();
    expect(st.invoices.find((i) => i.id === 'in_hd1')!.status).toBe('uncollectible');
    const sub = st.subscriptions.find((s) => s.id === 'sub_hd1')!;
    expect(sub.status).toBe('canceled');
    expect(sub.cancellation).toMatchObject({ prorate: true });
    expect(sub.cancellation!.at - endedAt).toBeGreaterThanOrEqual(2 * DAY);
    expect(sub.cancellation!.at - endedAt).toBeLessThan(2 * DAY + HOUR);
    const jobs = w.store.jobs.listForCase(c.id);
    expect(jobs.map((j) => [j.kind, j.outcome])).toEqual([
      ['invoice_mark_uncollectible', 'done'],
      ['subscription_cancel', 'done'],
    ]);
    // Our own uncollectible/cancel events came back and changed nothing.
    expect(w.store.cases.get(c.id)!.status).toBe('hard_declined');
  });

  it('cancel at period end when the dunning window runs out', async () => {
    const w = await startWorld({
      onboard: [
        '--control-share',
        '0',
        '--dunning-days',
        '5',
        '--subscription-action',
        'cancel_at_period_end',
        '--invoice-action',
        'leave',
      ],
      seed: oneCustomer('pe1', SOFT),
    });
    await w.advance(7 * DAY);
    const c = w.store.cases.getByInvoice('in_pe1')!;
    expect(c).toMatchObject({ status: 'lost' });
    const declined = w.store.attempts.listForCase(c.id).filter((a) => a.by === 'recover' && a.outcome === 'declined');
    expect(declined.length).toBeGreaterThanOrEqual(1);
    expect(declined.every((a) => a.scheduledAt < c.dunningDeadline)).toBe(true);
    const st = w.emu.state();
    expect(st.subscriptions.find((s) => s.id === 'sub_pe1')).toMatchObject({ cancel_at_period_end: true });
    expect(st.invoices.find((i) => i.id === 'in_pe1')!.status).toBe('open');
  });

  it('the retry-status check skips a voided invoice and one paid by the customer, recording why', async () => {
    const w = await startWorld({
      onboard: ['--control-share', '0'],
      // No reconcile after the first: it would catch the missed events before the check does.
      daemon: { reconcileCron: '0 0 1 1 *' },
      seed: {
        start: START,
        account: {
          customers: ['rv1', 'rp1'].map((tag) => ({
            id: `cus_${tag}`,
            payment_methods: [{ id: `pm_${tag}`, behaviour: SOFT as never }],
            subscriptions: [
              { id: `sub_${tag}`, price: 3000, invoices: [{ id: `in_${tag}`, amount: 3000, created: '+10m' }] },
            ],
          })),
        },
      },
    });
    await w.advance(2 * HOUR);
    for (const inv of ['in_rv1', 'in_rp1'])
      expect(w.store.attempts.pendingForCase(w.store.cases.getByInvoice(inv)!.id)).toBeDefined();
    // Neither event reaches the daemon: only the check before charging can notice.
    await setEndpoint(w, true);
    await stripeApi(w, 'POST', '/v1/invoices/in_rv1/void');
    const pm = (await fetch(`${w.emu.url}/_emulator/payment_methods`, {
      method: 'POST',
      body: JSON.stringify({ customer: 'cus_rp1', set_default: false }),
    }).then((r) => r.json())) as { id: string };
    const paid = await stripeApi(w, 'POST', '/v1/invoices/in_rp1/pay', { payment_method: pm.id });
    expect(paid.status).toBe('paid');
    await w.advance(6 * DAY);
    const rv = w.store.cases.getByInvoice('in_rv1')!;
    const rp = w.store.cases.getByInvoice('in_rp1')!;
    expect(rv).toMatchObject({ status: 'closed', closedReason: 'invoice_void' });
    expect(rp).toMatchObject({ status: 'recovered', recoveredBy: 'customer' });
    for (const c of [rv, rp]) {
      const skipped = w.store.attempts.listForCase(c.id).filter((a) => a.outcome === 'skipped');
      expect(skipped).toHaveLength(1);
      expect(w.store.decisions.listForCase(c.id).some((d) => d.action === 'skip')).toBe(true);
    }
    expect(w.store.attempts.listForCase(rv.id).find((a) => a.outcome === 'skipped')!.note).toContain('void');
    expect(ourCharges(w, 'in_rv1')).toHaveLength(0);
    expect(ourCharges(w, 'in_rp1')).toHaveLength(0);
  });

  it('an attempt interrupted mid-call is resumed with the SAME idempotency key and Stripe replays it: one charge', async () => {
    const w = await startWorld({ onboard: ['--control-share', '0'], seed: oneCustomer('cr1', LATER('+1d')) });
    await w.advance(2 * HOUR);
    const c = w.store.cases.getByInvoice('in_cr1')!;
    const pending = w.store.attempts.pendingForCase(c.id)!;
    await w.daemon.stop();
    // A daemon that "died" after its pay call reached Stripe but before recording it.
    w.clock.set(pending.scheduledAt);
    await w.emu.setTime(pending.scheduledAt);
    const dead = 'daemon:elsewhere:1:dead';
    expect(w.store.attempts.claimDue(w.clock.now(), 60_000, 10, dead).map((a) => a.id)).toEqual([pending.id]);
    expect(w.store.attempts.markStarted(pending.id, dead, w.clock.now())).toBe(true);
    const first = await createGateway({ primaryKey: KEY, apiBase: w.emu.url }).invoices.pay('in_cr1', {
      idempotencyKey: pending.idempotencyKey!,
      expand: ['payments.data.payment.payment_intent'],
    });
    expect(first.ok).toBe(true);
    expect(ourCharges(w, 'in_cr1')).toHaveLength(1);
    // A new daemon on the same database resumes the call.
    const d2 = new Daemon({ store: w.store, clock: w.clock, apiBase: w.emu.url, loop: false, logger: w.log.logger });
    await d2.start();
    const report = d2.waitFor('attempt', (r) => r.invoiceId === 'in_cr1');
    await d2.settle();
    expect((await report)[0]).toMatchObject({ outcome: 'succeeded', resumed: true, next: 'recovered' });
    await d2.stop();
    expect(ourCharges(w, 'in_cr1')).toHaveLength(1);
    const replays = w.emu.state().requests.log.filter((r) => r.idempotencyKey === pending.idempotencyKey);
    expect(replays.map((r) => r.replayed)).toEqual([false, true]);
    expect(w.store.attempts.get(pending.id)).toMatchObject({ outcome: 'succeeded', tries: 2 });
    expect(w.store.cases.get(c.id)).toMatchObject({ status: 'recovered', recoveredBy: 'recover' });
  });

  it("beyond Stripe's 24 h idempotency window an interrupted attempt is resolved from the charge, never paid again", async () => {
    const w = await startWorld({ onboard: ['--control-share', '0'], seed: oneCustomer('cr2', SOFT) });
    await w.advance(2 * HOUR);
    const c = w.store.cases.getByInvoice('in_cr2')!;
    const pending = w.store.attempts.pendingForCase(c.id)!;
    await w.daemon.stop();
    w.clock.set(pending.scheduledAt);
    await w.emu.setTime(pending.scheduledAt);
    const dead = 'daemon:elsewhere:2:dead';
    w.store.attempts.claimDue(w.clock.now(), 60_000, 10, dead);
    w.store.attempts.markStarted(pending.id, dead, w.clock.now());
    const first = await createGateway({ primaryKey: KEY, apiBase: w.emu.url }).invoices.pay('in_cr2', {
      idempotencyKey: pending.idempotencyKey!,
      expand: ['payments.data.payment.payment_intent'],
    });
    expect(first.ok).toBe(false);
    // Down for two days.
    await w.emu.setTime(pending.scheduledAt + 2 * DAY);
    w.clock.set(w.emu.now());
    const d2 = new Daemon({ store: w.store, clock: w.clock, apiBase: w.emu.url, loop: false, logger: w.log.logger });
    await d2.start();
    const report = d2.waitFor('attempt', (r) => r.invoiceId === 'in_cr2' && r.n === pending.n);
    await d2.settle();
    expect((await report)[0]).toMatchObject({ outcome: 'declined', declineCode: 'insufficient_funds', resumed: true });
    await d2.stop();
    expect(ourCharges(w, 'in_cr2').filter((ch) => ch.idempotencyKey === pending.idempotencyKey)).toHaveLength(1);
    expect(w.store.attempts.get(pending.id)!.chargeId).toBe(ourCharges(w, 'in_cr2')[0].id);
  });

  it('a Stripe outage during the call gives the attempt back; it is retried later with the same key', async () => {
    const w = await startWorld({ onboard: ['--control-share', '0'], seed: oneCustomer('so1', LATER('+1d')) });
    await w.advance(2 * HOUR);
    await w.daemon.stop();
    const gateway = createGateway({
      primaryKey: KEY,
      apiBase: w.emu.url,
      rateLimitPerSec: 1000,
      maxRetries: 1,
      backoffBaseMs: 1,
    });
    const d = new Daemon({
      store: w.store,
      clock: w.clock,
      apiBase: w.emu.url,
      gateway,
      loop: false,
      logger: w.log.logger,
    });
    await d.start();
    const c = w.store.cases.getByInvoice('in_so1')!;
    const pending = w.store.attempts.pendingForCase(c.id)!;
    const off = d.on('charging', () => w.emu.setFaults({ errorRate: 1 }));
    await w.emu.setTime(pending.scheduledAt);
    w.clock.set(pending.scheduledAt);
    const released = d.waitFor('attempt', (r) => r.outcome === 'released');
    await d.settle();
    expect((await released)[0].next).toMatch(/^retry same attempt at /);
    expect(w.store.attempts.get(pending.id)).toMatchObject({ finishedAt: null, tries: 1 });
    expect(w.store.attempts.get(pending.id)!.startedAt).not.toBeNull();
    w.emu.setFaults({ errorRate: 0 });
    off();
    const done = d.waitFor('attempt', (r) => r.outcome === 'succeeded');
    await w.emu.setTime(pending.scheduledAt + 2 * HOUR);
    w.clock.set(w.emu.now());
    await d.settle();
    expect((await done)[0]).toMatchObject({ resumed: true, n: pending.n });
    await d.stop();
    const calls = w.emu.state().requests.log.filter((r) => r.path === '/v1/invoices/in_so1/pay');
    // Injected 500s are answered before the emulator reads the key; every call it executed carried ours.
    expect(calls.filter((r) => r.status === 500).length).toBeGreaterThanOrEqual(1);
    expect(new Set(calls.filter((r) => r.status !== 500).map((r) => r.idempotencyKey))).toEqual(
      new Set([pending.idempotencyKey]),
    );
    expect(ourCharges(w, 'in_so1')).toHaveLength(1);
  });

  it('shadow mode: everything but the charge and the end-of-dunning writes, recorded as would-be', async () => {
    const w = await startWorld({
      onboard: [
        '--control-share',
        '0',
        '--dunning-days',
        '4',
        '--invoice-action',
        'mark_uncollectible',
        '--subscription-action',
        'cancel_at_period_end',
      ],
      seed: oneCustomer('sh1', SOFT),
      daemon: { shadow: true },
    });
    const onboarded = w.emu.state().requests.log.length;
    await w.advance(6 * DAY);
    const c = w.store.cases.getByInvoice('in_sh1')!;
    expect(c.pausedStripe).toBe(false);
    const attempts = w.store.attempts.listForCase(c.id).filter((a) => a.by === 'recover');
    // Spaced as live mode would (funds declines: 20 h apart, Stripe's own retries in between), one
    // would-be attempt fits before the 4-day deadline; they no longer pile onto one instant.
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect(attempts.every((a) => a.outcome === 'shadow' || a.outcome === 'canceled')).toBe(true);
    expect(w.store.decisions.listForCase(c.id).filter((d) => d.kind === 'shadow').length).toBe(
      attempts.filter((a) => a.outcome === 'shadow').length,
    );
    expect(w.store.jobs.listForCase(c.id).map((j) => j.outcome)).toEqual(['shadow', 'shadow']);
    const st = w.emu.state();
    // Onboarding's permission probes aside, recover never wrote to Stripe.
    expect(st.requests.log.slice(onboarded).filter((r) => r.method !== 'GET')).toHaveLength(0);
    expect(st.invoices.find((i) => i.id === 'in_sh1')).toMatchObject({ status: 'open', auto_advance: true });
    expect(st.subscriptions.find((s) => s.id === 'sub_sh1')!.cancel_at_period_end).toBe(false);
  });

  it('stop: no new claims, the call in flight finishes, /healthz answers 503 meanwhile, then the server closes', async () => {
    const w = await startWorld({ onboard: ['--control-share', '0'], seed: oneCustomer('gs1', LATER('+1d')) });
    await w.advance(2 * HOUR);
    const c = w.store.cases.getByInvoice('in_gs1')!;
    const pending = w.store.attempts.pendingForCase(c.id)!;
    w.emu.setFaults({ latencyMs: 400 });
    const charging = w.daemon.waitFor('charging', (r) => r.invoiceId === 'in_gs1');
    const finished = w.daemon.waitFor('attempt', (r) => r.invoiceId === 'in_gs1');
    await w.emu.setTime(pending.scheduledAt);
    w.clock.set(pending.scheduledAt);
    await charging;
    const stopped = w.daemon.stop();
    expect(w.daemon.state).toBe('stopping');
    const health = await fetch(`${w.daemon.url}/healthz`);
    expect(health.status).toBe(503);
    await stopped;
    expect((await finished)[0].outcome).toBe('succeeded');
    expect(w.daemon.state).toBe('stopped');
    expect(w.store.attempts.get(pending.id)!.outcome).toBe('succeeded');
    await expect(fetch(`${w.daemon.url}/healthz`)).rejects.toThrow();
  });

  it('a key without "Events: read": the reconciler warns once and still re-lists open invoices; attempts go on', async () => {
    const key = 'rk_test_noevents00000000000000001';
    const w = await startWorld({
      onboard: ['--control-share', '0'],
      seed: {
        start: START,
        account: {
          customers: [
            {
              id: 'cus_ne1',
              payment_methods: [{ id: 'pm_ne1', behaviour: LATER('+1d') as never }],
              // Already in dunning before recover was set up: only a re-list can find it.
              subscriptions: [
                {
                  id: 'sub_ne1',
                  price: 3000,
                  invoices: [
                    {
                      id: 'in_ne1',
                      amount: 3000,
                      created: '-2d',
                      attempts: [{ at: '-2d', outcome: { decline_code: 'insufficient_funds' } }],
                    },
                  ],
                },
              ],
            },
          ],
        },
      },
      // Onboarded with the full list; the key later lost "Events: read" (edited in the Dashboard).
      daemonKey: key,
      keys: { [key]: REQUIRED_PERMISSIONS.filter((p) => p !== 'rak_event_read') },
    });
    await w.advance(12 * DAY);
    expect(w.store.cases.getByInvoice('in_ne1')).toMatchObject({
      source: 'reconciler',
      status: 'recovered',
      recoveredBy: 'recover',
    });
    const warnings = w.log.lines().filter((l) => String(l.msg).startsWith('reconciler cannot list events'));
    expect(warnings).toHaveLength(1);
    expect(w.log.lines().filter((l) => l.msg === 'reconcile failed')).toHaveLength(0);
  });
});
