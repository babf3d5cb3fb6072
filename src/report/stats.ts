/**
 * Interval estimates for the report: the Wilson score interval for one proportion, and
 * Newcombe's hybrid score interval for the difference of two independent proportions (method
 * 10 in R. G. Newcombe, "Interval estimation for the difference between independent
 * proportions: comparison of eleven methods", Statistics in Medicine 17:873–890, 1998), built
 * from the two Wilson intervals. Neither uses a continuity correction.
 */
import type { Interval } from './types.js';

/** The two-sided 95% standard-normal quantile. */
export const Z95 = 1.959963984540054;

/** Wilson score interval for x successes out of n; null when n = 0. */
export function wilson(x: number, n: number, z = Z95): Interval | null {
  if (!(n > 0)) return null;
  if (x < 0 || x > n) throw new RangeError(`wilson: successes ${x} outside 0..${n}`);
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // The limits are exactly 0 at x = 0 and 1 at x = n; say so rather than leave rounding noise.
  return { low: x === 0 ? 0 : Math.max(0, centre - half), high: x === n ? 1 : Math.min(1, centre + half) };
}

export interface DifferenceEstimate {
  p1: number;
  p2: number;
  /** p1 − p2 */
  difference: number;
  ci: Interval;
}

/**
 * Newcombe's hybrid score interval for p1 − p2 (x1/n1 vs x2/n2):
 *   L = d − sqrt((p1 − l1)² + (u2 − p2)²),  U = d + sqrt((u1 − p1)² + (p2 − l2)²)
 * where (l_i, u_i) are the Wilson limits. Null if either n is 0.
 */
export function newcombeDifference(x1: number, n1: number, x2: number, n2: number, z = Z95): DifferenceEstimate | null {
  const w1 = wilson(x1, n1, z);
  const w2 = wilson(x2, n2, z);
  if (!w1 || !w2) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const d = p1 - p2;
  const low = d - Math.sqrt((p1 - w1.low) ** 2 + (w2.high - p2) ** 2);
  const high = d + Math.sqrt((w1.high - p1) ** 2 + (p2 - w2.low) ** 2);
  return { p1, p2, difference: d, ci: { low, high } };
}

/** Median of a list of numbers (mean of the two middle values for an even count); null if empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** x / n, or null when n is 0. */
export function ratio(x: number, n: number): number | null {
  return n > 0 ? x / n : null;
}
