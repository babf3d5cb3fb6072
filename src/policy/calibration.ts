/**
 * A learned correction of the estimate by time since the failure (capability `calibrate`): when,
 * after a failure, money comes back. Every retry's outcome is counted under the bucket of time
 * since the case's failure it fell in and the decile of the estimate the policy gave it, so each
 * bucket knows its observed successes O and its expected successes E (Σ of the estimates). The
 * correction of a bucket is (O + k) / (E + k): 1 with no data, and — unlike learning raw success
 * rates per bucket (`curve`, recovery-curve.ts) — not fooled by which retries land there (late
 * buckets hold later, less likely attempts; the estimate already knows that, so O/E does not
 * blame the time for it). Where the fixed priors are right (paydays) it stays near 1; where
 * failures clear fast, early buckets rise above 1 and late ones fall below it.
 * Keys (integer counts, so the daemon's learned_stats table holds them unchanged):
 *   cal:<category>|sf:<bucket>|p:<decile>   e.g. cal:funds|sf:1d|p:3 (estimate 30–40 %)
 */
import { DAY_MS } from '../clock.js';
import type { StatCategory } from './decline-codes.js';
import type { LearnedStats } from './types.js';

/** Lower edges of the time-since-failure buckets, days: 0–1, 1–2, 2–4, 4–7, 7–14, 14 or more. */
const EDGES_D = [0, 1, 2, 4, 7, 14] as const;
/** Pseudo-observations of the prior ratio 1, in expected successes (how much evidence moves it). */
export const CALIBRATION_STRENGTH = 30;
/** The correction stays within these bounds (a bucket's evidence is about timing, not a new model). */
const RATIO_MIN = 0.5;
const RATIO_MAX = 2;

function bucketOf(sinceFailureMs: number): number {
  const d = Math.max(0, sinceFailureMs) / DAY_MS;
  let b = 0;
  while (b + 1 < EDGES_D.length && d >= EDGES_D[b + 1]) b++;
  return b;
}

const decileOf = (p: number) => Math.min(9, Math.max(0, Math.floor(p * 10)));
const keyOf = (cat: StatCategory, b: number, decile: number) => `cal:${cat}|sf:${EDGES_D[b]}d|p:${decile}`;

/** The key an outcome increments: the attempt's time since the failure and its estimate's decile. */
export function calibrationKey(cat: StatCategory, sinceFailureMs: number, estimate: number): string {
  return keyOf(cat, bucketOf(sinceFailureMs), decileOf(estimate));
}

interface BucketCalibration {
  /** Bucket label, e.g. "1–2 days". */
  label: string;
  observed: number;
  expected: number;
  /** The correction multiplied into the estimate. */
  ratio: number;
  /** The category's observed ÷ expected over every bucket (the bucket's is relative to it). */
  level: number;
}

/** Observed and expected successes of one time-since-failure bucket (b = -1: every bucket). */
function counts(stats: LearnedStats, cat: StatCategory, b: number): { observed: number; expected: number } {
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < EDGES_D.length; i++) {
    if (b >= 0 && i !== b) continue;
    for (let d = 0; d < 10; d++) {
      const x = stats.get(keyOf(cat, i, d));
      if (!x) continue;
      observed += x.successes;
      // The decile's midpoint stands for its estimates (at most 5 pp off each).
      expected += (x.successes + x.failures) * (d + 0.5) * 0.1;
    }
  }
  return { observed, expected };
}

/**
 * The learned correction of `cat`'s estimates by time since the failure (memoised per bucket): a
 * bucket's observed ÷ expected relative to the category's, so it moves attempts in time and leaves
 * the level of the estimates (which the stopping rule weighs against the cost) as it was.
 */
export function makeCalibration(stats: LearnedStats, cat: StatCategory): (sinceFailureMs: number) => BucketCalibration {
  const memo = new Map<number, BucketCalibration>();
  const k = CALIBRATION_STRENGTH;
  const all = counts(stats, cat, -1);
  const level = (all.observed + k) / (all.expected + k);
  return (sinceFailureMs) => {
    const b = bucketOf(sinceFailureMs);
    let c = memo.get(b);
    if (c === undefined) {
      const { observed, expected } = counts(stats, cat, b);
      const r = (observed + k * level) / (expected + k) / level;
      const ratio = Math.min(RATIO_MAX, Math.max(RATIO_MIN, r));
      const hi = EDGES_D[b + 1];
      const label = hi === undefined ? `${EDGES_D[b]}+ days` : `${EDGES_D[b]}–${hi} days`;
      c = { label, observed, expected, ratio, level };
      memo.set(b, c);
    }
    return c;
  };
}

/** The decision's sentence: the correction at the chosen slot and the evidence behind it. */
export function calibrationSentence(c: BucketCalibration): string {
  return (
    `Timing after the failure (${c.label}): retries then succeeded ${Math.round(c.observed)} times ` +
    `where the estimates expected ${c.expected.toFixed(1)} (${c.level.toFixed(2)} × as often over all times), ` +
    `so estimates there × ${c.ratio.toFixed(2)}.`
  );
}
