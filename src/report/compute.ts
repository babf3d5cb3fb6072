/**
 * Rows in, `Report` out: pure functions, no I/O, no clock. `readReportInput` (read.ts) gathers
 * the rows from the store; everything the report claims is derived here, so it can be tested
 * on hand-made rows as well as on a seeded database.
 *
 * Definitions (docs/report.md explains them to merchants):
 * - Cohort: cases that entered dunning (first failure) in [since, until).
 * - Resolved: recovered, lost (incl. active cases past their dunning deadline), hard-declined or
 *   closed. Recovery rate = recovered / resolved; cases still in dunning are shown apart.
 * - Retry: a finished charge attempt (succeeded or declined) by recover or Stripe after the
 *   failure that opened the case; attempt n = the n-th retry of the case. A recovery attributed
 *   to recover or Stripe with no succeeded retry on record (e.g. only `invoice.paid` was seen)
 *   counts one successful retry at the time of recovery.
 * - Lift: measured once both arms have MIN_RESOLVED_PER_ARM resolved cases; the difference of
 *   the arms' recovery rates with Newcombe's 95% interval; the revenue it accounts for is
 *   difference × amount due of the treatment arm's resolved cases, per currency.
 */
import { DateTime } from 'luxon';
import type { Arm, CaseGroupRow, HistoryBaselineRow, KeyedGroupRow, RecoveredBy, RecoveredCaseRow, RetryRow } from '../db/index.js';
import { classifyDecline, localParts, resolveTimezone } from '../policy/index.js';
import { computeMeasurement, type MeasurementInput } from './measurement.js';
import { addAmount, sortAmounts } from './money.js';
import { dayOf, isoIn } from './period.js';
import { median, newcombeDifference, ratio, wilson } from './stats.js';
import type {
  Amounts,
  ArmStats,
  AttemptNumberRow,
  AttributionRow,
  CapViolations,
  DeclineBreakdownRow,
  FeedRow,
  GroupBreakdownRow,
  Headline,
  HourRow,
  Lift,
  PreTakeoverBaseline,
  Report,
  TimelineDay,
} from './types.js';

/** Below this many resolved cases in either arm, the lift is "measurement in progress". */
export const MIN_RESOLVED_PER_ARM = 30;
export const DEFAULT_FEED_LIMIT = 10;

export interface ReportInput {
  now: number;
  since: number;
  until: number;
  /** Zone for days and for hours of customers whose zone is unknown. */
  timezone: string;
  account: string | null;
  /** settings.controlBaseline, or null before onboarding. */
  baseline: string | null;
  /** Whose own retries `recovered_by = 'stripe'` means: 'Stripe' (default) or 'Recharge' (a Recharge store's report). */
  platformName?: string;
  caseGroups: readonly CaseGroupRow[];
  declineGroups: readonly KeyedGroupRow[];
  brandGroups: readonly KeyedGroupRow[];
  /** Most recent recovery first. */
  recovered: Iterable<RecoveredCaseRow>;
  /** By case, then attempt number. */
  retries: Iterable<RetryRow>;
  capViolations: CapViolations;
  history: readonly HistoryBaselineRow[];
  feedLimit?: number;
  minResolvedPerArm?: number;
  /** The like-for-like measurement's rows and settings (measurement.ts); absent: nothing measured. */
  measurement?: Omit<MeasurementInput, 'asOf' | 'zone' | 'baselineLabel' | 'minResolvedPerArm' | 'baseline'>;
}

export const RECOVERED_BY_LABEL: Record<RecoveredBy, string> = {
  recover: 'our retry',
  customer: 'the customer (card update or other payment)',
  stripe: 'Stripe (its own retries)',
};
const HOW: Record<RecoveredBy, string> = { recover: 'our retry', customer: 'customer paid', stripe: 'Stripe retry' };

export function baselineLabel(baseline: string | null): string {
  if (baseline === null) return 'unknown (not onboarded)';
  if (baseline === 'stripe') return 'Stripe Smart Retries';
  if (baseline.startsWith('fixed:')) return `fixed schedule (${baseline.slice(6).split(',').join(', ')} days)`;
  return baseline;
}

const isResolved = (outcome: string) => outcome !== 'in_dunning';

