/**
 * The like-for-like lift in the `Report` (report.measurement), computed by measurement.ts.
 * Money in integer minor units by currency; rates and differences as fractions.
 */
import type { Amounts, Interval } from './types.js';

/** One arm of the lift over a set of cohorts. Cases are all final (mature) unless said otherwise. */
export interface CohortArm {
  cases: number;
  recovered: number;
  /** recovered / cases. */
  rate: number | null;
  amountDue: Amounts;
  recoveredAmount: Amounts;
  /** Recovered revenue per 100 failed invoices of that currency (minor units). */
  revenuePer100: Amounts;
  /** Retries by recover or Stripe on these cases (what the card networks count). */
  retries: number;
  attemptsPerCase: number | null;
  attemptsPerRecovery: number | null;
}

export interface RevenueLift {
  currency: string;
  treatmentCases: number;
  controlCases: number;
  /** Recovered per failed invoice, treatment − control (minor units, fractional). */
  perCase: number;
  /** Anytime-valid interval of `perCase`; null below the minimum per arm. */
  perCaseCs: Interval | null;
  /** perCase × 100. */
  per100: number;
  /** perCase × treatment cases, rounded: the revenue the lift accounts for, with its interval. */
  accountsFor: number;
  accountsForCs: Interval | null;
}

export interface PopulationLift {
  population: 'new' | 'backlog';
  /** measured: both arms have minResolvedPerArm final cases; in_progress: not yet; no_control. */
  status: 'measured' | 'in_progress' | 'no_control';
  /** Cohorts (UTC days of first failure) whose every case, in both arms, had a final outcome. */
  matureDays: number;
  treatment: CohortArm;
  control: CohortArm;
  /** treatment.rate − control.rate over mature cohorts; null unless measured. */
  difference: number | null;
  /** Anytime-valid 95% confidence sequence (normal mixture): valid however often one looks. */
  anytime: Interval | null;
  /** Fixed-horizon 95% Newcombe interval: valid for one look decided in advance only. */
  newcombe: Interval | null;
  /** 'recover' / 'baseline' when the anytime interval excludes 0 on that side; null otherwise. */
  winner: 'recover' | 'baseline' | null;
  revenue: RevenueLift[];
  /** Cohorts with cases still open: current (not final) figures. */
  inProgress: { days: number; treatment: CohortArm; control: CohortArm };
}

export interface SampleSizeEstimate {
  /** The lift (fraction) the estimate is for: --effect, else the one measured (≥ 1 pp), else 5 pp. */
  effect: number;
  /** Final new cases (both arms) at which the anytime interval excludes 0 with 80% power. */
  casesNeeded: number | null;
  casesNow: number;
  /** New cases entering dunning per day (both arms), over the last 30 days. */
  perDay: number | null;
  /** Days until that many cases are final at this volume; 0 = already enough. */
  daysMore: number | null;
}

export interface Measurement {
  asOf: number;
  asOfIso: string;
  /** When the arms were assigned (go-live) and where that moment comes from. */
  assignedAt: number | null;
  assignedAtIso: string | null;
  /** settings.armsAssignedAt; the first case's creation; the backlog's last failure; none. */
  assignedFrom: 'settings' | 'first_case' | 'backlog' | 'none';
  baselineLabel: string;
  dunningDays: number;
  baselineWindowDays: number;
  /** Set when the baseline's retry window differs from dunningDays. */
  windowNote: string | null;
  /** The currency of the headline money figures: --currency, else the one most recovered invoices are in. */
  mainCurrency: string | null;
  minResolvedPerArm: number;
  /** Cases that entered by webhook/reconciler after the arms were assigned: the headline. */
  headline: PopulationLift;
  /** Cases taken over from the backlog (or that failed before go-live): shown apart. */
  backlog: PopulationLift;
  sampleSize: SampleSizeEstimate | null;
  message: string;
}
