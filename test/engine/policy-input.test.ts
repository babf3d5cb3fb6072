/**
 * Stripe's attempts and recover's are counted apart. `invoice.attempt_count` is read once, when
 * the case opens: per the SDK's `Invoice.attempt_count` doc, "manual payment attempts after the
 * first attempt do not affect the retry schedule" (recover's `invoices.pay` never counts) and
 * after a non-retryable decline "attempt_count will continue to increment" without a charge.
 */
import { describe, expect, it } from 'vitest';
import { invoiceAttemptNumber } from '../../src/attempt-number.js';
import { toAttemptRecords } from '../../src/engine/policy-input.js';
import { caseInput, open, T0 } from '../db/helpers.js';

const HOUR = 3_600_000;

describe('toAttemptRecords', () => {
  it('never reads recover\'s attempts (or phantom retries) out of a refreshed attempt_count', () => {
    const store = open();
    const input = caseInput({ stripeAttemptCount: 2, firstFailedAt: T0 - 2 * HOUR });
    store.accounts.upsert({ id: input.accountId, environment: 'test', kind: 'main' });
    const { id } = store.cases.upsert(input);
    // The decline that opened the case: Stripe's second attempt, seen as a charge.
    store.attempts.record({ caseId: id, by: 'stripe', outcome: 'declined', at: T0 - HOUR, chargeId: 'ch_2', declineCode: 'insufficient_funds' });
    const count = () => toAttemptRecords(store.cases.get(id)!, store.attempts.listForCase(id)).map((r) => r.by);
    expect(count()).toEqual(['stripe', 'stripe']);

    // recover retries twice; a lenient API (or a hard decline's phantom retries) reports a higher
    // attempt_count on the next refresh.
    for (const [i, at] of [T0 + HOUR, T0 + 2 * HOUR].entries()) {
      const a = store.attempts.schedule(id, at);
      expect(store.attempts.claimDue(at, 60_000, 1, 'test')).toHaveLength(1);
      expect(store.attempts.markStarted(a.id, 'test', at)).toBe(true);
      expect(store.attempts.finish(a.id, 'test', { outcome: 'declined', at, chargeId: `ch_r${i}`, declineCode: 'insufficient_funds' })).toBe(true);
    }
    store.cases.upsert({ ...input, stripeAttemptCount: 6 });
    expect(store.cases.get(id)!.stripeAttemptCount).toBe(2);
    expect(count()).toEqual(['stripe', 'stripe', 'recover', 'recover']);

    // A Smart Retry recover sees later (a charge.failed webhook) counts once, as Stripe's.
    store.attempts.record({ caseId: id, by: 'stripe', outcome: 'declined', at: T0 + 3 * HOUR, chargeId: 'ch_3', declineCode: 'insufficient_funds' });
    expect(count()).toEqual(['stripe', 'stripe', 'recover', 'recover', 'stripe']);
  });
});

describe('one attempt numbering', () => {
  it('counts Stripe\'s retries before the takeover as retries, and numbers attempts on the invoice', () => {
    const store = open();
    const input = caseInput({ stripeAttemptCount: 3, firstFailedAt: T0 - 3 * HOUR });
    store.accounts.upsert({ id: input.accountId, environment: 'test', kind: 'main' });
    const { id } = store.cases.upsert(input);
    // The opening row is Stripe's third attempt (its second retry).
    store.attempts.record({ caseId: id, by: 'stripe', outcome: 'declined', at: T0 - HOUR, chargeId: 'ch_3', declineCode: 'insufficient_funds' });
    const c = store.cases.get(id)!;
    const records = toAttemptRecords(c, store.attempts.listForCase(id));
    expect(records).toHaveLength(3);
    expect(records.filter((r) => r.at > c.firstFailedAt)).toHaveLength(2); // the policy's retries so far
    // recover's first retry is row n = 2 (key …:2) and attempt 4 on the invoice.
    expect(invoiceAttemptNumber(c, 1)).toBe(3);
    expect(invoiceAttemptNumber(c, 2)).toBe(4);
    expect(invoiceAttemptNumber({ stripeAttemptCount: 1 }, 2)).toBe(2);
  });
});
