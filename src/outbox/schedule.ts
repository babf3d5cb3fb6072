/**
 * When a result webhook is tried again (issue 16 §4, the Standard Webhooks / Svix schedule):
 * the first try is immediate (due at the event's time); after a failed try n the next one waits
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then 12 h each, while it stays within 3 days of the event.
 * A try that would fall later ends the message as `failed`.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../clock.js';

/** Wait after the n-th failed try (index n - 1), ms; past the list every wait is 12 h. */
export const RETRY_DELAYS_MS = [5_000, 5 * MINUTE_MS, 30 * MINUTE_MS, 2 * HOUR_MS, 5 * HOUR_MS, 10 * HOUR_MS];
export const LATER_DELAY_MS = 12 * HOUR_MS;
/** How long after the event recover keeps trying, ms (3 days). */
export const REDELIVERY_WINDOW_MS = 3 * DAY_MS;
/** One try's timeout, ms. */
export const TRY_TIMEOUT_MS = 15_000;

/** The next try after `tries` failed ones, at or after `now`; null = give up (`failed`). */
export function nextTryAt(createdAt: number, tries: number, now: number): number | null {
  const wait = RETRY_DELAYS_MS[tries - 1] ?? LATER_DELAY_MS;
  const at = now + wait;
  return at <= createdAt + REDELIVERY_WINDOW_MS ? at : null;
}
