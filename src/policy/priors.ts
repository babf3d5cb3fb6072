/**
 * Priors for the timing model. These are PRIORS, not measurements made here: hand-set numbers
 * whose direction (and rough size) follows published material, and which the merchant's own
 * outcomes overrule as they accumulate (Beta-Binomial, see stats.ts). Sources (see README.md):
 *  - Stripe, "Automate payment retries" (docs.stripe.com/billing/revenue-recovery/smart-retries):
 *    retry timing depends on time-dependent signals incl. local time of day; recommended default
 *    8 tries within 2 weeks.
 *  - Recurly, "The case for smarter failed payment recovery" (recurly.com/blog, 2026): most
 *    recoveries (≈90 %) happen in the first 10 days → success per attempt decays with attempts.
 *  - US BLS, "Length of pay periods in the CES survey" (2019): weekly 33.8 %, biweekly 42.2 %,
 *    semimonthly 18.6 %, monthly 5.4 % of private businesses → Fridays, the 1st, the 15th and the
 *    last business day are when money arrives.
 *  - Payment-provider retry guides (e.g. Checkout.com, Nexi, LostChurn docs): retry insufficient
 *    funds around paydays; business hours beat nights; technical errors clear within hours.
 */
import { DAY_MS, HOUR_MS } from '../clock.js';
import type { StatCategory } from './decline-codes.js';
import { lastBusinessDay, type LocalParts } from './local-time.js';

/** P(retry n on this card succeeds), n = 1..6, averaged over timing. */
export const BASE_RATE: Record<StatCategory, readonly number[]> = {
  funds: [0.2, 0.17, 0.14, 0.12, 0.1, 0.08],
  velocity: [0.25, 0.18, 0.14, 0.1, 0.08, 0.06],
  issuer: [0.18, 0.12, 0.08, 0.06, 0.05, 0.04],
  technical: [0.55, 0.35, 0.2, 0.12, 0.08, 0.06],
  new_card: [0.75, 0.35, 0.2, 0.12, 0.08, 0.06],
  other: [0.1, 0.07, 0.05, 0.04, 0.03, 0.03],
};

export function baseRate(cat: StatCategory, n: number): number {
  const rates = BASE_RATE[cat];
  return rates[Math.min(Math.max(n, 1), rates.length) - 1];
}

/** Prior overall success rate of a retry in the category (for normalising multipliers). */
export function overallRate(cat: StatCategory): number {
  const r = BASE_RATE[cat];
  return (r[0] + r[1] + r[2]) / 3;
}

/**
 * Most retries one card gets after a decline of this kind: chosen so the expected recovery per
 * attempt stays high (the last allowed attempt of each kind is still worth ≥ ~4 % by the priors).
 */
export const BUDGET: Record<StatCategory, number> = {
  funds: 5,
  velocity: 4,
  issuer: 4,
  technical: 4,
  new_card: 3,
  other: 3,
};

/** recover's own minimum spacing after a decline (network waits come on top), ms. */
export const MIN_GAP_MS: Record<StatCategory, number> = {
  funds: 20 * HOUR_MS,
  velocity: 12 * HOUR_MS,
  issuer: 20 * HOUR_MS,
  technical: HOUR_MS,
  new_card: 0,
  other: 20 * HOUR_MS,
};

/** How fast the cause of a decline goes away: g(Δ) = 1 − a·exp(−Δ/τ), Δ = time since decline. */
const RECOVERY_CURVE: Record<StatCategory, { a: number; tauMs: number }> = {
  funds: { a: 0.75, tauMs: 2 * DAY_MS },
  velocity: { a: 0.7, tauMs: DAY_MS },
  issuer: { a: 0.8, tauMs: 1.5 * DAY_MS },
  technical: { a: 0.9, tauMs: 2 * HOUR_MS },
  new_card: { a: 0, tauMs: HOUR_MS },
  other: { a: 0.5, tauMs: 2 * DAY_MS },
};

export function elapsedFactor(cat: StatCategory, sinceDeclineMs: number): number {
  const { a, tauMs } = RECOVERY_CURVE[cat];
  return 1 - a * Math.exp(-Math.max(0, sinceDeclineMs) / tauMs);
}