/** Per-case retry facts gathered from the retry stream. */
interface CaseRetries {
  arm: Arm;
  resolved: boolean;
  count: number;
  /** Retries up to and including the first success; null if none succeeded. */
  successOrdinal: number | null;
  /** The succeeding attempt's number on the invoice (src/attempt-number.ts), for the feed. */
  successAttempt: number | null;
}

export function computeReport(input: ReportInput): Report {
  const zone = input.timezone;
  const minResolved = input.minResolvedPerArm ?? MIN_RESOLVED_PER_ARM;
  const recovered = [...input.recovered];
  const recoveredById = new Map(recovered.map((r) => [r.caseId, r]));

  // --- retries: attempt numbers, hours, per-case counts -------------------------------------
  const perCase = new Map<number, CaseRetries>();
  const byN: AttemptNumberRow[] = [];
  const byHour: HourRow[] = Array.from({ length: 24 }, (_, hour) => ({ hour, attempts: 0, successes: 0, rate: null }));
  const count = (n: number, at: number, tz: string | null, success: boolean) => {
    while (byN.length < n) byN.push({ n: byN.length + 1, attempts: 0, successes: 0, rate: null });
    byN[n - 1].attempts++;
    // localParts: luxon's zone data with memoised offsets (a DateTime per row is 10× slower).
    const h = byHour[localParts(resolveTimezone(tz ?? undefined, zone), at).hour];
    h.attempts++;
    if (success) {
      byN[n - 1].successes++;
      h.successes++;
    }
  };
  // Attempt numbers on the invoice (src/attempt-number.ts): the k-th retry of a case that opened
  // on Stripe's attempt m is attempt m + k (m = 1 unless Stripe had retried before recover).
  const first = (stripeAttemptCount: number | undefined) => Math.max(1, stripeAttemptCount ?? 1);
  for (const r of input.retries) {
    let c = perCase.get(r.caseId);
    if (!c) perCase.set(r.caseId, (c = { arm: r.arm, resolved: isResolved(r.caseOutcome), count: 0, successOrdinal: null, successAttempt: null }));
    c.count++;
    const success = r.outcome === 'succeeded';
    const no = c.count + first(r.stripeAttemptCount);
    if (success && c.successOrdinal === null) [c.successOrdinal, c.successAttempt] = [c.count, no];
    count(no, r.at, r.customerTimezone, success);
  }
  // A recovery by a retry always had a successful attempt, even if only invoice.paid recorded it.
  for (const r of recovered) {
    if (r.recoveredBy === 'customer') continue;
    let c = perCase.get(r.caseId);
    if (!c) perCase.set(r.caseId, (c = { arm: r.arm, resolved: true, count: 0, successOrdinal: null, successAttempt: null }));
    if (c.successOrdinal !== null) continue;
    c.count++;
    c.successOrdinal = c.count;
    c.successAttempt = c.count + first(r.stripeAttemptCount);
    count(c.successAttempt, r.recoveredAt, r.customerTimezone, true);
  }
  // Attempt 1 (the first payment) is never a retry: the breakdown starts at the first retried number.
  while (byN.length && byN[0].attempts === 0) byN.shift();
  for (const row of [...byN, ...byHour]) row.rate = ratio(row.successes, row.attempts);

  // Retries per arm: on recovered invoices (up to the success), and on all resolved cases.
  const retryTotals = { treatment: { onRecovered: 0, onResolved: 0, all: 0 }, control: { onRecovered: 0, onResolved: 0, all: 0 } };
  for (const [caseId, c] of perCase) {
    const t = retryTotals[c.arm];
    t.all += c.count;
    if (c.resolved) t.onResolved += c.count;
    if (recoveredById.has(caseId)) t.onRecovered += c.successOrdinal ?? c.count;
  }

  // --- headline, attribution, arms ----------------------------------------------------------
  const headline = buildHeadline(input.caseGroups, recovered, retryTotals, input.capViolations);
  const attribution = buildAttribution(input.caseGroups, headline.recovered, input.platformName);
  const lift = buildLift(input, minResolved, retryTotals);

  // --- feed and timeline --------------------------------------------------------------------
  const feed: FeedRow[] = recovered.slice(0, input.feedLimit ?? DEFAULT_FEED_LIMIT).map((r) => ({
    at: r.recoveredAt,
    atIso: isoIn(r.recoveredAt, zone),
    accountId: r.accountId,
    invoiceId: r.invoiceId,
    customerId: r.customerId,
    amount: r.recoveredAmount,
    currency: r.currency,
    attempt: r.recoveredBy === 'customer' ? null : (perCase.get(r.caseId)?.successAttempt ?? null),
    by: r.recoveredBy,
    how: r.recoveredBy === 'stripe' && input.platformName ? `${input.platformName} retry` : HOW[r.recoveredBy],
    arm: r.arm,
  }));

  return {
    version: 1,
    generatedAt: input.now,
    generatedAtIso: isoIn(input.now, zone),
    period: { since: input.since, until: input.until, sinceIso: isoIn(input.since, zone), untilIso: isoIn(input.until, zone), timezone: zone },
    account: input.account,
    headline,
    attribution,
    lift,
    measurement: computeMeasurement({
      rows: [],
      assignedAt: null,
      assignedFrom: 'none',
      dunningDays: 30,
      baselineWindowDays: 14,
      controlShare: 0.1,
      ...input.measurement,
      asOf: input.now,
      zone,
      baseline: input.baseline,
      baselineLabel: baselineLabel(input.baseline),
      minResolvedPerArm: minResolved,
    }),
    preTakeover: buildPreTakeover(input.history, zone),
    breakdowns: {
      byDeclineCode: keyedBreakdown(input.declineGroups).map((r) => ({ ...r, category: classifyDecline({ declineCode: r.key === 'unknown' ? undefined : r.key }).category }) satisfies DeclineBreakdownRow),
      byCardBrand: keyedBreakdown(input.brandGroups),
      byAttemptNumber: byN,
      byHour,
    },
    timeline: buildTimeline(recovered, input.since, input.until, zone),
    feed,
  };
}

