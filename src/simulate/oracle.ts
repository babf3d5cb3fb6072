/**
 * A clairvoyant policy for a zoo world: it reads the hidden truth of each case (when the money is
 * there, when an issuer block lifts, when a limit resets, when the new card arrives, the windfall
 * days) and charges only at window hours (08–20, the customer's true local time) where the cause
 * has cleared. It runs through the same engine as every policy, so it still meets the random
 * declines every attempt meets, issuer fatigue and the network caps (which it obeys, as the
 * checker verifies). What it recovers is what any policy could hope for in that world; unlike
 * ceiling.ts (one perfect attempt, no dice) it is a bound a real policy can be compared with.
 * Bench-only: it is not a policy name `recover simulate` accepts.
 */
import { HOUR_MS } from '../clock.js';
import { earliestAllowed } from '../policy/caps.js';
import { classifyDecline } from '../policy/classify.js';
import { isPaid, lastDecline, newCardPending } from '../policy/history.js';
import type { Decision, Policy, PolicyInput } from '../policy/types.js';
import { localParts } from '../policy/local-time.js';
import { fundsAvailable, velocityClear } from './builtin-world.js';
import { generatePopulation, type Hidden } from './builtin-population.js';
import type { CasesOptions, SimCase } from './types.js';
import type { WorldSpec } from './zoo.js';

/** The oracle looks this far apart for its next chance, ms (paydays and blocks move on hours). */
const STEP_MS = HOUR_MS;
/** It waits at least this long after its own decline (a decline while clear was bad luck), ms. */
const AFTER_DECLINE_MS = 20 * HOUR_MS;
/** At most this many attempts per case (the checker's caps come on top). */
const MAX_ATTEMPTS = 8;

export function oraclePolicy(spec: WorldSpec, opts: CasesOptions): Policy {
  const { cases, hidden } = generatePopulation(opts, spec);
  const byId = new Map(cases.map((c) => [c.id, c]));
  const stop = (reason: string): Decision => ({ action: 'stop', kind: 'dunning_over', reason });
  return {
    name: 'oracle',
    decide(input: PolicyInput): Decision {
      const c = byId.get(input.case.id);
      const h = hidden.get(input.case.id);
      if (!c || !h) throw new Error(`oracle: unknown case ${input.case.id}`);
      if (isPaid(input) || input.attempts.length > MAX_ATTEMPTS) return stop('paid or out of attempts');
      const fresh = newCardPending(input);
      const decline = lastDecline(input);
      if (!fresh && decline) {
        const cls = classifyDecline({ ...decline, brand: input.card.brand });
        if (cls.category === 'hard') return { action: 'stop', kind: 'hard_decline', reason: cls.explanation };
      }
      const own = decline && decline.at > c.failedAt ? decline.at + AFTER_DECLINE_MS : 0;
      const deadline = input.case.dunningDeadline;
      for (let t = Math.max(input.now + HOUR_MS, own); t < deadline; t += STEP_MS) {
        const hour = localParts(h.tz, t).hour;
        if (hour < 8 || hour > 20 || !clear(opts.seed, c, h, t)) continue;
        const caps = earliestAllowed(input.card, c.amount, c.currency, t, input.now);
        if (caps.notBefore === null) return { action: 'stop', kind: 'network_cap', reason: caps.reason };
        if (caps.notBefore !== t) continue;
        return { action: 'retry', at: t, attemptNumber: input.attempts.length, reason: 'the cause has cleared' };
      }
      return stop('the cause does not clear before the deadline');
    },
  };
}

/** Whether an attempt at `t` can succeed at all (the world's own rules, builtin-world.ts). */
function clear(seed: number, c: SimCase, h: Hidden, t: number): boolean {
  if (h.cardUpdateAt !== null && t >= h.cardUpdateAt) return true;
  if (t < h.notBefore) return false;
  if (h.cause === 'funds') return fundsAvailable(seed, c, h, t, true);
  if (h.cause === 'issuer' || h.cause === 'technical') return h.clearAt !== null && t >= h.clearAt;
  if (h.cause === 'velocity') return velocityClear(seed, c, h, t);
  return false;
}