/** Local hour of day: business hours beat nights (issuer risk rules, overnight deposits posted). */
export function hourOfDay(cat: StatCategory, hour: number): number {
  if (cat === 'technical' || cat === 'new_card') return hour < 6 ? 0.9 : 1;
  if (hour < 6) return 0.75;
  if (hour < 8) return cat === 'funds' ? 1 : 0.95;
  if (hour < 12) return cat === 'funds' ? 1.15 : 1.1;
  if (hour < 17) return 1.05;
  if (hour < 21) return 0.95;
  return 0.85;
}

/**
 * Day of week (0 = Sunday). Weekly (34 %) and biweekly (42 %) pay mostly lands on Fridays, so
 * about half of US workers are paid on any given Friday, against ~19 % on the 1st or the 15th
 * (BLS): Fridays get the biggest boost; Saturday keeps some of it; early-pay banks move some to
 * Thursday.
 */
function dayOfWeek(cat: StatCategory, weekday: number): number {
  if (cat === 'funds') return [0.85, 0.9, 0.9, 0.95, 1.05, 1.45, 1.1][weekday];
  if (cat === 'issuer') return weekday === 0 ? 0.9 : 1;
  return 1;
}

/** Prior multiplier for the local hour-of-week. */
export function hourOfWeekMultiplier(cat: StatCategory, local: Pick<LocalParts, 'hour' | 'weekday'>): number {
  return hourOfDay(cat, local.hour) * dayOfWeek(cat, local.weekday);
}

/** Prior multiplier for the local day of month: payday effects, for insufficient funds only. */
export function dayOfMonthMultiplier(cat: StatCategory, local: Pick<LocalParts, 'year' | 'month' | 'day' | 'daysInMonth'>): number {
  if (cat !== 'funds') return 1;
  const d = local.day;
  const lbd = lastBusinessDay(local.year, local.month);
  if (d === 1) return 1.25;
  if (d === 15) return 1.25;
  if (d === lbd) return 1.2;
  if (d === 2 || d === 16) return 1.1;
  if (d === local.daysInMonth || d === 3) return 1.05;
  return 0.92;
}

/** Short merchant-readable reasons a slot scores well, for the decision's sentence. */
export function slotTags(cat: StatCategory, local: LocalParts): string[] {
  const tags: string[] = [];
  if (cat === 'funds') {
    const lbd = lastBusinessDay(local.year, local.month);
    if (local.day === lbd) tags.push('payday: last business day');
    else if (local.day === 1 || local.day === 15) tags.push(`payday: ${ordinal(local.day)}`);
    else if (local.day === 2 || local.day === 16) tags.push(`just after the ${ordinal(local.day - 1)} payday`);
    if (local.weekday === 5) tags.push('Friday payday');
  }
  if (local.hour >= 8 && local.hour < 12) tags.push('morning');
  else if (local.hour >= 12 && local.hour < 17) tags.push('business hours');
  else if (local.hour < 6) tags.push('night');
  return tags;
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n}${s}`;
}

/** Beta prior strength, in pseudo-observations, for each kind of learned count. */
export const PRIOR_STRENGTH = { base: 30, hourOfWeek: 15, dayOfMonth: 15 } as const;

/**
 * Bounded exploration: this share of decisions uses Thompson draws instead of posterior means,
 * among slots whose mean is at least `minRatioOfBest` of the best and which lie within
 * `maxShiftMs` of the greedy choice.
 */
export const EXPLORATION = { share: 0.1, minRatioOfBest: 0.6, maxShiftMs: 36 * HOUR_MS } as const;

/** Value of recovering one day earlier, as a fraction of the estimate (time discount). */
export const DISCOUNT_PER_DAY = 0.015;

/** Below this estimated success no blind retry is worth its network cost. */
export const MIN_ESTIMATE = 0.03;

/** Look ahead at most this many times the fair share of the remaining window per remaining attempt. */
export const LOOKAHEAD_FACTOR = 1.5;
