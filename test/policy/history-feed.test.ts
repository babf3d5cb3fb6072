/**
 * Production feeds the pay-cycle belief with the customer's past charges: the daemon's
 * PolicyContext reads them from the history table (`takeover --history`) of a real SQLite file.
 */
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { DAY_MS } from '../../src/clock.js';
import { defaultSettings } from '../../src/config/settings.js';
import { PolicyContext } from '../../src/daemon/policy-context.js';
import { addCase, open, T0 } from '../db/helpers.js';

const TZ = 'America/Chicago';

describe('pay-cycle belief in production', () => {
  it('the history table gives the customer its own charges, oldest first, newest N kept', () => {
    const store = open();
    const paid = { amount: 2900, currency: 'usd', status: 'succeeded' } as const;
    const a = { ...paid, accountId: 'self', customerId: 'cus_a' };
    for (let k = 0; k < 5; k++) store.history.insert({ ...a, id: `ch_a${k}`, created: T0 - (5 - k) * DAY_MS });
    store.history.insert({ ...paid, id: 'ch_b', accountId: 'self', customerId: 'cus_b', created: T0 - DAY_MS });
    store.history.insert({ ...a, id: 'ch_other_acct', accountId: 'acct_2', created: T0 - DAY_MS });
    const rows = store.history.forCustomer('self', 'cus_a', T0 - 200 * DAY_MS, T0, 3);
    expect(rows.map((r) => r.created)).toEqual([T0 - 3 * DAY_MS, T0 - 2 * DAY_MS, T0 - DAY_MS]);
    expect(rows[0]).toEqual({ created: T0 - 3 * DAY_MS, status: 'succeeded', declineCode: null });
  });

  it("the daemon's decision names the belief learned from the customer's history", () => {
    const store = open();
    // Paid on Fridays 19 Dec 2025 … back 10 weeks; short on the Tuesdays in between.
    for (let k = 1; k <= 10; k++) {
      const friday = DateTime.fromISO('2026-01-16T10:00', { zone: TZ }).minus({ weeks: k });
      const common = { accountId: 'self', customerId: 'cus_fri', amount: 2900, currency: 'usd' } as const;
      store.history.insert({ ...common, id: `ch_ok${k}`, status: 'succeeded', created: friday.toMillis() });
      const short = { ...common, status: 'failed', declineCode: 'insufficient_funds' } as const;
      store.history.insert({ ...short, id: `ch_no${k}`, created: friday.minus({ days: 3 }).toMillis() });
      store.history.insert({ ...short, id: `ch_no${k}b`, created: friday.minus({ days: 1 }).toMillis() });
    }
    const failed = { lastDeclineCode: 'insufficient_funds', lastFailedAt: T0 - DAY_MS, firstFailedAt: T0 - DAY_MS };
    const id = addCase(store, { customerId: 'cus_fri', customerTimezone: TZ, ...failed });
    const c = store.cases.get(id)!;
    const d = new PolicyContext(store).decideFor(c, { ...defaultSettings(), windows: ['0 8-20 * * *'] }, T0);
    expect(d.action).toBe('retry');
    expect(d.reason).toMatch(/Pay-cycle belief from 3\d charges of this customer: paid weekly on Fridays: \d+%\./);
    // Fri 16 Jan or the weekend after.
    if (d.action === 'retry') expect(DateTime.fromMillis(d.at, { zone: TZ }).weekday).toBeGreaterThanOrEqual(5);
  });
});
