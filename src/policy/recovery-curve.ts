/**
 * The recovery curve after a decline, learned per category: today's curve g(Δ) (priors.ts) is the
 * prior, and each bucket of time since the decline carries Beta-Binomial counts under
 * `cat:<category>|since:<bucket>`. The learned curve is g(Δ) × (bucket posterior ÷ bucket prior),
 * so with no data it is exactly g(Δ), and with data it bends to the merchant's own outcomes.
 */
import { HOUR_MS } from '../clock.js';
import type { StatCategory } from './decline-codes.js';
import { elapsedFactor } from './priors.js';
import { posterior, sinceBucket, statKey } from './stats.js';
import type { LearnedStats } from './types.js';

/** Representative time of each bucket, hours (for its prior). */
const MID_H = [3, 15, 36, 72, 132, 240] as const;
/** The curve is normalised at 2 days: a bucket's prior rate is overall × g(mid) / g(2 days). */
const REF_MS = 48 * HOUR_MS;
/** Pseudo-observations of the curve's prior per bucket. */
const STRENGTH = 20;
/** The learned correction stays within these bounds (a bucket with few outcomes cannot run away). */
const RATIO_MIN = 0.3;
const RATIO_MAX = 3;

/** g(Δ) learned: the prior curve times the learned correction of Δ's bucket (memoised per bucket). */
export function makeRecoveryCurve(
  stats: LearnedStats,
  cat: StatCategory,
  overall: number,
): (sinceMs: number) => number {
  const ratio = new Map<number, number>();
  const ref = elapsedFactor(cat, REF_MS);
  return (sinceMs) => {
    const b = sinceBucket(sinceMs);
    let r = ratio.get(b);
    if (r === undefined) {
      const prior = Math.min(0.99, (overall * elapsedFactor(cat, MID_H[b] * HOUR_MS)) / ref);
      const post = posterior(stats, statKey.since(cat, sinceMs), prior, STRENGTH);
      r = post.n === 0 ? 1 : Math.min(RATIO_MAX, Math.max(RATIO_MIN, post.mean / prior));
      ratio.set(b, r);
    }
    return elapsedFactor(cat, sinceMs) * r;
  };
}
