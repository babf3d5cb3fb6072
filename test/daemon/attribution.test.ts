/**
 * A crash after Stripe charged but before the outcome was written, with the webhooks missed:
 * the reconciler must not book recover's own recovery as the customer's. It leaves a case with
 * an attempt in flight to the executor, which resumes the call with the same idempotency key
 * (Stripe replays the stored answer) and records the recovery as recover's.
 */
import { describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon/daemon.js';
import { createGateway } from '../../src/stripe/index.js';
import { REQUIRED_PERMISSIONS } from '../../src/stripe/permissions.js';
import { HOUR, KEY, LATER, oneCustomer, startWorld } from './helpers.js';

const seed = oneCustomer('at1', LATER('+1d'));

describe('attribution after a crash', () => {
  it('the reconciler leaves an in-flight attempt to the executor: recovered by recover, not by the customer', async () => {
    // No "Events: read" on the daemon's key, so the reconciler cannot see the invoice.paid event either.
    const noEvents = 'rk_test_attributionNoEvents0001';
    const w = await startWorld({
      onboard: ['--control-share', '0'],
      seed,
      daemonKey: noEvents,
      keys: { [noEvents]: REQUIRED_PERMISSIONS.filter((p) => p !== 'rak_event_read') },
    });
    await w.advance(2 * HOUR);
    const c = w.store.cases.getByInvoice('in_at1')!;
    const pending = w.store.attempts.pendingForCase(c.id)!;
    await w.daemon.stop();
    await w.gw.webhookEndpoints.update(w.store.settings.require().webhookEndpointId!, { disabled: true });
    await w.emu.setTime(Math.max(pending.scheduledAt, w.emu.now() + 25 * HOUR));
    w.clock.set(w.emu.now());
    // A daemon that died right after its pay call went through.
    const dead = 'daemon:dead-after-pay';
    expect(w.store.attempts.claimDue(w.clock.now(), 60_000, 10, dead).map((a) => a.id)).toEqual([pending.id]);
    expect(w.store.attempts.markStarted(pending.id, dead, w.clock.now())).toBe(true);
    const paid = await createGateway({ primaryKey: KEY, apiBase: w.emu.url }).invoices.pay('in_at1', {
      idempotencyKey: pending.idempotencyKey!,
      expand: ['payments.data.payment.payment_intent'],
    });
    expect(paid.ok).toBe(true);

    const d2 = new Daemon({ store: w.store, clock: w.clock, apiBase: w.emu.url, loop: false, logger: w.log.logger });
    await d2.start();
    await d2.pass({ reconcile: 'always' });
    await d2.settle();
    await d2.stop();
    expect(w.store.cases.get(c.id)).toMatchObject({ status: 'recovered', recoveredBy: 'recover' });
    expect(w.store.attempts.get(pending.id)).toMatchObject({ outcome: 'succeeded' });
  });
});
