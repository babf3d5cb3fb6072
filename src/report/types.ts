/**
 * The plain-data `Report`: everything `recover report` prints, in one JSON-serialisable value.
 * Money is always integer minor units keyed by lower-case currency (`{ usd: 12500, jpy: 3000 }`);
 * times are UTC epoch milliseconds with an ISO twin where a human reads them; rates are
 * fractions in [0, 1] (null when there is nothing to divide by).
 */
import type { Arm, RecoveredBy } from '../db/index.js';
import type { Measurement } from './measurement-types.js';
import type { PlatformSummary } from './platforms.js';

/** Minor units by currency, e.g. `{ eur: 1900, usd: 12500 }` (keys sorted). */
export type Amounts = Record<string, number>;

export interface Interval {
  low: number;
  high: number;
}

export interface ReportPeriod {
  /** Cases that entered dunning in [since, until). */
  since: number;
  until: number;
  sinceIso: string;
  untilIso: string;
  /** The zone dates are read and shown in (settings.defaultTimezone, else UTC). */
  timezone: string;
}

export interface Headline {
  /** Cases that entered dunning in the period. */
  entered: number;
  /** Amount due of those cases. */
  enteredAmount: Amounts;
  recovered: number;
  recoveredAmount: Amounts;
  /** Cases whose outcome is known: recovered, lost, hard-declined, closed (not still in dunning). */
  resolved: number;
  /** recovered / resolved. */
  recoveryRate: number | null;
  /** Dunning ended without payment (status lost, plus active cases past their deadline). */
  lost: number;
  lostAmount: Amounts;
  /** Of `lost`: cases past their dunning deadline that the daemon has not closed yet. */
  lostPendingClose: number;
  hardDeclined: number;
  /** Ended by something else: invoice voided or marked uncollectible, subscription deleted. */
  closed: number;
  /** Still inside their dunning window (shown apart, never counted as lost). */
  inDunning: number;
  inDunningAmount: Amounts;
  /** By status: in_dunning, waiting_card_update, needs_customer_action, observing. */
  inDunningByStatus: Record<string, number>;
  /** Median of (recovered_at − first failure) over recovered cases, ms. */
  medianTimeToRecoverMs: number | null;
  /** Mean number of retries on a recovered invoice, up to and including the one that paid. */
  attemptsPerRecovered: number | null;
  /** All retries on the cohort's cases / recoveries (what the networks bill per recovery). */
  retriesPerRecovery: number | null;
  networkCapViolations: CapViolations;
}

export interface CapViolation {
  rule: 'visa_attempts_30d' | 'mastercard_declines_24h' | 'mastercard_same_amount_30d' | 'after_do_not_retry';
  attemptId: number;
  caseId: number;
  fingerprint: string;
  brand: string;
  at: number;
  /** The count in the window, this attempt included (or 0 for after_do_not_retry). */
  count: number;
  limit: number;
}

export interface CapViolations {
  /** Attempts by recover made in the period that broke a card-network rule (should be 0). */
  total: number;
  byRule: Record<CapViolation['rule'], number>;
  /** Up to 20 of them. */
  examples: CapViolation[];
  /** Attempts by recover audited (made in the period, on a card with a known fingerprint). */
  audited: number;
}

export interface AttributionRow {
  by: RecoveredBy;
  label: string;
  count: number;
  /** Share of all recoveries. */
  share: number | null;
  amount: Amounts;
}

export interface ArmStats {
  arm: Arm;
  entered: number;
  resolved: number;
  recovered: number;
  /** resolved − recovered: lost, hard-declined, closed. */
  notRecovered: number;
  inDunning: number;
  rate: number | null;
  /** Wilson score interval of `rate`. */
  ci95: Interval | null;
  recoveredAmount: Amounts;
  /** Amount due of the resolved cases (what was at stake). */
  resolvedAmount: Amounts;
  /** Retries made on the arm's resolved cases. */
  retries: number;
  attemptsPerRecovered: number | null;
  retriesPerRecovery: number | null;
}

