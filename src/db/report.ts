/**
 * Read-only queries behind `recover report`. The report's population is a cohort: the cases
 * that entered dunning (first_failed_at) in [since, until), optionally of one account. Counts
 * and sums are aggregated here in SQL (by arm, outcome, attribution, currency, decline code,
 * card brand); what needs per-row logic (attempt numbering, local hours, medians, network-cap
 * windows) is streamed in a fixed order and computed by the pure functions in src/report/.
 *
 * A case's outcome at `now`: its terminal status if it has one; an active case whose dunning
 * deadline has passed is `overdue` (dunning is over; the report counts it as not recovered);
 * any other active case is `in_dunning` (still inside its window: shown apart, never as lost).
 */
import type { Db } from './columns.js';
import type { Arm, AttemptBy, CaseStatus, RecoveredBy } from './types.js';

/** The cohort: cases that entered dunning in [since, until). */
export interface ReportWindow {
  since: number;
  until: number;
  accountId?: string | null;
  /** One platform's cases (`stripe`, `recharge`, `api`); null = every platform. */
  platform?: string | null;
}

export const CASE_OUTCOMES = ['recovered', 'lost', 'overdue', 'hard_declined', 'closed', 'in_dunning'] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

/** Cases of the cohort grouped by (arm, status, outcome, recovered_by, currency). */
export interface CaseGroupRow {
  arm: Arm;
  status: CaseStatus;
  outcome: CaseOutcome;
  recoveredBy: RecoveredBy | null;
  currency: string;
  cases: number;
  /** Sum of amount_due (minor units). */
  amountDue: number;
  /** Sum of recovered_amount (minor units; 0 unless recovered). */
  recoveredAmount: number;
}

/** Cases grouped by a key (decline code, card brand), outcome and currency. */
export interface KeyedGroupRow {
  key: string;
  outcome: CaseOutcome;
  currency: string;
  cases: number;
  recoveredAmount: number;
}

export interface RecoveredCaseRow {
  caseId: number;
  accountId: string;
  invoiceId: string;
  customerId: string;
  arm: Arm;
  currency: string;
  firstFailedAt: number;
  recoveredAt: number;
  recoveredBy: RecoveredBy;
  recoveredAmount: number;
  customerTimezone: string | null;
  /** Stripe's attempt_count when the case opened (see src/attempt-number.ts). */
  stripeAttemptCount: number;
}

/**
 * A finished charge attempt (succeeded or declined) made by recover or by Stripe on a cohort
 * case, other than the failure that opened the case (attempt 1 made by Stripe and declined,
 * which intake records). Customer payments are not retries and are not listed.
 */
export interface RetryRow {
  caseId: number;
  arm: Arm;
  n: number;
  by: Exclude<AttemptBy, 'customer'>;
  outcome: 'succeeded' | 'declined';
  at: number;
  customerTimezone: string | null;
  /** The case's outcome at `now`. */
  caseOutcome: CaseOutcome;
  /** Stripe's attempt_count when the case opened (see src/attempt-number.ts). */
  stripeAttemptCount: number;
}

/** A finished charge attempt with the card it used, for the network-cap audit. */
export interface CardAttemptRow {
  attemptId: number;
  caseId: number;
  by: AttemptBy;
  at: number;
  outcome: 'succeeded' | 'declined';
  amount: number;
  currency: string;
  fingerprint: string;
  brand: string | null;
  declineCode: string | null;
  adviceCode: string | null;
  networkAdviceCode: string | null;
  networkDeclineCode: string | null;
}

/** Pre-takeover invoices (from `takeover --history`) grouped by currency. */
export interface HistoryBaselineRow {
  currency: string;
  /** Invoices with at least one failed charge, resolved before takeover. */
  invoices: number;
  /** Of which a later charge succeeded. */
  recovered: number;
  recoveredAmount: number;
  /** Charges after the first failure on the recovered invoices (the success included). */
  retriesOnRecovered: number;
  /** Invoices still open at takeover (they are cases now), left out of the rate. */
  takenOver: number;
  /** First failure of the earliest / latest invoice counted (null if none is counted). */
  firstFailureFrom: number | null;
  firstFailureTo: number | null;
}

/** Cases that entered after the arms were assigned (webhook or reconciler) vs the takeover backlog. */
export type Population = 'new' | 'backlog';

