/**
 * The hand-computed case set of report.test.ts. Every expected figure in that test was worked
 * out by hand from this list (see the comments there); change one and recompute them.
 *
 * Period: cases that entered dunning in February 2026 (UTC); "now" is 2026-03-01 12:00 UTC.
 * D(day, hour) = 2026-02-<day> <hour>:00 UTC.
 */
import { FakeClock } from '../../src/clock.js';
import { openStore, type Store } from '../../src/db/index.js';
import { addCase, ended, observed, ourAttempt, recovered } from './seed.js';

export const D = (day: number, hour = 0) => Date.UTC(2026, 1, day, hour);
export const NOW = Date.UTC(2026, 2, 1, 12);

export function seedHandComputed(path: string): Store {
  const store = openStore(path, { clock: new FakeClock(NOW) });
  store.settings.set({ env: 'test', scope: 'account', controlBaseline: 'stripe', defaultTimezone: 'UTC', armsAssignedAt: Date.UTC(2026, 0, 31) });

  // --- treatment -------------------------------------------------------------------------
  // T1 usd 1000, visa, New York (UTC-5): declined 10:00 local, paid by our 2nd retry 10:00 local.
  const t1 = addCase(store, { invoice: 'in_T1', customer: 'cus_T1', arm: 'treatment', amount: 1000, currency: 'usd', entered: D(2, 10), brand: 'visa', fingerprint: 'fp_T1', tz: 'America/New_York', opening: 'insufficient_funds' });
  ourAttempt(store, t1, D(3, 15), 'declined');
  ourAttempt(store, t1, D(4, 15), 'succeeded');
  recovered(store, t1, D(4, 15), 'recover', 1000);
  // T2 eur 500, mastercard, no zone (UTC): paid by our 1st retry.
  const t2 = addCase(store, { invoice: 'in_T2', customer: 'cus_T2', arm: 'treatment', amount: 500, currency: 'eur', entered: D(4, 8), brand: 'mastercard', fingerprint: 'fp_T2', opening: 'do_not_honor' });
  ourAttempt(store, t2, D(5, 8), 'succeeded');
  recovered(store, t2, D(5, 8), 'recover', 500);
  // T3 jpy 3000 (zero-decimal), visa, Tokyo (UTC+9): two declines at 09:00 local, paid 12:00 local.
  const t3 = addCase(store, { invoice: 'in_T3', customer: 'cus_T3', arm: 'treatment', amount: 3000, currency: 'jpy', entered: D(5, 12), brand: 'visa', fingerprint: 'fp_T3', tz: 'Asia/Tokyo', opening: 'insufficient_funds' });
  ourAttempt(store, t3, D(6, 0), 'declined');
  ourAttempt(store, t3, D(8, 0), 'declined');
  ourAttempt(store, t3, D(10, 3), 'succeeded');
  recovered(store, t3, D(10, 3), 'recover', 3000);
  // T4 usd 1500, visa, expired card: the customer updated it and paid (not a retry).
  const t4 = addCase(store, { invoice: 'in_T4', customer: 'cus_T4', arm: 'treatment', amount: 1500, currency: 'usd', entered: D(6, 18), brand: 'visa', fingerprint: 'fp_T4', opening: 'expired_card', status: 'waiting_card_update' });
  observed(store, t4, 'customer', D(7, 18), 'succeeded');
  recovered(store, t4, D(7, 18), 'customer', 1500);
  // T5 usd 2500, mastercard: three declines at 12:00 UTC, lost at its (short) deadline.
  const t5 = addCase(store, { invoice: 'in_T5', customer: 'cus_T5', arm: 'treatment', amount: 2500, currency: 'usd', entered: D(1, 12), deadline: D(15, 12), brand: 'mastercard', fingerprint: 'fp_T5', opening: 'insufficient_funds' });
  ourAttempt(store, t5, D(8, 12), 'declined');
  ourAttempt(store, t5, D(10, 12), 'declined');
  ourAttempt(store, t5, D(12, 12), 'declined');
  ended(store, t5, 'lost', D(15, 12));
  // T6 usd 800, visa, stolen card: hard decline at once.
  const t6 = addCase(store, { invoice: 'in_T6', customer: 'cus_T6', arm: 'treatment', amount: 800, currency: 'usd', entered: D(9, 6), brand: 'visa', fingerprint: 'fp_T6', opening: 'stolen_card' });
  ended(store, t6, 'hard_declined', D(9, 6));
  // T7 usd 1200, visa: one decline at 12:00 UTC, still inside its window.
  const t7 = addCase(store, { invoice: 'in_T7', customer: 'cus_T7', arm: 'treatment', amount: 1200, currency: 'usd', entered: D(20, 12), brand: 'visa', fingerprint: 'fp_T7', opening: 'insufficient_funds' });
  ourAttempt(store, t7, D(22, 12), 'declined');
  // T8 usd 600, visa: one decline at 00:00 UTC; deadline Feb 24 passed, still open → lost (pending close).
  const t8 = addCase(store, { invoice: 'in_T8', customer: 'cus_T8', arm: 'treatment', amount: 600, currency: 'usd', entered: D(10, 0), deadline: D(24, 0), brand: 'visa', fingerprint: 'fp_T8', opening: 'insufficient_funds' });
  ourAttempt(store, t8, D(12, 0), 'declined');
  // T9 usd 400, amex: invoice voided; no attempt on record, last decline generic_decline.
  const t9 = addCase(store, { invoice: 'in_T9', customer: 'cus_T9', arm: 'treatment', amount: 400, currency: 'usd', entered: D(12, 0), brand: 'amex', lastDecline: 'generic_decline' });
  ended(store, t9, 'closed', D(14, 0));
  // T10 usd 900, no brand: waiting for a card update, inside its window; last decline expired_card.
  addCase(store, { invoice: 'in_T10', customer: 'cus_T10', arm: 'treatment', amount: 900, currency: 'usd', entered: D(25, 0), status: 'waiting_card_update', lastDecline: 'expired_card' });

  // --- control (baseline stripe: Stripe's retries, observed) --------------------------------
  // C1 usd 1000, visa, Paris (UTC+1): Stripe declined 01:00 local, then paid 01:00 local.
  const c1 = addCase(store, { invoice: 'in_C1', customer: 'cus_C1', arm: 'control', amount: 1000, currency: 'usd', entered: D(2, 0), brand: 'visa', fingerprint: 'fp_C1', tz: 'Europe/Paris', opening: 'insufficient_funds' });
  observed(store, c1, 'stripe', D(4, 0), 'declined');
  observed(store, c1, 'stripe', D(6, 0), 'succeeded');
  recovered(store, c1, D(6, 0), 'stripe', 1000);
  // C2 usd 2000, mastercard: Stripe declined 12:00 UTC; paid by Stripe, but only invoice.paid was seen.
  const c2 = addCase(store, { invoice: 'in_C2', customer: 'cus_C2', arm: 'control', amount: 2000, currency: 'usd', entered: D(5, 12), brand: 'mastercard', fingerprint: 'fp_C2', opening: 'do_not_honor' });
  observed(store, c2, 'stripe', D(7, 12), 'declined');
  recovered(store, c2, D(9, 12), 'stripe', 2000);
  // C3 usd 700, mastercard: two Stripe declines at 00:00 UTC, lost.
  const c3 = addCase(store, { invoice: 'in_C3', customer: 'cus_C3', arm: 'control', amount: 700, currency: 'usd', entered: D(1, 0), deadline: D(15, 0), brand: 'mastercard', fingerprint: 'fp_C3', opening: 'insufficient_funds' });
  observed(store, c3, 'stripe', D(3, 0), 'declined');
  observed(store, c3, 'stripe', D(6, 0), 'declined');
  ended(store, c3, 'lost', D(15, 0));
  // C4 usd 300, visa, no decline code known: observing, inside its window.
  addCase(store, { invoice: 'in_C4', customer: 'cus_C4', arm: 'control', amount: 300, currency: 'usd', entered: D(26, 0), brand: 'visa' });

  // --- outside the cohort -----------------------------------------------------------------
  // Entered in January (before the period); its invoice is also in the imported history.
  const x1 = addCase(store, { invoice: 'in_H4', arm: 'treatment', amount: 5000, currency: 'usd', entered: Date.UTC(2026, 0, 20), opening: 'insufficient_funds' });
  ourAttempt(store, x1, Date.UTC(2026, 0, 22), 'succeeded');
  recovered(store, x1, Date.UTC(2026, 0, 22), 'recover', 5000);
  // Entered on March 1 (after the period).
  addCase(store, { arm: 'treatment', amount: 5000, currency: 'usd', entered: Date.UTC(2026, 2, 1, 6), opening: 'insufficient_funds' });
  // Another (connected) account, in the period: counted only when no --account is given.
  const y1 = addCase(store, { account: 'acct_1Other', invoice: 'in_Y1', arm: 'treatment', amount: 5000, currency: 'usd', entered: D(15, 0), opening: 'card_declined' });
  ourAttempt(store, y1, D(16, 0), 'succeeded');
  recovered(store, y1, D(16, 0), 'recover', 5000);

  // --- imported history (takeover --history), December 2025 --------------------------------
  const Dec = (d: number) => Date.UTC(2025, 11, d);
  const h = (id: string, invoiceId: string | null, status: 'succeeded' | 'failed', created: number, amount: number, currency = 'usd') =>
    store.history.insert({ id, accountId: 'self', invoiceId, amount, currency, status, created, declineCode: status === 'failed' ? 'insufficient_funds' : null });
  h('ch_h1a', 'in_H1', 'failed', Dec(1), 1000); // H1: failed, then paid 2 days later → recovered, 1 retry
  h('ch_h1b', 'in_H1', 'succeeded', Dec(3), 1000);
  h('ch_h2a', 'in_H2', 'failed', Dec(2), 2000); // H2: failed three times → not recovered
  h('ch_h2b', 'in_H2', 'failed', Dec(5), 2000);
  h('ch_h2c', 'in_H2', 'failed', Dec(9), 2000);
  h('ch_h3a', 'in_H3', 'failed', Dec(10), 500, 'eur'); // H3: two failures, then paid → recovered, 2 retries
  h('ch_h3b', 'in_H3', 'failed', Dec(12), 500, 'eur');
  h('ch_h3c', 'in_H3', 'succeeded', Dec(15), 500, 'eur');
  h('ch_h4a', 'in_H4', 'failed', Date.UTC(2026, 0, 20), 5000); // H4: still failing at takeover (case x1) → left out
  h('ch_h5a', 'in_H5', 'succeeded', Dec(20), 900); // H5: never failed → not in the baseline
  h('ch_h6a', null, 'failed', Dec(21), 900); // no invoice → not in the baseline
  return store;
}
