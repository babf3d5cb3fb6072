/**
 * Anytime-valid intervals for the lift: a confidence sequence (CS) for a difference of means
 * between two arms, valid simultaneously at every look, so a merchant may open the report every
 * day and stop whenever the interval excludes zero without inflating the error rate.
 *
 * Method: the two-sided normal-mixture boundary of Robbins, in the form given by Howard,
 * Ramdas, McAuliffe & Sekhon, "Time-uniform, nonparametric, nonasymptotic confidence
 * sequences", Annals of Statistics 49(2):1055–1080 (2021), and used with an estimated
 * variance as the asymptotic CS of Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas,
 * "Time-uniform central limit theory and asymptotic confidence sequences", Annals of
 * Statistics (2024). For a sum S with variance process V, mixing the
 * exponential supermartingale exp(λS − λ²V/2) over λ ~ N(0, 1/ρ) gives
 * sqrt(ρ/(V+ρ))·exp(S²/(2(V+ρ))); by Ville's inequality it exceeds 1/α at any time with
 * probability ≤ α, i.e. |S| ≤ sqrt((V+ρ)·ln((V+ρ)/(ρα²))) at every time at once. In the
 * standardised form used here (V = n, the effective sample size, S/V = (Δ̂ − Δ)/(σ²/n)), the
 * half-width is sqrt(v) · m(n) with v the variance of Δ̂ and
 *   m(n) = sqrt(((n + ρ)/n) · ln((n + ρ)/(ρ α²))),
 * in place of the fixed-horizon 1.96. ρ is fixed in advance (not from the data): it makes the
 * sequence nearly tightest around n = CS_TUNE_N; any fixed ρ keeps the guarantee.
 */
import type { Interval } from './types.js';

export const CS_ALPHA = 0.05;
/** Effective sample size (cases, harmonic-mean sense) at which the boundary is tightest. */
export const CS_TUNE_N = 250;
/** One-sided standard-normal quantile for 80% power, used by the sample-size estimate. */
const Z_POWER80 = 0.8416212335729143;

/** ρ that (approximately) minimises m(n) at n = tuneN: tuneN / (2 ln(1/α) + ln(1 + 2 ln(1/α))). */
export function mixtureRho(tuneN = CS_TUNE_N, alpha = CS_ALPHA): number {
  const l = -2 * Math.log(alpha);
  return tuneN / (l + Math.log(1 + l));
}

/** The multiplier m(n) that replaces 1.96: the half-width is m(n)·sqrt(var(Δ̂)). */
export function csMultiplier(nEff: number, alpha = CS_ALPHA, rho = mixtureRho(CS_TUNE_N, alpha)): number {
  if (!(nEff > 0)) return Infinity;
  return Math.sqrt(((nEff + rho) / nEff) * Math.log((nEff + rho) / (rho * alpha * alpha)));
}

/** Summary of one arm: n cases, the mean of a per-case value and its (population) variance. */
export interface ArmSample {
  n: number;
  mean: number;
  variance: number;
}

export interface SequentialEstimate {
  difference: number;
  /** Standard error of the difference. */
  se: number;
  /** Effective sample size 1/(1/n1 + 1/n2). */
  nEff: number;
  /** Anytime-valid (1 − α) confidence sequence at this look. */
  cs: Interval;
  /** The multiplier used (fixed-horizon would be 1.96). */
  multiplier: number;
}

/** The CS for mean(a) − mean(b); null when an arm is empty. */
export function sequentialDifference(a: ArmSample, b: ArmSample, alpha = CS_ALPHA): SequentialEstimate | null {
  if (!(a.n > 0 && b.n > 0)) return null;
  const difference = a.mean - b.mean;
  const se = Math.sqrt(a.variance / a.n + b.variance / b.n);
  const nEff = 1 / (1 / a.n + 1 / b.n);
  const multiplier = csMultiplier(nEff, alpha);
  const cs = { low: difference - multiplier * se, high: difference + multiplier * se };
  return { difference, se, nEff, cs, multiplier };
}

/**
 * A proportion x/n as an arm sample. The variance uses (x + 1)/(n + 2) so that an arm with no
 * (or only) successes still has a positive variance: a zero-width interval would be a claim
 * the data cannot support.
 */
export function proportionSample(x: number, n: number): ArmSample {
  const smoothed = (x + 1) / (n + 2);
  return { n, mean: n > 0 ? x / n : 0, variance: smoothed * (1 - smoothed) };
}

/** The CS for the difference of two recovery rates x1/n1 − x2/n2. */
export function sequentialRateDifference(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  alpha = CS_ALPHA,
): SequentialEstimate | null {
  return sequentialDifference(proportionSample(x1, n1), proportionSample(x2, n2), alpha);
}

/**
 * Total resolved cases (both arms together) at which the CS would exclude zero with 80%
 * probability if the true difference is `effect`: the smallest N with
 * (m(nEff) + z₀.₈)·se(N) ≤ |effect|, where the treatment gets (1 − controlShare)·N cases.
 * Variances are per-case (e.g. p(1 − p)). Null if the effect is 0 or the share degenerate.
 */
export function casesNeeded(
  effect: number,
  varTreatment: number,
  varControl: number,
  controlShare: number,
  alpha = CS_ALPHA,
): number | null {
  if (!(Math.abs(effect) > 0) || !(controlShare > 0 && controlShare < 1)) return null;
  const ok = (total: number) => {
    const n1 = (1 - controlShare) * total;
    const n2 = controlShare * total;
    const se = Math.sqrt(varTreatment / n1 + varControl / n2);
    return (csMultiplier(1 / (1 / n1 + 1 / n2), alpha) + Z_POWER80) * se <= Math.abs(effect);
  };
  let hi = 16;
  while (!ok(hi)) {
    hi *= 2;
    if (hi > 1e12) return null;
  }
  let lo = hi / 2;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return Math.ceil(hi);
}
