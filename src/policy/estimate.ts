/**
 * Estimated success probability of a retry at a candidate slot:
 *   p = base(category, attempt n) × m_how(local hour of week) × m_dom(local day of month) × g(time since decline)
 * Each factor is a Beta-Binomial posterior: the prior (priors.ts) plus the merchant's counts
 * (stats.ts). The multipliers are posterior rates for the bucket divided by the posterior rate of
 * the category, so with no data they equal the prior multipliers exactly. In `sample` mode the
 * bucket rates are Thompson draws instead of means (bounded exploration).
 * With a per-customer pay-cycle belief (insufficient funds), m_how × m_dom is replaced by the
 * prior hour-of-day multiplier × the belief's posterior-expected availability of money that day.
 */
import type { StatCategory } from './decline-codes.js';
import {
  PRIOR_STRENGTH,
  baseRate,
  dayOfMonthMultiplier,
  elapsedFactor,
  hourOfDay,
  hourOfWeekMultiplier,
  overallRate,
} from './priors.js';
import { sampleBeta, type Random } from './random.js';
import { posterior, statKey } from './stats.js';
import type { PayBelief } from './pay-cycle.js';
import { makeRecoveryCurve } from './recovery-curve.js';
import type { LearnedStats } from './types.js';
import type { Slot } from './windows.js';

export interface Estimator {
  /** Estimated success probability of a retry at the slot, 0..1. */
  at(slot: Slot): number;
}

export function makeEstimator(opts: {
  stats: LearnedStats;
  category: StatCategory;
  attemptNumber: number;
  lastDeclineAt: number;
  mode: 'mean' | 'sample';
  random?: Random;
  belief?: PayBelief;
  /** Learn the recovery curve after the decline (else today's fixed curve). */
  learnedCurve?: boolean;
}): Estimator {
  const belief = opts.belief;
  const { stats, category: cat, attemptNumber, lastDeclineAt, mode } = opts;
  const draw = (a: number, b: number, mean: number) => (mode === 'sample' && opts.random ? sampleBeta(a, b, opts.random) : mean);
  const overall = posterior(stats, statKey.category(cat), overallRate(cat), PRIOR_STRENGTH.base).mean;
  const base = posterior(stats, statKey.attempt(cat, attemptNumber), baseRate(cat, attemptNumber), PRIOR_STRENGTH.base).mean;
  const g = opts.learnedCurve ? makeRecoveryCurve(stats, cat, overall) : (ms: number) => elapsedFactor(cat, ms);
  // Memoised per bucket: a decision scores ~400 slots but touches ≤ 168 + 31 buckets.
  const how = new Map<number, number>();
  const dom = new Map<number, number>();
  return {
    at(slot: Slot): number {
      const l = slot.local;
      if (belief) {
        const pb = base * hourOfDay(cat, l.hour) * belief.multiplier(slot.at) * g(slot.at - lastDeclineAt);
        return Math.min(0.97, Math.max(0.001, pb));
      }
      const hk = l.weekday * 24 + l.hour;
      let mh = how.get(hk);
      if (mh === undefined) {
        const prior = overall * hourOfWeekMultiplier(cat, l);
        const p = posterior(stats, statKey.hourOfWeek(cat, l.weekday, l.hour), prior, PRIOR_STRENGTH.hourOfWeek);
        mh = draw(p.alpha, p.beta, p.mean) / overall;
        how.set(hk, mh);
      }
      // The day-of-month prior depends on the month (last business day), the learned part does not.
      const dk = l.year * 10000 + l.month * 100 + l.day;
      let md = dom.get(dk);
      if (md === undefined) {
        const prior = overall * dayOfMonthMultiplier(cat, l);
        const p = posterior(stats, statKey.dayOfMonth(cat, l.day), prior, PRIOR_STRENGTH.dayOfMonth);
        md = draw(p.alpha, p.beta, p.mean) / overall;
        dom.set(dk, md);
      }
      const p = base * Math.min(2.2, mh * md) * g(slot.at - lastDeclineAt);
      return Math.min(0.97, Math.max(0.001, p));
    },
  };
}
