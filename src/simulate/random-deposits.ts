/**
 * Money that arrives at random times instead of on paydays (the zoo's `quick` and `noise` worlds):
 * each customer's deposits are a Poisson process at any hour of the day, so a pay-cycle belief has
 * nothing to find. The first deposit after the failure has its own mean wait (`quick`: most
 * insufficient-funds declines clear within a day or two), later ones arrive every `everyMeanDays`
 * on average. Drawn from a stream of its own, so the rest of the population is unchanged.
 */
import { DAY_MS } from '../clock.js';
import { hashSeed, mulberry32 } from '../policy/random.js';
import { lastDepositAtOrBefore, type PaySchedule } from './builtin-paydays.js';

export interface RandomFunds {
  /** Mean wait from the failure to the first new deposit, days. */
  firstMeanDays: number;
  /** Mean spacing of deposits before the failure and after the first new one, days. */
  everyMeanDays: number;
  /** How long a deposit's money stays on the account, uniform in [min, max] days. */
  holdDays: readonly [number, number];
}

/** Deposits are drawn this far back (past charges go back 11 months) and ahead of the failure, ms. */
const BACK_MS = 370 * DAY_MS;
const AHEAD_MS = 100 * DAY_MS;

/** Sorted deposit times (epoch ms) around a failure at `failedAt`. */
export function drawDeposits(stream: ReadonlyArray<string | number>, failedAt: number, rf: RandomFunds): number[] {
  const r = mulberry32(hashSeed('deposits', ...stream));
  const exp = (meanDays: number) => -Math.log(1 - r()) * meanDays * DAY_MS;
  const past: number[] = [];
  for (let t = failedAt - exp(rf.everyMeanDays); t > failedAt - BACK_MS; t -= exp(rf.everyMeanDays)) past.push(t);
  const out = past.reverse();
  for (let t = failedAt + exp(rf.firstMeanDays); t < failedAt + AHEAD_MS; t += exp(rf.everyMeanDays)) out.push(t);
  return out;
}

/** The most recent deposit at or before `t`: from the random deposits if the case has them, else the paydays. */
export function lastDeposit(
  h: { pay: PaySchedule; tz: string; earlyDays: number; deposits?: readonly number[] },
  t: number,
): number | null {
  const d = h.deposits;
  if (!d) return lastDepositAtOrBefore(h.pay, h.tz, t, h.earlyDays);
  let lo = 0;
  let hi = d.length; // first index with d[i] > t
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (d[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? d[lo - 1] : null;
}
