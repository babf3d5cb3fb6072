/**
 * The reconciler re-lists open invoices at every run; one that intake skipped for a reason only a
 * settings change can undo (past the dunning window: its first failure is fixed and time only
 * moves on) is not read from Stripe again at the next run (issue 18: 14,000 of the 30-day demo's
 * re-reads), until the dunning window changes: then it is read again and opened if it now fits.
 * Real parts: the SDK over HTTP against the emulator, whose request log counts the reads.
 */
import { describe, expect, it } from 'vitest';
import { DAY, HOUR, oneCustomer, SOFT, startWorld } from './helpers.js';

const seed = oneCustomer('rsk1', SOFT);
const READ = 'GET /v1/invoices/:id';

describe('reconciler: final skips are remembered', () => {
  it('an invoice past the dunning window is read once, and again only when the window changes', async () => {
    const w = await startWorld({
      onboard: ['--control-share', '0'],
      seed,
      daemon: { loop: false },
      settings: { dunningDays: 2 },
    });
    const reads = () => w.emu.state().requests.byRoute[READ] ?? 0;
    // The invoice fails an hour after the start; the daemon first looks 5 days later, past the
    // 2-day window: the webhook's intake and the first reconcile both read it and skip it.
    const later = w.clock.now() + 5 * DAY;
    await w.emu.setTime(later);
    w.clock.set(later);
    await w.quiesce();
    await w.daemon.pass({ reconcile: 'always' });
    expect(w.store.cases.getByInvoice('in_rsk1')).toBeUndefined();
    const first = reads();
    expect(first).toBeGreaterThan(0);

    // Two more re-listings: the invoice is still listed open, and is not read again.
    w.clock.set(later + DAY);
    await w.daemon.pass({ reconcile: 'always' });
    await w.daemon.pass({ reconcile: 'always' });
    expect(reads()).toBe(first);
    expect(w.emu.state().requests.byRoute['GET /v1/invoices']).toBeGreaterThanOrEqual(3);

    // A wider window: the next re-listing reads it again and opens its case.
    w.store.settings.set({ ...w.store.settings.require(), dunningDays: 30 });
    await w.daemon.pass({ reconcile: 'always' });
    expect(reads()).toBeGreaterThan(first);
    expect(w.store.cases.getByInvoice('in_rsk1')?.source).toBe('reconciler');
  });
});

describe('intake: a skip the invoice alone decides', () => {
  it('an invoice waiting for 3D Secure is read again at each re-listing, without its charge', async () => {
    const w = await startWorld({
      onboard: ['--control-share', '0'],
      seed: oneCustomer('rsk2', { type: 'requires_action' }),
      daemon: { loop: false },
    });
    const count = (route: string) => w.emu.state().requests.byRoute[route] ?? 0;
    await w.advance(2 * HOUR);
    await w.daemon.pass({ reconcile: 'always' });
    expect(w.store.cases.getByInvoice('in_rsk2')).toBeUndefined();
    const first = count(READ);
    expect(first).toBeGreaterThan(0);
    // The customer may still authenticate or fail: not remembered, but read with one call, not two.
    await w.daemon.pass({ reconcile: 'always' });
    expect(count(READ)).toBe(first + 1);
    expect(count('GET /v1/payment_intents/:id')).toBe(0);
  });
});
