import { describe, expect, it } from 'vitest';
import { CASE_STATUSES } from '../../src/db/index.js';
import { addCase, caseInput, open, T0 } from './helpers.js';

const DAY = 86_400_000;

describe('cases', () => {
  it('upsert is idempotent: the second upsert inserts nothing, refreshes fields, keeps arm/status/deadline', () => {
    const store = open();
    store.accounts.upsert({ id: 'acct_1', environment: 'test', kind: 'connected' });
    const first = caseInput({
      accountId: 'acct_1',
      arm: 'control',
      status: 'observing',
      amountDue: 1000,
      lastFailedAt: T0 - 1000,
      lastDeclineCode: 'insufficient_funds',
      cardBrand: 'visa',
    });
    const a = store.cases.upsert(first);
    expect(a.inserted).toBe(true);

    const b = store.cases.upsert({
      ...first,
      arm: 'treatment', // ignored on re-import
      status: 'in_dunning', // ignored
      dunningDeadline: T0 + 99 * DAY, // ignored
      amountDue: 800, // refreshed
      cardBrand: null, // null keeps what is stored
      cardCountry: 'US', // new fact
      stripeAttemptCount: 3,
      lastFailedAt: T0 - 500,
      lastDeclineCode: 'do_not_honor',
    });
    expect(b).toEqual({ id: a.id, inserted: false });
    const c = store.cases.get(a.id)!;
    expect(c.arm).toBe('control');
    expect(c.status).toBe('observing');
    expect(c.dunningDeadline).toBe(first.dunningDeadline);
    expect(c.amountDue).toBe(800);
    expect(c.cardBrand).toBe('visa');
    expect(c.cardCountry).toBe('US');
    expect(c.stripeAttemptCount).toBe(0); // Stripe's count when the case opened; never refreshed
    expect(c.lastDeclineCode).toBe('do_not_honor');
    expect(c.upserts).toBe(2);
    expect(store.cases.count()).toBe(1);
  });

  it('an older decline never overwrites a newer one (out-of-order sources)', () => {
    const store = open();
    const input = caseInput({ lastFailedAt: T0, lastDeclineCode: 'insufficient_funds', lastChargeId: 'ch_new' });
    const id = addCase(store, input);
    store.cases.upsert({
      ...input,
      lastFailedAt: T0 - DAY,
      lastDeclineCode: 'generic_decline',
      lastChargeId: 'ch_old',
      firstFailedAt: T0 - 2 * DAY,
    });
    const c = store.cases.get(id)!;
    expect(c.lastDeclineCode).toBe('insufficient_funds');
    expect(c.lastChargeId).toBe('ch_new');
    expect(c.firstFailedAt).toBe(T0 - 2 * DAY); // the earliest failure wins
  });

  it('the same invoice id in two accounts is two cases', () => {
    const store = open();
    store.accounts.upsert({ id: 'acct_a', environment: 'test', kind: 'connected' });
    store.accounts.upsert({ id: 'acct_b', environment: 'test', kind: 'connected' });
    const a = store.cases.upsert(caseInput({ accountId: 'acct_a', invoiceId: 'in_same' }));
    const b = store.cases.upsert(caseInput({ accountId: 'acct_b', invoiceId: 'in_same' }));
    expect(a.inserted && b.inserted).toBe(true);
    expect(a.id).not.toBe(b.id);
    expect(store.cases.getByInvoice('in_same', 'acct_b')!.id).toBe(b.id);
    expect(store.cases.getByInvoice('in_same')!.id).toBe(a.id);
    expect(store.cases.getByInvoice('in_missing')).toBeUndefined();
  });

  it('status changes keep ended_at in step; onlyFrom guards out-of-order events', () => {
    const store = open();
    const id = addCase(store);
    expect(store.cases.get(id)!.endedAt).toBeNull();
    expect(store.cases.setStatus(id, 'waiting_card_update')).toBe(true);
    expect(store.cases.get(id)!.endedAt).toBeNull();
    expect(store.cases.setStatus(id, 'hard_declined', { at: T0 + 5 })).toBe(true);
    expect(store.cases.get(id)!.endedAt).toBe(T0 + 5);
    // A guarded transition that does not apply changes nothing.
    expect(store.cases.setStatus(id, 'closed', { onlyFrom: ['in_dunning'], closedReason: 'voided' })).toBe(false);
    expect(store.cases.get(id)!.status).toBe('hard_declined');
    expect(
      store.cases.setStatus(id, 'closed', { onlyFrom: ['hard_declined'], closedReason: 'voided', at: T0 + 9 }),
    ).toBe(true);
    const closed = store.cases.get(id)!;
    expect(closed.closedReason).toBe('voided');
    expect(closed.endedAt).toBe(T0 + 5); // first end kept
    // Reopening clears ended_at.
    store.cases.setStatus(id, 'in_dunning');
    expect(store.cases.get(id)!.endedAt).toBeNull();
  });

  it('markRecovered sets the recovery facts once', () => {
    const store = open();
    const id = addCase(store);
    expect(store.cases.markRecovered(id, { at: T0 + 10, by: 'recover', amount: 2500 })).toBe(true);
    expect(store.cases.markRecovered(id, { at: T0 + 20, by: 'customer', amount: 1 })).toBe(false);
    const c = store.cases.get(id)!;
    expect([c.status, c.recoveredAt, c.recoveredBy, c.recoveredAmount, c.endedAt]).toEqual([
      'recovered',
      T0 + 10,
      'recover',
      2500,
      T0 + 10,
    ]);
    expect(store.cases.listRecentlyRecovered(5).map((x) => x.id)).toEqual([id]);
  });

  it('update changes only the given fields, converts booleans, refuses protected ones', () => {
    const store = open();
    const id = addCase(store);
    expect(store.cases.update(id, { pausedStripe: true, paymentMethodId: 'pm_1' })).toBe(true);
    expect(store.cases.update(id, { customerTimezone: 'Europe/Paris' })).toBe(true);
    const c = store.cases.get(id)!;
    expect(c.pausedStripe).toBe(true);
    expect(c.paymentMethodId).toBe('pm_1');
    expect(c.customerTimezone).toBe('Europe/Paris');
    expect(store.cases.update(9999, { pausedStripe: false })).toBe(false);
    // @ts-expect-error arm is not patchable
    expect(() => store.cases.update(id, { arm: 'control' })).toThrow(/cannot be changed/);
  });

  it('lists by status (paged), by customer, past deadline, and counts by status', () => {
    const store = open();
    const ids = [1, 2, 3].map(() => addCase(store, { customerId: 'cus_x' }));
    const other = addCase(store, { dunningDeadline: T0 - 1 });
    store.cases.setStatus(ids[2], 'lost');
    expect(store.cases.listByStatus('in_dunning').map((c) => c.id)).toEqual([ids[0], ids[1], other]);
    expect(store.cases.listByStatus('in_dunning', { limit: 1, afterId: ids[0] }).map((c) => c.id)).toEqual([ids[1]]);
    expect(store.cases.listByCustomer('cus_x').map((c) => c.id)).toEqual(ids);
    expect(store.cases.listByCustomer('cus_x', { activeOnly: true }).map((c) => c.id)).toEqual(ids.slice(0, 2));
    expect(store.cases.listPastDeadline(T0, 10).map((c) => c.id)).toEqual([other]);
    const counts = store.cases.countsByStatus();
    expect(Object.keys(counts).sort()).toEqual([...CASE_STATUSES].sort());
    expect(counts.in_dunning).toBe(3);
    expect(counts.lost).toBe(1);
    expect(counts.recovered).toBe(0);
  });

  it('iterates cases by entry time within [since, until)', () => {
    const store = open();
    const a = addCase(store, { firstFailedAt: T0 });
    const b = addCase(store, { firstFailedAt: T0 + DAY });
    addCase(store, { firstFailedAt: T0 + 2 * DAY });
    expect([...store.cases.iterate({ enteredSince: T0, enteredUntil: T0 + 2 * DAY })].map((c) => c.id)).toEqual([a, b]);
    expect([...store.cases.iterate()].length).toBe(3);
  });

  it('CHECK constraints reject nonsense', () => {
    const store = open();
    addCase(store);
    const bad = (o: Parameters<typeof caseInput>[0]) => () => store.cases.upsert(caseInput(o));
    expect(bad({ currency: 'USD' })).toThrow(/CHECK/);
    expect(bad({ amountDue: -1 })).toThrow(/CHECK/);
    expect(bad({ amountDue: 12.5 })).toThrow(/cannot store REAL value in INTEGER column/);
    expect(bad({ status: 'bogus' as 'in_dunning' })).toThrow(/CHECK/);
    expect(bad({ cardFunding: 'gold' as 'credit' })).toThrow(/CHECK/);
    // A terminal status at insert sets ended_at (the CHECK would refuse otherwise).
    const hd = store.cases.upsert(caseInput({ status: 'hard_declined' }));
    expect(store.cases.get(hd.id)!.endedAt).toBe(T0);
  });
});