type RetryTotals = Record<Arm, { onRecovered: number; onResolved: number; all: number }>;

function buildHeadline(groups: readonly CaseGroupRow[], recovered: RecoveredCaseRow[], retries: RetryTotals, caps: CapViolations): Headline {
  const h: Headline = {
    entered: 0,
    enteredAmount: {},
    recovered: 0,
    recoveredAmount: {},
    resolved: 0,
    recoveryRate: null,
    lost: 0,
    lostAmount: {},
    lostPendingClose: 0,
    hardDeclined: 0,
    closed: 0,
    inDunning: 0,
    inDunningAmount: {},
    inDunningByStatus: {},
    medianTimeToRecoverMs: median(recovered.map((r) => r.recoveredAt - r.firstFailedAt)),
    attemptsPerRecovered: null,
    retriesPerRecovery: null,
    networkCapViolations: caps,
  };
  for (const g of groups) {
    h.entered += g.cases;
    addAmount(h.enteredAmount, g.currency, g.amountDue);
    switch (g.outcome) {
      case 'recovered':
        h.recovered += g.cases;
        addAmount(h.recoveredAmount, g.currency, g.recoveredAmount);
        break;
      case 'overdue': // dunning is over and the invoice was not paid: lost, not yet closed by the daemon
      case 'lost':
        if (g.outcome === 'overdue') h.lostPendingClose += g.cases;
        h.lost += g.cases;
        addAmount(h.lostAmount, g.currency, g.amountDue);
        break;
      case 'hard_declined':
        h.hardDeclined += g.cases;
        break;
      case 'closed':
        h.closed += g.cases;
        break;
      case 'in_dunning':
        h.inDunning += g.cases;
        addAmount(h.inDunningAmount, g.currency, g.amountDue);
        h.inDunningByStatus[g.status] = (h.inDunningByStatus[g.status] ?? 0) + g.cases;
        break;
    }
  }
  h.resolved = h.entered - h.inDunning;
  h.recoveryRate = ratio(h.recovered, h.resolved);
  h.attemptsPerRecovered = ratio(retries.treatment.onRecovered + retries.control.onRecovered, h.recovered);
  h.retriesPerRecovery = ratio(retries.treatment.onResolved + retries.control.onResolved, h.recovered);
  h.enteredAmount = sortAmounts(h.enteredAmount);
  h.recoveredAmount = sortAmounts(h.recoveredAmount);
  h.lostAmount = sortAmounts(h.lostAmount);
  h.inDunningAmount = sortAmounts(h.inDunningAmount);
  return h;
}

