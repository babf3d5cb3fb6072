/**
 * Past charges of a built-in-world customer, as `takeover --history` would import them: one
 * renewal a month before this failure. A renewal either went through at the billing time (the
 * money happened to be there) or failed with insufficient funds and was paid a few hours after the
 * customer's next deposit (the previous dunning). Drawn from the world's hidden pay schedule,
 * from a random stream of its own so the population itself is unchanged.
 */
import { DAY_MS, HOUR_MS } from '../clock.js';
import type { CustomerPayment } from '../policy/types.js';
import { hashSeed, mulberry32 } from '../policy/random.js';
import { lastDeposit } from './random-deposits.js';
import type { Hidden } from './builtin-population.js';
import type { WorldSpec } from './zoo.js';

/** Average month, ms (renewals recur at the same time of day, about a month apart). */
const MONTH_MS = 30.44 * DAY_MS;
/** P(a past renewal was paid on time), for ordinary and for chronically short customers. */
const ON_TIME = { ordinary: 0.6, chronic: 0.25 } as const;

export function pastPayments(
  spec: WorldSpec,
  seed: number,
  i: number,
  h: Hidden,
  failedAt: number,
  chronic: boolean,
): CustomerPayment[] | undefined {
  const r = mulberry32(hashSeed('history', spec.name, seed, i));
  if (r() >= spec.historyShare) return undefined;
  const months = 1 + Math.floor(r() * 11);
  const out: CustomerPayment[] = [];
  for (let k = months; k >= 1; k--) {
    const anchor = failedAt - k * MONTH_MS;
    if (r() < (chronic ? ON_TIME.chronic : ON_TIME.ordinary)) {
      out.push({ at: anchor, succeeded: true });
      continue;
    }
    out.push({ at: anchor, succeeded: false, declineCode: 'insufficient_funds' });
    for (let d = 0; d <= 35; d++) {
      const dep = lastDeposit(h, anchor + d * DAY_MS);
      if (dep !== null && dep > anchor) {
        const paid = dep + (3 + r() * 6) * HOUR_MS;
        if (paid < failedAt) out.push({ at: paid, succeeded: true }); // else still unpaid when this case starts
        break;
      }
    }
  }
  return out;
}
