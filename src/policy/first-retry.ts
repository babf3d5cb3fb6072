/**
 * The first retry after an insufficient-funds or issuer decline, early or as planned, learned (capability
 * `probe`). recover's priors say these declines clear slowly (money on paydays, blocks over days), so it
 * plans the first retry at the best slot of the next days; in a world where most clear within a day,
 * that is too late. So the first retry is a two-armed experiment the policy runs on itself: `early`
 * (the best slot in the first day it may retry) against `planned` (the usual choice). It follows the
 * arm whose learned success per attempt is higher — trusted only once the early arm has `minOutcomes`
 * outcomes, until then planned, as before — and sends `share` of first retries to the other arm, so
 * both keep being measured (the arms are chosen at random, so the comparison is fair); once they
 * differ by `decidedZ` standard errors, only `decidedShare`, so a settled question costs little.
 */
import { HOUR_MS } from '../clock.js';
import type { StatCategory } from './decline-codes.js';
import { baseRate } from './priors.js';
import { posterior, statKey } from './stats.js';
import type { LearnedStats } from './types.js';

export const FIRST_RETRY = {
  categories: ['funds', 'issuer'] as readonly StatCategory[],
  /** Share of first retries sent to the arm not followed (the experiment's cost) while undecided, 0..1. */
  share: 0.15,
  /** The share once the arms differ by `decidedZ` standard errors (the experiment keeps watching). */
  decidedShare: 0.03,
  decidedZ: 2,
  /** The early arm retries within this long after the earliest allowed time (recover's minimum gap), ms. */
  windowMs: 24 * HOUR_MS,
  /** Outcomes of the early arm before its rate is trusted. */
  minOutcomes: 20,
  /** Pseudo-observations of each arm's prior (the base rate of a first retry). */
  strength: 10,
} as const;

type FirstRetryArm = 'early' | 'planned';

interface FirstRetryPlan {
  arm: FirstRetryArm;
  /** This decision tries the arm not followed (the experiment). */
  probe: boolean;
  /** The arm the evidence says to follow. */
  follow: FirstRetryArm;
  /** The share of first retries on the other arm now (smaller once the evidence is decisive). */
  share: number;
  early: { mean: number; n: number };
  planned: { mean: number; n: number };
}

/** The plan for a first retry of `cat` (undefined: not a category the experiment covers); `u` uniform [0,1). */
export function planFirstRetry(stats: LearnedStats, cat: StatCategory, u: number): FirstRetryPlan | undefined {
  if (!FIRST_RETRY.categories.includes(cat)) return undefined;
  const prior = baseRate(cat, 1);
  const early = posterior(stats, statKey.firstRetry(cat, 'early'), prior, FIRST_RETRY.strength);
  const planned = posterior(stats, statKey.firstRetry(cat, 'planned'), prior, FIRST_RETRY.strength);
  const follow: FirstRetryArm = early.n >= FIRST_RETRY.minOutcomes && early.mean > planned.mean ? 'early' : 'planned';
  const se = Math.sqrt(betaVariance(early) + betaVariance(planned));
  const decided = early.n >= FIRST_RETRY.minOutcomes && Math.abs(early.mean - planned.mean) > FIRST_RETRY.decidedZ * se;
  const share = decided ? FIRST_RETRY.decidedShare : FIRST_RETRY.share;
  const probe = u < share;
  const arm: FirstRetryArm = probe ? (follow === 'early' ? 'planned' : 'early') : follow;
  const e = { mean: early.mean, n: early.n };
  return { arm, probe, follow, share, early: e, planned: { mean: planned.mean, n: planned.n } };
}

/** Variance of a Beta(α, β) posterior. */
function betaVariance(x: { alpha: number; beta: number }): number {
  const s = x.alpha + x.beta;
  return (x.alpha * x.beta) / (s * s * (s + 1));
}

const pct = (x: number) => `${Math.round(100 * x)}%`;

/** The decision's sentence: which arm, why, and the evidence. */
export function firstRetrySentence(p: FirstRetryPlan): string {
  const evidence =
    `first retries within a day of the earliest allowed time succeeded ${pct(p.early.mean)} (${p.early.n} outcomes), ` +
    `planned ones ${pct(p.planned.mean)} (${p.planned.n})`;
  if (p.probe)
    return (
      `First retry ${p.arm === 'early' ? 'early (within a day)' : 'at the planned slot'} as an experiment ` +
      `(${pct(p.share)} of first retries), so both timings stay measured: ${evidence}.`
    );
  if (p.follow === 'early') return `First retry early: declines here clear fast; ${evidence}.`;
  const trust =
    p.early.n < FIRST_RETRY.minOutcomes ? `; early is trusted from ${FIRST_RETRY.minOutcomes} outcomes` : '';
  return `First retry at the planned slot: ${evidence}${trust}.`;
}