function buildAttribution(groups: readonly CaseGroupRow[], recovered: number, platformName?: string): AttributionRow[] {
  const label = (by: RecoveredBy) =>
    by === 'stripe' && platformName ? `${platformName} (its own retries)` : RECOVERED_BY_LABEL[by];
  const rows = (['recover', 'customer', 'stripe'] as const).map((by) => ({ by, label: label(by), count: 0, share: null as number | null, amount: {} as Amounts }));
  for (const g of groups) {
    if (g.outcome !== 'recovered' || !g.recoveredBy) continue;
    const row = rows.find((r) => r.by === g.recoveredBy)!;
    row.count += g.cases;
    addAmount(row.amount, g.currency, g.recoveredAmount);
  }
  for (const r of rows) {
    r.share = ratio(r.count, recovered);
    r.amount = sortAmounts(r.amount);
  }
  return rows;
}

function armStats(arm: Arm, groups: readonly CaseGroupRow[], retries: RetryTotals): ArmStats {
  const s: ArmStats = {
    arm,
    entered: 0,
    resolved: 0,
    recovered: 0,
    notRecovered: 0,
    inDunning: 0,
    rate: null,
    ci95: null,
    recoveredAmount: {},
    resolvedAmount: {},
    retries: retries[arm].onResolved,
    attemptsPerRecovered: null,
    retriesPerRecovery: null,
  };
  for (const g of groups) {
    if (g.arm !== arm) continue;
    s.entered += g.cases;
    if (g.outcome === 'in_dunning') {
      s.inDunning += g.cases;
      continue;
    }
    s.resolved += g.cases;
    addAmount(s.resolvedAmount, g.currency, g.amountDue);
    if (g.outcome === 'recovered') {
      s.recovered += g.cases;
      addAmount(s.recoveredAmount, g.currency, g.recoveredAmount);
    }
  }
  s.notRecovered = s.resolved - s.recovered;
  s.rate = ratio(s.recovered, s.resolved);
  s.ci95 = wilson(s.recovered, s.resolved);
  s.recoveredAmount = sortAmounts(s.recoveredAmount);
  s.resolvedAmount = sortAmounts(s.resolvedAmount);
  s.attemptsPerRecovered = ratio(retries[arm].onRecovered, s.recovered);
  s.retriesPerRecovery = ratio(retries[arm].onResolved, s.recovered);
  return s;
}

const pp = (x: number) => `${(x * 100).toFixed(1)} pp`;

function buildLift(input: ReportInput, minResolved: number, retries: RetryTotals): Lift {
  const treatment = armStats('treatment', input.caseGroups, retries);
  const control = armStats('control', input.caseGroups, retries);
  const base = {
    baseline: input.baseline,
    baselineLabel: baselineLabel(input.baseline),
    treatment,
    control,
    minResolvedPerArm: minResolved,
    difference: null,
    ci95: null,
    significant: null,
    revenue: null,
  };
  if (control.entered === 0) {
    return {
      ...base,
      status: 'no_control',
      needed: { treatment: Math.max(0, minResolved - treatment.resolved), control: minResolved },
      message: 'no control cases in this period: the lift cannot be measured (is the control share 0?)',
    };
  }
  if (control.resolved < minResolved || treatment.resolved < minResolved) {
    const needed = { treatment: Math.max(0, minResolved - treatment.resolved), control: Math.max(0, minResolved - control.resolved) };
    const parts: string[] = [];
    if (needed.control > 0) parts.push(`${needed.control} more resolved control case${needed.control === 1 ? '' : 's'} (${control.resolved} of ${minResolved}; ${control.inDunning} still in dunning)`);
    if (needed.treatment > 0) parts.push(`${needed.treatment} more resolved treatment case${needed.treatment === 1 ? '' : 's'} (${treatment.resolved} of ${minResolved}; ${treatment.inDunning} still in dunning)`);
    return { ...base, status: 'in_progress', needed, message: `measurement in progress: needs ${parts.join(' and ')}` };
  }
  const est = newcombeDifference(treatment.recovered, treatment.resolved, control.recovered, control.resolved)!;
  const significant = est.ci.low > 0 || est.ci.high < 0;
  const revenue = Object.keys(treatment.resolvedAmount).sort().map((currency) => {
    const atStake = treatment.resolvedAmount[currency];
    return { currency, atStake, lift: Math.round(est.difference * atStake), low: Math.round(est.ci.low * atStake), high: Math.round(est.ci.high * atStake) };
  });
  const direction = est.difference >= 0 ? 'more' : 'less';
  const message =
    `treatment recovers ${pp(Math.abs(est.difference))} ${direction} than control (${baselineLabel(input.baseline)}), ` +
    `95% CI ${pp(est.ci.low)} to ${pp(est.ci.high)}` +
    (significant ? '' : ': not significant yet (the interval includes 0)');
  return { ...base, status: 'measured', difference: est.difference, ci95: est.ci, significant, revenue, needed: null, message };
}