/** The lift's cases grouped by (population, UTC day of first failure, arm, outcome, currency). */
export interface LiftGroupRow {
  population: Population;
  /** floor(first_failed_at / 86,400,000): the UTC day the case entered dunning. */
  day: number;
  arm: Arm;
  outcome: CaseOutcome;
  currency: string;
  cases: number;
  amountDue: number;
  recoveredAmount: number;
  /** Sum of squared recovered amounts (minor units²): the variance of revenue per case. */
  recoveredAmountSq: number;
  /** Retries (by recover or Stripe, after the opening failure) finished by `now`. */
  retries: number;
}

export interface LiftWindow {
  since: number;
  until: number;
  accountId?: string | null;
  platform?: string | null;
  /** When the arms were assigned (go-live): a case is `new` if it entered by webhook/reconciler at or after it. */
  assignedAt: number;
}

export interface ReportRepo {
  liftGroups(w: LiftWindow, now: number): LiftGroupRow[];
  /** created_at of the first case imported or received (the moment arms were first assigned), or null. */
  firstCaseCreatedAt(accountId?: string | null): number | null;
  /** The latest first failure among taken-over cases (the backlog ends before the takeover), or null. */
  lastBacklogFailureAt(accountId?: string | null): number | null;
  caseGroups(w: ReportWindow, now: number): CaseGroupRow[];
  /** Keyed by the decline that opened the case (else the case's last decline), or `unknown`. */
  declineCodeGroups(w: ReportWindow, now: number): KeyedGroupRow[];
  /** Keyed by card brand, or `unknown`. */
  cardBrandGroups(w: ReportWindow, now: number): KeyedGroupRow[];
  /** Recovered cases of the cohort (recovered by `now`), most recent recovery first. */
  recoveredCases(w: ReportWindow, now: number): IterableIterator<RecoveredCaseRow>;
  /** Retries on cohort cases, by case then attempt number. */
  retries(w: ReportWindow, now: number): IterableIterator<RetryRow>;
  /**
   * Charge attempts finished in [from, until) on a known card, by card then time. Only cases
   * that entered dunning at or after `enteredSince` are read (an attempt happens within its
   * case's dunning window, which is at most 120 days long).
   */
  cardAttempts(from: number, until: number, enteredSince: number, accountId?: string | null): IterableIterator<CardAttemptRow>;
  /** Empty when no history was imported. */
  historyBaseline(accountId?: string | null): HistoryBaselineRow[];
  /**
   * Runs fn in one deferred (read) transaction: every query inside sees the same snapshot, and
   * in WAL mode the daemon's writes are not blocked meanwhile. fn must be synchronous.
   */
  snapshot<T>(fn: () => T): T;
}

type W = { since: number; until: number; accountId: string | null; platform: string | null; now: number };

const COHORT = `c.first_failed_at >= :since AND c.first_failed_at < :until AND (:accountId IS NULL OR c.account_id = :accountId)
  AND (:platform IS NULL OR c.platform = :platform)`;
/**
 * The outcome as of :now (the report's clock, or --as-of): a case that ended after :now was
 * still open then, so a past day's report is reproduced from today's rows.
 */
const ENDED = `(c.ended_at IS NOT NULL AND c.ended_at <= :now)`;
const OUTCOME = `CASE
    WHEN ${ENDED} AND c.status = 'recovered' THEN 'recovered'
    WHEN ${ENDED} AND c.status IN ('lost', 'hard_declined', 'closed') THEN c.status
    WHEN c.dunning_deadline <= :now THEN 'overdue'
    ELSE 'in_dunning' END`;
const RECOVERED_AMOUNT = `(CASE WHEN ${ENDED} AND c.status = 'recovered' THEN c.recovered_amount ELSE 0 END)`;
/** Status as of :now: a case that ended later was still being worked (its status then is not kept). */
const STATUS = `(CASE WHEN ${ENDED} OR c.ended_at IS NULL THEN c.status ELSE 'in_dunning' END)`;
/** The attempt that opened the case, as intake records it. */
const OPENING = `o.n = 1 AND o.made_by = 'stripe' AND o.outcome = 'declined'`;

