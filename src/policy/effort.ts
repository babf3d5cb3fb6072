/**
 * How much effort a case gets and how it is spread over the window.
 * - Value-aware stopping: keep trying while the learned success of the next attempt × the amount
 *   due beats the per-attempt cost (settings.attemptCost), within a safety ceiling and the
 *   network caps (hard limits, caps.ts). Large invoices get more tries, small ones fewer.
 * - Spending the window (off by default, `recover-with-spend`): a slot is scored by its expected
 *   value now plus what the rest of the window is still worth if it fails, p·d + (1 − p)·V(t), instead of looking only a fixed share
 *   of the window ahead; so a fresh failure whose best chance is near is tried near, and one whose
 *   best chance is a payday next week waits for it.
 */
import { DAY_MS } from '../clock.js';
import { formatMinor } from '../money.js';

/** The capabilities of recover's policy; each can be switched off (the bench's ablations). */
export interface RecoverFeatures {
  /** Per-customer pay-cycle belief for insufficient-funds declines. */
  payCycle: boolean;
  /** Value-aware stopping rule instead of fixed budgets per decline kind. */
  valueStop: boolean;
  /** Expected-value allocation over the remaining window instead of a fixed look-ahead. */
  spend: boolean;
  /** The recovery curve after a decline learned per category (today's curve as the prior). */
  curve: boolean;
  /** The safety ceiling on blind retries grows with the amount due (else 8 for every invoice). */
  amountCeiling: boolean;
  /** The first retry early or planned, learned from a share of first retries on each arm (first-retry.ts). */
  probe: boolean;
  /** The estimate corrected by learned observed ÷ expected success per time since the failure (calibration.ts). */
  calibrate: boolean;
}

/**
 * Defaults chosen on the tuning worlds (builtin, annual; `npm run bench -- simulate`, 3,000 × 3
 * seeds): expected-value spending of the window lost 1.3 and 2.8 pp of revenue on them (0.8–2.3 pp
 * on the held-out worlds), the learned recovery curve 0.3 and 1.0 pp (held out −1.2 to +0.5):
 * both stay measured (`recover-with-spend`, `recover-with-curve`) but off. The amount-aware
 * ceiling gained 0.4 and 3.9 pp (held out +0.1 to +1.4). The first-retry experiment (`probe`,
 * first-retry.ts) moved revenue by less than the seed noise (about ±1 pp) on every world, the
 * held-out `quick` and `noise` included, so it stays measured (`recover-with-probe`) but off; so does
 * the learned timing after the failure (`calibrate`, calibration.ts): builtin −0.4, annual −0.4 pp.
 */
export const DEFAULT_FEATURES: RecoverFeatures = {
  payCycle: true,
  valueStop: true,
  spend: false,
  curve: false,
  amountCeiling: true,
  probe: false,
  calibrate: false,
};
/** The policy before issue 12 (fixed budgets, pooled estimates, fixed look-ahead, fixed curve). */
export const LEGACY_FEATURES: RecoverFeatures = {
  payCycle: false,
  valueStop: false,
  spend: false,
  curve: false,
  amountCeiling: false,
  probe: false,
  calibrate: false,
};

/** Safety ceiling on blind retries per card and decline up to 400 attempt costs due ($100 at 25 ¢). */
export const MAX_RETRIES_PER_CARD = 8;
/** Amount due, in attempt costs, above which the ceiling grows (400 × 25 ¢ = $100). */
const CEILING_REFERENCE_COSTS = 400;
/** Retries added per doubling of the amount above the reference (one more per ×1.59). */
const CEILING_PER_DOUBLING = 1.5;
/**
 * The ceiling grows by at most this many (8 + 12 = 20; the network caps bind first: Visa's 15
 * attempts per card in 30 days, the first failure included, Mastercard's 35).
 */
const CEILING_MAX_EXTRA = 12;

/**
 * The safety ceiling on blind retries for this invoice: 8 up to 400 attempt costs due, then 1.5
 * more per doubling of the amount, at most 20 (`amount` and `costMinor` in the invoice's minor
 * units, so the ratio is currency-free): at 25 ¢ a $29 or $99 plan gets 8, $200 9, $400 11, a $990
 * annual plan 12, $4,990 16. Chosen on the tuning worlds (src/simulate/README.md). Without the
 * `amountCeiling` capability: always 8.
 */
export function retryCeiling(amount: number, costMinor: number, byAmount = true): number {
  if (!byAmount) return MAX_RETRIES_PER_CARD;
  const ratio = costMinor > 0 ? amount / costMinor : Infinity;
  const extra = Math.floor(CEILING_PER_DOUBLING * Math.log2(ratio / CEILING_REFERENCE_COSTS));
  return MAX_RETRIES_PER_CARD + Math.min(CEILING_MAX_EXTRA, Math.max(0, extra));
}

/** Below this estimated success an attempt is noise, whatever the amount. */
export const MIN_WORTHWHILE = 0.015;
/** Typical spacing between useful further attempts (about one pay-window), ms. */
const FOLLOW_UP_SPACING_MS = 1 * DAY_MS;
/** Each further attempt is worth this share of the one before (success decays with attempts). */
const FOLLOW_UP_DECAY = 0.9;

/**
 * V(t): the chance the rest of the window still recovers the invoice if an attempt at `t` fails,
 * from the mean estimate over the window and how many further attempts fit after `t`.
 */
export function continuationValue(t: number, deadline: number, meanEstimate: number, attemptsLeft: number): number {
  const fit = Math.min(attemptsLeft, Math.floor(Math.max(0, deadline - t) / FOLLOW_UP_SPACING_MS));
  let miss = 1;
  let p = meanEstimate * FOLLOW_UP_DECAY;
  for (let k = 0; k < fit; k++) {
    miss *= 1 - p;
    p *= FOLLOW_UP_DECAY;
  }
  return 1 - miss;
}

/** "29.00 USD", "3000 JPY", "1.500 BHD": the form of every decision reason, log and `explain` (src/money.ts). */
export function money(minor: number, currency: string): string {
  return formatMinor(minor, currency);
}
