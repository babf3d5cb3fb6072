/**
 * Every succeeded charge the daemon sees joins the payment history (`history_charges`), the
 * pay-cycle belief's evidence of when a customer pays (issue 12: "every invoice.paid the daemon
 * sees"): here a healthy renewal, which never opens a case.
 */
import { describe, expect, it } from 'vitest';
import { DAY, HOUR, startWorld } from './helpers.js';

describe('payment history from the daemon', () => {
  it('a renewal paid at period end is recorded once, with its date, for the customer', async () => {
    const w = await startWorld({
      seed: {
        account: {
          customers: [
            {
              id: 'cus_hist1',
              payment_methods: [{ id: 'pm_hist1', behaviour: { type: 'succeed' } }],
              subscriptions: [{ id: 'sub_hist1', price: 1900, interval: 'month', created: '-25d' }],
            },
          ],
        },
      },
    });
    await w.advance(8 * DAY, 6 * HOUR);
    const rows = w.store.history.forCustomer('self', 'cus_hist1', 0, Number.MAX_SAFE_INTEGER, 100);
    expect(rows.filter((r) => r.status === 'succeeded').length).toBeGreaterThanOrEqual(1);
    expect([...w.store.cases.iterate()].filter((c) => c.customerId === 'cus_hist1')).toEqual([]); // no dunning
    // The emulator's snapshot dates charges in ms already.
    const paid = w.emu.state().charges.filter((c) => c.customer === 'cus_hist1' && c.status === 'succeeded');
    expect(rows.map((r) => r.created)).toEqual(expect.arrayContaining(paid.map((c) => c.created)));
    // A replayed delivery (the reconciler lists the same event) adds nothing.
    const before = rows.length;
    await w.daemon.pass({ reconcile: 'always' });
    expect(w.store.history.forCustomer('self', 'cus_hist1', 0, Number.MAX_SAFE_INTEGER, 100)).toHaveLength(before);
  });
});
