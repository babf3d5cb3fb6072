/**
 * One attempt numbering everywhere (`explain`, the report's feed and by-attempt breakdown, the
 * policy's reasons): attempt 1 is the invoice's first payment — Stripe's, the failure that opened
 * dunning — and every attempt since counts, Stripe's and recover's alike, as card networks count
 * them. A case taken over after Stripe had already retried starts at Stripe's `attempt_count`.
 *
 * The attempt rows of a case are numbered `n` = 1, 2, … from the attempt that opened the case
 * (that is what the idempotency key `recover:<account>:<invoice>:<n>` carries); Stripe's earlier
 * attempts, known only by their count, come before it.
 */
export function invoiceAttemptNumber(c: { stripeAttemptCount: number }, n: number): number {
  return n + Math.max(0, c.stripeAttemptCount - 1);
}
