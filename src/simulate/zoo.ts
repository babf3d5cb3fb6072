import type { RandomFunds } from './random-deposits.js';

/**
 * The world zoo: variants of the built-in merchant built from different assumptions, so the
 * policy's defaults can be chosen on some worlds ("tuning") and checked on the others ("held out").
 * Every knob here is hidden from the policies. See README.md ("The world zoo") for each world.
 */

/** How a payday that falls on a weekend is paid: [weight of Friday before, Monday after, nominal date]. */
export type ShiftMix = readonly [before: number, after: number, nominal: number];

export interface WorldSpec {
  name: string;
  /** tuning: defaults may be chosen on it; held-out: only reported. */
  role: 'tuning' | 'held-out';
  summary: string;
  /** Weekday weights (0 = Sunday … 6) of weekly and biweekly paydays in the US/CA mix. */
  payWeekdays: readonly number[];
  /** Weekend handling of day-of-month paydays (semimonthly / monthly). */
  weekendShift: ShiftMix;
  /** Each decline on the card in the last 7 days multiplies the next approval chance by this. */
  fatiguePerDecline: number;
  /** Declines within `burstWindowMs` that trip issuer velocity rules, and the factor they apply. */
  burstCount: number;
  burstWindowMs: number;
  burstFactor: number;
  /** Share of invoices that are annual plans (10 × the monthly price). */
  annualShare: number;
  /** Share of customers whose timezone Stripe tells us. */
  timezoneShare: number;
  /** Multiplies every card-update probability (account updater and customers). */
  cardUpdateScale: number;
  /** Share of customers with past successful charges the policy may see (`customer.payments`). */
  historyShare: number;
  /** Money arrives at random times, not on paydays (random-deposits.ts); undefined = paydays. */
  randomFunds?: RandomFunds;
  /** Median time until an issuer block lifts, hours (lognormal, σ = 1); undefined = 30. */
  issuerClearMedianH?: number;
  /** Price mix override: [weight, monthly price in cents]; undefined = $9–$499 (builtin-population.ts). */
  prices?: ReadonlyArray<readonly [number, number]>;
  /** Region weights override: [weight, country, timezone]; undefined = the built-in mix. */
  regions?: ReadonlyArray<readonly [number, string, string]>;
}

const HOUR_MS = 3_600_000;
const BUILTIN: WorldSpec = {
  name: 'builtin',
  role: 'tuning',
  summary: 'the original merchant: BLS pay mix, mostly Friday paydays moved to the Friday before weekends',
  payWeekdays: [0, 0.08, 0, 0.05, 0.15, 0.72, 0],
  weekendShift: [1, 0, 0],
  fatiguePerDecline: 0.85,
  burstCount: 3,
  burstWindowMs: 24 * HOUR_MS,
  burstFactor: 0.3,
  annualShare: 0,
  timezoneShare: 0.7,
  cardUpdateScale: 1,
  historyShare: 0.6,
};

export const WORLD_SPECS: Readonly<Record<string, WorldSpec>> = {
  builtin: BUILTIN,
  annual: {
    ...BUILTIN,
    name: 'annual',
    summary: 'a B2B-leaning merchant: 35 % annual plans, fewer card updates, paydays moved either way',
    annualShare: 0.35,
    cardUpdateScale: 0.6,
    weekendShift: [0.6, 0.4, 0],
  },
  payroll: {
    ...BUILTIN,
    name: 'payroll',
    role: 'held-out',
    summary: 'payroll unlike the priors: any weekday (Tuesday-heavy), weekend dates moved after or not at all',
    payWeekdays: [0, 0.15, 0.35, 0.2, 0.15, 0.15, 0],
    weekendShift: [0.2, 0.5, 0.3],
  },
  fatigue: {
    ...BUILTIN,
    name: 'fatigue',
    role: 'held-out',
    summary: 'issuers that punish rapid retries: each recent decline × 0.7, two declines in 48 h × 0.35',
    fatiguePerDecline: 0.7,
    burstCount: 2,
    burstWindowMs: 48 * HOUR_MS,
    burstFactor: 0.35,
    historyShare: 0.3,
  },
  global: {
    ...BUILTIN,
    name: 'global',
    role: 'held-out',
    summary: 'a worldwide merchant: timezone known for 30 %, US only 35 %, half the card updates, 20 % annual',
    timezoneShare: 0.3,
    cardUpdateScale: 0.5,
    annualShare: 0.2,
    weekendShift: [0.4, 0.3, 0.3],
    regions: [
      [0.2, 'US', 'America/New_York'],
      [0.15, 'US', 'America/Los_Angeles'],
      [0.05, 'CA', 'America/Toronto'],
      [0.12, 'GB', 'Europe/London'],
      [0.15, 'DE', 'Europe/Berlin'],
      [0.1, 'JP', 'Asia/Tokyo'],
      [0.13, 'AU', 'Australia/Sydney'],
      [0.1, 'BR', 'America/Sao_Paulo'],
    ],
  },
  // Issue 12's independent world was "built from different assumptions": these three drop the
  // structure every world above shares (money on paydays, declines that clear slowly, mid-size plans).
  quick: {
    ...BUILTIN,
    name: 'quick',
    role: 'held-out',
    summary: 'failures that clear fast: money at random hours, the first deposit a mean 1 day after; issuer blocks 8 h',
    randomFunds: { firstMeanDays: 1, everyMeanDays: 5, holdDays: [1, 3] },
    issuerClearMedianH: 8,
  },
  noise: {
    ...BUILTIN,
    name: 'noise',
    role: 'held-out',
    summary: 'no pay cycle at all: deposits at random times, every 10 days on average, money held 1.5–4 days',
    randomFunds: { firstMeanDays: 10, everyMeanDays: 10, holdDays: [1.5, 4] },
  },
  smallticket: {
    ...BUILTIN,
    name: 'smallticket',
    role: 'held-out',
    summary: 'small plans: $5 30 %, $9 35 %, $15 25 %, $29 10 %, so an attempt costs 1–5 % of the amount due',
    prices: [
      [0.3, 500],
      [0.35, 900],
      [0.25, 1500],
      [0.1, 2900],
    ],
  },
};

export const WORLD_NAMES = Object.keys(WORLD_SPECS);
export const TUNING_WORLDS = WORLD_NAMES.filter((n) => WORLD_SPECS[n].role === 'tuning');
export const HELD_OUT_WORLDS = WORLD_NAMES.filter((n) => WORLD_SPECS[n].role === 'held-out');