function keyedBreakdown(groups: readonly KeyedGroupRow[]): GroupBreakdownRow[] {
  const rows = new Map<string, GroupBreakdownRow>();
  for (const g of groups) {
    let r = rows.get(g.key);
    if (!r) rows.set(g.key, (r = { key: g.key, cases: 0, resolved: 0, recovered: 0, inDunning: 0, rate: null, recoveredAmount: {} }));
    r.cases += g.cases;
    if (g.outcome === 'in_dunning') r.inDunning += g.cases;
    else r.resolved += g.cases;
    if (g.outcome === 'recovered') {
      r.recovered += g.cases;
      addAmount(r.recoveredAmount, g.currency, g.recoveredAmount);
    }
  }
  const out = [...rows.values()];
  for (const r of out) {
    r.rate = ratio(r.recovered, r.resolved);
    r.recoveredAmount = sortAmounts(r.recoveredAmount);
  }
  return out.sort((a, b) => b.cases - a.cases || a.key.localeCompare(b.key));
}

function buildPreTakeover(rows: readonly HistoryBaselineRow[], zone: string): PreTakeoverBaseline | null {
  if (rows.length === 0) return null;
  let invoices = 0;
  let rec = 0;
  let retries = 0;
  let takenOver = 0;
  let from = Infinity;
  let to = -Infinity;
  const amount: Amounts = {};
  for (const r of rows) {
    invoices += r.invoices;
    rec += r.recovered;
    retries += r.retriesOnRecovered;
    takenOver += r.takenOver;
    if (r.firstFailureFrom !== null) from = Math.min(from, r.firstFailureFrom);
    if (r.firstFailureTo !== null) to = Math.max(to, r.firstFailureTo);
    addAmount(amount, r.currency, r.recoveredAmount);
  }
  if (invoices === 0) return null; // only invoices still failing at takeover: no resolved baseline
  return {
    from,
    to,
    fromIso: isoIn(from, zone),
    toIso: isoIn(to, zone),
    invoices,
    recovered: rec,
    rate: ratio(rec, invoices),
    ci95: wilson(rec, invoices),
    recoveredAmount: sortAmounts(amount),
    attemptsPerRecovered: ratio(retries, rec),
    takenOver,
  };
}

/** Every day from the period's first day to its last (or the last recovery, if later). */
function buildTimeline(recovered: RecoveredCaseRow[], since: number, until: number, zone: string): TimelineDay[] {
  const byDay = new Map<string, TimelineDay>();
  let last = until - 1;
  for (const r of recovered) last = Math.max(last, r.recoveredAt);
  let d = DateTime.fromMillis(since, { zone }).startOf('day');
  const end = dayOf(last, zone);
  const days: TimelineDay[] = [];
  for (let i = 0; i < 3700; i++) {
    const key = d.toFormat('yyyy-MM-dd');
    const day = { day: key, recovered: 0, amount: {} };
    days.push(day);
    byDay.set(key, day);
    if (key >= end) break;
    d = d.plus({ days: 1 });
  }
  for (const r of recovered) {
    const p = localParts(zone, r.recoveredAt);
    const day = byDay.get(`${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`);
    if (!day) continue;
    day.recovered++;
    addAmount(day.amount, r.currency, r.recoveredAmount);
  }
  for (const day of days) day.amount = sortAmounts(day.amount);
  return days;
}
