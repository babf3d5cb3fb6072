/**
 * Reads what the report needs from the store and computes it: `buildReport(store, options)`.
 * The only impure part of src/report/ (it queries SQLite); `recover demo` calls it too.
 */
import { DAY_MS } from '../clock.js';
import type { Store } from '../db/index.js';
import { isValidTimezone } from '../policy/local-time.js';
import { auditNetworkCaps } from './caps.js';
import { computeReport, type ReportInput } from './compute.js';
import { resolvePeriod } from './period.js';
import type { Measurement } from './measurement-types.js';
import type { Report } from './types.js';
import { summarizePlatform } from './platforms.js';

/** Longest dunning window settings allow (days), plus margin: how far back a case's attempts can reach. */
const MAX_CASE_SPAN_MS = 180 * DAY_MS;
const CAP_WINDOW_MS = 30 * DAY_MS;

export interface BuildReportOptions {
  /** "now" (the report's clock). */
  now: number;
  /** --since / --until as typed (see period.ts); or give `period` directly. */
  since?: string;
  until?: string;
  period?: { since: number; until: number };
  account?: string | null;
  /** One platform's cases only (`recover report --platform`); else all, with each apart in `platforms`. */
  platform?: string | null;
  feedLimit?: number;
  minResolvedPerArm?: number;
  /** The currency of the headline money figures (--currency); else the one most recoveries are in. */
  currency?: string | null;
  /** The lift (fraction) the "days more" estimate is for (--effect). */
  effect?: number;
}

export function readReportInput(store: Store, opts: BuildReportOptions): ReportInput {
  const settings = store.settings.get();
  const timezone = isValidTimezone(settings?.defaultTimezone) ? settings!.defaultTimezone : 'UTC';
  const { since, until } = opts.period ?? resolvePeriod({ since: opts.since, until: opts.until, now: opts.now, timezone });
  const account = opts.account ?? null;
  const platform = opts.platform ?? null;
  const w = { since, until, accountId: account, platform };
  const r = store.report;
  const accounts = store.accounts.list();
  const onlyRecharge = accounts.length > 0 && accounts.every((a) => a.platform === 'recharge');
  const rechargeBaseline = platform === 'recharge' || (platform === null && onlyRecharge);
  const capViolations = auditNetworkCaps(r.cardAttempts(since - CAP_WINDOW_MS, until, since - CAP_WINDOW_MS - MAX_CASE_SPAN_MS, account), since, until);
  return {
    now: opts.now,
    since,
    until,
    timezone,
    account,
    // A Recharge store's control arm runs its own fixed schedule (settings.recharge.controlBaseline).
    baseline: (rechargeBaseline ? settings?.recharge?.controlBaseline : settings?.controlBaseline) ?? null,
    ...(rechargeBaseline ? { platformName: 'Recharge' } : {}),
    caseGroups: r.caseGroups(w, opts.now),
    declineGroups: r.declineCodeGroups(w, opts.now),
    brandGroups: r.cardBrandGroups(w, opts.now),
    // Lazy: a better-sqlite3 iterator holds the connection until it is drained, so each
    // statement runs only when computeReport gets to it.
    recovered: { [Symbol.iterator]: () => r.recoveredCases(w, opts.now) },
    retries: { [Symbol.iterator]: () => r.retries(w, opts.now) },
    capViolations,
    history: r.historyBaseline(account),
    feedLimit: opts.feedLimit,
    minResolvedPerArm: opts.minResolvedPerArm,
    measurement: readMeasurement(store, opts, opts.period || opts.since !== undefined ? since : 0, until, account, platform),
  };
}

/**
 * The measurement's rows: every cohort up to `until` (from --since only when it was given: the
 * experiment runs since go-live, not for the report's 30 days), as of `now`.
 */
function readMeasurement(
  store: Store,
  opts: BuildReportOptions,
  since: number,
  until: number,
  account: string | null,
  platform: string | null,
): ReportInput['measurement'] {
  const s = store.settings.get();
  // Without a stored moment: the first case's creation (the takeover), unless that is after
  // `now` (cases created on the wall clock, failures on an emulator's clock, as in the demo);
  // then the backlog's last failure, which the takeover came after.
  const firstCase = store.report.firstCaseCreatedAt(account);
  const lastBacklog = store.report.lastBacklogFailureAt(account);
  const [assignedAt, assignedFrom]: [number | null, Measurement['assignedFrom']] =
    s?.armsAssignedAt !== undefined ? [s.armsAssignedAt, 'settings']
    : firstCase !== null && firstCase <= opts.now ? [firstCase, 'first_case']
    : lastBacklog !== null ? [lastBacklog, 'backlog']
    : [firstCase, firstCase === null ? 'none' : 'first_case'];
  const w = { since, until, accountId: account, platform };
  const rows = assignedAt === null ? [] : store.report.liftGroups({ ...w, assignedAt }, opts.now);
  return {
    rows,
    assignedAt,
    assignedFrom,
    dunningDays: s?.dunningDays ?? 30,
    baselineWindowDays: s?.baselineWindowDays ?? 14,
    controlShare: s?.controlShare ?? 0.1,
    currency: opts.currency ?? null,
    effect: opts.effect,
  };
}

/**
 * Reads and computes in one read transaction, so every figure comes from the same snapshot. The
 * report covers every platform together; each platform with accounts in it is also summarized apart.
 */
export function buildReport(store: Store, opts: BuildReportOptions): Report {
  return store.report.snapshot(() => {
    const report = computeReport(readReportInput(store, opts));
    const platform = opts.platform ?? null;
    const byPlatform = new Map<string, string[]>();
    const accounts = store.accounts.list().filter((a) => !opts.account || a.id === opts.account);
    for (const a of accounts) {
      if (platform && a.platform !== platform) continue;
      byPlatform.set(a.platform, [...(byPlatform.get(a.platform) ?? []), a.id]);
    }
    // The Recovery API's cases (platform api) sit on account `self`, the row a Stripe Billing account
    // in account scope also uses (platform stripe): the API is apart by its cases' platform. A
    // platform whose accounts hold only another platform's cases (an API-only `self`) is left out.
    const withCases = store.cases.countsByPlatform();
    const self = accounts.filter((a) => a.id === 'self').map((a) => a.id);
    if (withCases.api && !byPlatform.has('api') && self.length && (!platform || platform === 'api'))
      byPlatform.set('api', self);
    for (const [p, ids] of byPlatform)
      if (!withCases[p as keyof typeof withCases] && ids.every((id) => id === 'self') && byPlatform.has('api'))
        byPlatform.delete(p);
    const order = (p: string) => ['stripe', 'recharge', 'api'].indexOf(p);
    const platforms = [...byPlatform].sort(([a], [b]) => order(a) - order(b)).map(([p, accounts]) =>
      summarizePlatform(p, accounts, computeReport(readReportInput(store, { ...opts, platform: p }))),
    );
    return { ...report, platform, platforms };
  });
}
