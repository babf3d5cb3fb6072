/**
 * The revenue ceiling of a zoo world: the share of revenue at risk that an oracle knowing the
 * hidden truth could recover with one perfectly timed attempt per case — a new card arrives before
 * the deadline, or at some window hour (08–20 local) before it the cause has cleared (a covering
 * deposit still held, an issuer block lifted, a limit reset, a fault cleared). Ignores the random
 * declines every attempt still meets and issuer fatigue, so it is an upper bound for any policy.
 * `windfalls: false` also leaves out the unpredictable windfall days (2 % a day).
 */
import { DAY_MS, HOUR_MS } from '../clock.js';
import { localParts } from '../policy/local-time.js';
import { fundsAvailable, velocityClear } from './builtin-world.js';
import { generatePopulation } from './builtin-population.js';
import type { WorldSpec } from './zoo.js';

/** Step of the oracle's scan over the window, ms (paydays and blocks move on hours, not minutes). */
const STEP_MS = 2 * HOUR_MS;

export function revenueCeiling(
  spec: WorldSpec,
  opts: { seed: number; count: number; start: number; days: number; dunningDays: number },
): { withWindfalls: number; withoutWindfalls: number } {
  const { cases, hidden } = generatePopulation(opts, spec);
  let total = 0;
  let withW = 0;
  let withoutW = 0;
  for (const c of cases) {
    const h = hidden.get(c.id)!;
    total += c.amount;
    const deadline = c.failedAt + opts.dunningDays * DAY_MS;
    let sure = h.cardUpdateAt !== null && h.cardUpdateAt < deadline;
    let lucky = sure;
    for (let t = Math.max(c.failedAt, h.notBefore) + HOUR_MS; t < deadline && !sure; t += STEP_MS) {
      const hour = localParts(h.tz, t).hour;
      if (hour < 8 || hour > 20) continue;
      if (h.cause === 'funds') {
        if (fundsAvailable(opts.seed, c, h, t, false)) sure = true;
        else if (fundsAvailable(opts.seed, c, h, t, true)) lucky = true;
      } else if (h.cause === 'issuer' || h.cause === 'technical') sure = h.clearAt !== null && t >= h.clearAt;
      else if (h.cause === 'velocity') sure = velocityClear(opts.seed, c, h, t);
    }
    if (sure) withoutW += c.amount;
    if (sure || lucky) withW += c.amount;
  }
  return { withWindfalls: withW / total, withoutWindfalls: withoutW / total };
}