export interface LiftRevenue {
  currency: string;
  /** Amount due of the treatment arm's resolved cases. */
  atStake: number;
  /** difference × atStake, rounded to minor units. */
  lift: number;
  low: number;
  high: number;
}

export interface Lift {
  /**
   * measured: both arms have enough resolved cases; in_progress: not yet (see `needed`);
   * no_control: no control case at all in the period (control share 0, or nothing yet).
   */
  status: 'measured' | 'in_progress' | 'no_control';
  /** The configured baseline the control arm follows: `stripe` or `fixed:3,5,7`; null if unknown. */
  baseline: string | null;
  baselineLabel: string;
  treatment: ArmStats;
  control: ArmStats;
  /** Minimum resolved cases in each arm before a difference is shown. */
  minResolvedPerArm: number;
  /** treatment.rate − control.rate (fraction; ×100 = percentage points); null unless measured. */
  difference: number | null;
  /** Newcombe's hybrid score interval (method 10), 95%; null unless measured. */
  ci95: Interval | null;
  /** The interval excludes 0. */
  significant: boolean | null;
  /** Per currency: the revenue the lift accounts for (see LiftRevenue); null unless measured. */
  revenue: LiftRevenue[] | null;
  /** How many more resolved cases each arm needs; null when measured. */
  needed: { treatment: number; control: number } | null;
  message: string;
}

export interface PreTakeoverBaseline {
  /** First failures counted, from / to. */
  from: number;
  to: number;
  fromIso: string;
  toIso: string;
  invoices: number;
  recovered: number;
  rate: number | null;
  ci95: Interval | null;
  recoveredAmount: Amounts;
  attemptsPerRecovered: number | null;
  /** Invoices still failing at takeover: recover's cases now, left out of the rate. */
  takenOver: number;
}

export interface GroupBreakdownRow {
  key: string;
  cases: number;
  resolved: number;
  recovered: number;
  inDunning: number;
  rate: number | null;
  recoveredAmount: Amounts;
}

export interface DeclineBreakdownRow extends GroupBreakdownRow {
  /** The policy's reading of the code: hard, needs_card_update, soft, retry_after. */
  category: string;
}

export interface AttemptNumberRow {
  /** Numbered on the invoice (src/attempt-number.ts): 1 = the failed first payment, 2 = the first retry. */
  n: number;
  attempts: number;
  successes: number;
  rate: number | null;
}

export interface HourRow {
  /** Local hour of day, 0–23 (customer's zone, else the merchant's default). */
  hour: number;
  attempts: number;
  successes: number;
  rate: number | null;
}

export interface TimelineDay {
  /** YYYY-MM-DD in the report's zone. */
  day: string;
  recovered: number;
  amount: Amounts;
}

export interface FeedRow {
  at: number;
  atIso: string;
  accountId: string;
  invoiceId: string;
  customerId: string;
  amount: number;
  currency: string;
  /** The attempt on the invoice that paid (1 = the first payment, 2 = the first retry); null for a customer payment. */
  attempt: number | null;
  by: RecoveredBy;
  how: string;
  arm: Arm;
}

export interface Report {
  version: 1;
  generatedAt: number;
  generatedAtIso: string;
  period: ReportPeriod;
  /** null = all accounts. */
  account: string | null;
  /** null = every platform (`recover report --platform`). */
  platform?: string | null;
  /** Each platform with accounts in the database, apart (the rest of the report is them together). */
  platforms?: PlatformSummary[];
  headline: Headline;
  attribution: AttributionRow[];
  lift: Lift;
  /** The lift a skeptic accepts: mature cohorts, new cases apart from the backlog, anytime-valid. */
  measurement: Measurement;
  preTakeover: PreTakeoverBaseline | null;
  breakdowns: {
    byDeclineCode: DeclineBreakdownRow[];
    byCardBrand: GroupBreakdownRow[];
    byAttemptNumber: AttemptNumberRow[];
    byHour: HourRow[];
  };
  /** Recoveries of the cohort by day of recovery (sums to headline.recoveredAmount). */
  timeline: TimelineDay[];
  feed: FeedRow[];
}
