/**
 * The one backoff of the daemon: every given-back piece of work (an attempt, a job, an inbox
 * event) waits `firstMs`, then doubles per try, up to `capMs`. Clock ms throughout.
 */
export interface Backoff {
  /** Delay after the first failed try, ms. */
  firstMs: number;
  /** Longest delay, ms. */
  capMs: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * Stripe calls (attempts, end-of-dunning jobs): 1 min, 2, 4 … capped at 1 h. An outage that
 * lasts hours is then retried hourly, within Stripe's 24 h idempotency window for attempts.
 */
export const STRIPE_CALL_BACKOFF: Backoff = { firstMs: MINUTE_MS, capMs: HOUR_MS };
/** Inbox events: 30 s, 1 min … capped at 32 min (a handler's read of Stripe failed). */
export const INBOX_BACKOFF: Backoff = { firstMs: 30_000, capMs: 64 * 30_000 };
/** A key Stripe refused waits for the operator (`recover onboard stripe`): retried hourly, ms. */
export const OPERATOR_WAIT_MS = HOUR_MS;

/** Delay before try `tries + 1` after `tries` failed ones (tries >= 1), ms. */
export function backoffDelayMs(tries: number, b: Backoff = STRIPE_CALL_BACKOFF): number {
  const doublings = Math.max(0, tries - 1);
  // 2 ** 40 already exceeds any cap; keeps the product finite for absurd try counts.
  return Math.min(b.firstMs * 2 ** Math.min(doublings, 40), b.capMs);
}