export function createReportRepo(db: Db): ReportRepo {
  const caseGroups = db.prepare<W, CaseGroupRow>(
    `SELECT c.arm AS arm, ${STATUS} AS status, ${OUTCOME} AS outcome,
       CASE WHEN ${ENDED} THEN c.recovered_by END AS recoveredBy, c.currency AS currency,
       count(*) AS cases, total(c.amount_due) AS amountDue, total(${RECOVERED_AMOUNT}) AS recoveredAmount
     FROM cases c WHERE ${COHORT}
     GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
  );
  const declineGroups = db.prepare<W, KeyedGroupRow>(
    `SELECT coalesce(nullif(o.decline_code, ''), nullif(c.last_decline_code, ''), 'unknown') AS key, ${OUTCOME} AS outcome,
       c.currency AS currency, count(*) AS cases, total(${RECOVERED_AMOUNT}) AS recoveredAmount
     FROM cases c LEFT JOIN attempts o ON o.case_id = c.id AND ${OPENING}
     WHERE ${COHORT}
     GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  );
  const brandGroups = db.prepare<W, KeyedGroupRow>(
    `SELECT coalesce(nullif(lower(c.card_brand), ''), 'unknown') AS key, ${OUTCOME} AS outcome,
       c.currency AS currency, count(*) AS cases, total(${RECOVERED_AMOUNT}) AS recoveredAmount
     FROM cases c WHERE ${COHORT}
     GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  );
  const recovered = db.prepare<W, RecoveredCaseRow>(
    `SELECT c.id AS caseId, c.account_id AS accountId, c.invoice_id AS invoiceId, c.customer_id AS customerId, c.arm AS arm,
       c.currency AS currency, c.first_failed_at AS firstFailedAt, c.recovered_at AS recoveredAt, c.recovered_by AS recoveredBy,
       c.recovered_amount AS recoveredAmount, c.customer_timezone AS customerTimezone, c.stripe_attempt_count AS stripeAttemptCount
     FROM cases c WHERE ${COHORT} AND c.status = 'recovered' AND c.recovered_at <= :now
     ORDER BY c.recovered_at DESC, c.id DESC`,
  );
  const retries = db.prepare<W, RetryRow>(
    `SELECT c.id AS caseId, c.arm AS arm, o.n AS n, o.made_by AS by, o.outcome AS outcome, o.finished_at AS at,
       c.customer_timezone AS customerTimezone, ${OUTCOME} AS caseOutcome, c.stripe_attempt_count AS stripeAttemptCount
     FROM cases c JOIN attempts o ON o.case_id = c.id
     WHERE ${COHORT} AND o.outcome IN ('succeeded', 'declined') AND o.made_by IN ('recover', 'stripe') AND NOT (${OPENING})
       AND o.finished_at <= :now
     ORDER BY c.id, o.n`,
  );
  const cardAttempts = db.prepare<{ from: number; until: number; enteredSince: number; accountId: string | null }, CardAttemptRow>(
    `SELECT * FROM (
       SELECT a.id AS attemptId, c.id AS caseId, a.made_by AS by, a.finished_at AS at, a.outcome AS outcome,
         coalesce(a.amount, c.amount_due) AS amount, coalesce(a.currency, c.currency) AS currency,
         -- No fingerprint (Recharge never exposes one): the case is the card, as the policy counts it there.
         coalesce(k1.fingerprint, k2.fingerprint, c.card_fingerprint, 'case:' || c.id) AS fingerprint,
         coalesce(nullif(lower(d.brand), ''), nullif(lower(c.card_brand), '')) AS brand,
         a.decline_code AS declineCode, a.advice_code AS adviceCode,
         a.network_advice_code AS networkAdviceCode, a.network_decline_code AS networkDeclineCode
       FROM cases c
       JOIN attempts a ON a.case_id = c.id
       LEFT JOIN card_attempts k1 ON k1.attempt_id = a.id
       LEFT JOIN card_attempts k2 ON k1.id IS NULL AND a.charge_id IS NOT NULL AND k2.charge_id = a.charge_id
       LEFT JOIN cards d ON d.fingerprint = coalesce(k1.fingerprint, k2.fingerprint, c.card_fingerprint)
       WHERE c.first_failed_at >= :enteredSince AND c.first_failed_at < :until
         AND (:accountId IS NULL OR c.account_id = :accountId)
         AND a.outcome IN ('succeeded', 'declined') AND a.finished_at >= :from AND a.finished_at < :until)
     WHERE fingerprint IS NOT NULL
     ORDER BY fingerprint, at, attemptId`,
  );
  const history = db.prepare<{ accountId: string | null }, HistoryBaselineRow>(
    `WITH inv AS (
       SELECT h.account_id, h.invoice_id, max(h.currency) AS currency, count(*) AS charges,
         min(CASE WHEN h.status = 'failed' THEN h.created END) AS firstFailed,
         max(CASE WHEN h.status = 'succeeded' THEN h.created END) AS paidAt,
         total(CASE WHEN h.status = 'succeeded' THEN h.amount ELSE 0 END) AS paidAmount,
         EXISTS (SELECT 1 FROM cases c WHERE c.invoice_id = h.invoice_id AND c.account_id = h.account_id) AS takenOver
       FROM history_charges h
       WHERE h.invoice_id IS NOT NULL AND (:accountId IS NULL OR h.account_id = :accountId)
       GROUP BY h.account_id, h.invoice_id)
     SELECT currency,
       total(NOT takenOver) AS invoices,
       total(NOT takenOver AND paidAt > firstFailed) AS recovered,
       total(CASE WHEN NOT takenOver AND paidAt > firstFailed THEN paidAmount ELSE 0 END) AS recoveredAmount,
       total(CASE WHEN NOT takenOver AND paidAt > firstFailed THEN charges - 1 ELSE 0 END) AS retriesOnRecovered,
       total(takenOver) AS takenOver,
       min(CASE WHEN NOT takenOver THEN firstFailed END) AS firstFailureFrom, max(CASE WHEN NOT takenOver THEN firstFailed END) AS firstFailureTo
     FROM inv WHERE firstFailed IS NOT NULL
     GROUP BY currency ORDER BY currency`,
  );

  const liftGroups = db.prepare<W & { assignedAt: number }, LiftGroupRow>(
    `SELECT CASE WHEN c.source IN ('webhook', 'reconciler') AND c.first_failed_at >= :assignedAt
         THEN 'new' ELSE 'backlog' END AS population,
       c.first_failed_at / 86400000 AS day, c.arm AS arm, ${OUTCOME} AS outcome, c.currency AS currency,
       count(*) AS cases,
       total(c.amount_due) AS amountDue, total(${RECOVERED_AMOUNT}) AS recoveredAmount,
       total(${RECOVERED_AMOUNT} * ${RECOVERED_AMOUNT}) AS recoveredAmountSq,
       total((SELECT count(*) FROM attempts o WHERE o.case_id = c.id AND o.outcome IN ('succeeded', 'declined')
         AND o.made_by IN ('recover', 'stripe') AND NOT (${OPENING}) AND o.finished_at <= :now)) AS retries
     FROM cases c WHERE ${COHORT} AND c.first_failed_at <= :now
     GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
  );
  const firstCase = db.prepare<{ accountId: string | null }, { at: number | null }>(
    `SELECT min(created_at) AS at FROM cases WHERE (:accountId IS NULL OR account_id = :accountId)`,
  );

  const lastBacklog = db.prepare<{ accountId: string | null }, { at: number | null }>(
    `SELECT max(first_failed_at) AS at FROM cases
     WHERE source = 'takeover' AND (:accountId IS NULL OR account_id = :accountId)`,
  );

  const w = (x: ReportWindow) => ({ since: x.since, until: x.until, accountId: x.accountId ?? null, platform: x.platform ?? null });
  // total() returns a float; counts and minor-unit sums are integers.
  const ints = <T extends object>(row: T, keys: (keyof T)[]): T => {
    for (const k of keys) (row as Record<keyof T, unknown>)[k] = Math.round(row[k] as number);
    return row;
  };
  return {
    liftGroups: (x, now) =>
      liftGroups
        .all({ ...w(x), now, assignedAt: x.assignedAt })
        .map((r) => ints(r, ['amountDue', 'recoveredAmount', 'retries'])),
    firstCaseCreatedAt: (accountId) => firstCase.get({ accountId: accountId ?? null })?.at ?? null,
    lastBacklogFailureAt: (accountId) => lastBacklog.get({ accountId: accountId ?? null })?.at ?? null,
    caseGroups: (x, now) => caseGroups.all({ ...w(x), now }).map((r) => ints(r, ['amountDue', 'recoveredAmount'])),
    declineCodeGroups: (x, now) => declineGroups.all({ ...w(x), now }).map((r) => ints(r, ['recoveredAmount'])),
    cardBrandGroups: (x, now) => brandGroups.all({ ...w(x), now }).map((r) => ints(r, ['recoveredAmount'])),
    recoveredCases: (x, now) => recovered.iterate({ ...w(x), now }),
    retries: (x, now) => retries.iterate({ ...w(x), now }),
    cardAttempts: (from, until, enteredSince, accountId) => cardAttempts.iterate({ from, until, enteredSince, accountId: accountId ?? null }),
    historyBaseline: (accountId) =>
      history
        .all({ accountId: accountId ?? null })
        .map((r) => ints(r, ['invoices', 'recovered', 'recoveredAmount', 'retriesOnRecovered', 'takenOver']))
        .filter((r) => r.invoices > 0 || r.takenOver > 0),
    snapshot: <T>(fn: () => T): T => db.transaction(fn).deferred(),
  };
}
