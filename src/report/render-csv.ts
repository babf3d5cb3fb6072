/**
 * The report as one CSV in "long" form, one figure per line, so every section fits one file and
 * pivots cleanly in a spreadsheet:
 *
 *   section,key,metric,value,currency
 *   headline,,entered,120,
 *   headline,,recovered_amount,90.00,usd
 *   lift,control,rate,0.6,
 *   decline_code,insufficient_funds,recovered,31,
 *
 * Money is in major units (12.34; whole units for zero-decimal currencies such as JPY) with the
 * currency in its own column; rates are fractions (0.725); times are ISO 8601.
 */
import { majorString } from './money.js';
import type { Amounts, Report } from './types.js';

type Value = string | number | boolean | null | undefined;
type Add = (section: string, key: Value, metric: string, value: Value, currency?: string) => void;
type Money = (section: string, key: Value, metric: string, amounts: Amounts) => void;
const HEAD = ['section', 'key', 'metric', 'value', 'currency'];

function cell(v: Value): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  // A text cell starting with = + - @ would be read as a formula by spreadsheets.
  if (typeof v === 'string' && /^[=+\-@]/.test(s) && !/^[-+]?\d/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderCsv(r: Report): string {
  const lines: string[] = [HEAD.join(',')];
  const add = (section: string, key: Value, metric: string, value: Value, currency?: string) =>
    lines.push([section, key, metric, value, currency].map(cell).join(','));
  const money = (section: string, key: Value, metric: string, amounts: Amounts) => {
    for (const cur of Object.keys(amounts).sort()) add(section, key, metric, majorString(amounts[cur], cur), cur);
  };

  add('period', '', 'since', r.period.sinceIso);
  add('period', '', 'until', r.period.untilIso);
  add('period', '', 'timezone', r.period.timezone);
  add('period', '', 'account', r.account ?? 'all');
  add('period', '', 'generated_at', r.generatedAtIso);

  const h = r.headline;
  add('headline', '', 'entered', h.entered);
  money('headline', '', 'entered_amount', h.enteredAmount);
  add('headline', '', 'recovered', h.recovered);
  money('headline', '', 'recovered_amount', h.recoveredAmount);
  add('headline', '', 'resolved', h.resolved);
  add('headline', '', 'recovery_rate', h.recoveryRate);
  add('headline', '', 'lost', h.lost);
  money('headline', '', 'lost_amount', h.lostAmount);
  add('headline', '', 'lost_pending_close', h.lostPendingClose);
  add('headline', '', 'hard_declined', h.hardDeclined);
  add('headline', '', 'closed', h.closed);
  add('headline', '', 'in_dunning', h.inDunning);
  money('headline', '', 'in_dunning_amount', h.inDunningAmount);
  add('headline', '', 'median_time_to_recover_hours', h.medianTimeToRecoverMs === null ? null : h.medianTimeToRecoverMs / 3_600_000);
  add('headline', '', 'attempts_per_recovered', h.attemptsPerRecovered);
  add('headline', '', 'retries_per_recovery', h.retriesPerRecovery);
  add('headline', '', 'network_cap_violations', h.networkCapViolations.total);
  for (const [rule, n] of Object.entries(h.networkCapViolations.byRule)) add('headline', rule, 'network_cap_violations', n);

  for (const a of r.attribution) {
    add('attribution', a.by, 'recovered', a.count);
    add('attribution', a.by, 'share', a.share);
    money('attribution', a.by, 'amount', a.amount);
  }

  const l = r.lift;
  add('lift', '', 'status', l.status);
  add('lift', '', 'baseline', l.baseline);
  add('lift', '', 'min_resolved_per_arm', l.minResolvedPerArm);
  for (const s of [l.treatment, l.control]) {
    add('lift', s.arm, 'entered', s.entered);
    add('lift', s.arm, 'resolved', s.resolved);
    add('lift', s.arm, 'recovered', s.recovered);
    add('lift', s.arm, 'in_dunning', s.inDunning);
    add('lift', s.arm, 'rate', s.rate);
    add('lift', s.arm, 'rate_ci95_low', s.ci95?.low);
    add('lift', s.arm, 'rate_ci95_high', s.ci95?.high);
    add('lift', s.arm, 'attempts_per_recovered', s.attemptsPerRecovered);
    add('lift', s.arm, 'retries_per_recovery', s.retriesPerRecovery);
    money('lift', s.arm, 'recovered_amount', s.recoveredAmount);
    money('lift', s.arm, 'resolved_amount', s.resolvedAmount);
  }
  add('lift', 'difference', 'rate_difference', l.difference);
  add('lift', 'difference', 'ci95_low', l.ci95?.low);
  add('lift', 'difference', 'ci95_high', l.ci95?.high);
  add('lift', 'difference', 'significant', l.significant);
  for (const x of l.revenue ?? []) {
    add('lift', 'revenue', 'at_stake', majorString(x.atStake, x.currency), x.currency);
    add('lift', 'revenue', 'lift', majorString(x.lift, x.currency), x.currency);
    add('lift', 'revenue', 'ci95_low', majorString(x.low, x.currency), x.currency);
    add('lift', 'revenue', 'ci95_high', majorString(x.high, x.currency), x.currency);
  }
  if (l.needed) {
    add('lift', 'needed', 'treatment', l.needed.treatment);
    add('lift', 'needed', 'control', l.needed.control);
  }

  measurementCsv(r, add, money);
  platformCsv(r, add, money);

  if (r.preTakeover) {
    const p = r.preTakeover;
    add('pre_takeover', '', 'from', p.fromIso);
    add('pre_takeover', '', 'to', p.toIso);
    add('pre_takeover', '', 'invoices', p.invoices);
    add('pre_takeover', '', 'recovered', p.recovered);
    add('pre_takeover', '', 'rate', p.rate);
    add('pre_takeover', '', 'attempts_per_recovered', p.attemptsPerRecovered);
    add('pre_takeover', '', 'taken_over', p.takenOver);
    money('pre_takeover', '', 'recovered_amount', p.recoveredAmount);
  }

  for (const [section, rows] of [['decline_code', r.breakdowns.byDeclineCode], ['card_brand', r.breakdowns.byCardBrand]] as const) {
    for (const d of rows) {
      add(section, d.key, 'cases', d.cases);
      add(section, d.key, 'resolved', d.resolved);
      add(section, d.key, 'recovered', d.recovered);
      add(section, d.key, 'in_dunning', d.inDunning);
      add(section, d.key, 'rate', d.rate);
      money(section, d.key, 'recovered_amount', d.recoveredAmount);
    }
  }
  for (const a of r.breakdowns.byAttemptNumber) {
    add('attempt_number', a.n, 'attempts', a.attempts);
    add('attempt_number', a.n, 'successes', a.successes);
    add('attempt_number', a.n, 'rate', a.rate);
  }
  for (const x of r.breakdowns.byHour) {
    add('hour', x.hour, 'attempts', x.attempts);
    add('hour', x.hour, 'successes', x.successes);
    add('hour', x.hour, 'rate', x.rate);
  }
  for (const d of r.timeline) {
    add('timeline', d.day, 'recovered', d.recovered);
    money('timeline', d.day, 'amount', d.amount);
  }
  for (const f of r.feed) {
    add('feed', f.invoiceId, 'recovered_at', f.atIso);
    add('feed', f.invoiceId, 'customer', f.customerId);
    add('feed', f.invoiceId, 'amount', majorString(f.amount, f.currency), f.currency);
    add('feed', f.invoiceId, 'attempt', f.attempt);
    add('feed', f.invoiceId, 'how', f.by);
  }
  return lines.join('\n') + '\n';
}

/**
 * Section `platform` (only when the cases span platforms: Stripe, Recharge, the Recovery API): key = the
 * platform, each with its own cohort figures and like-for-like lift against its own baseline.
 */
function platformCsv(r: Report, add: Add, money: Money): void {
  for (const p of r.platforms ?? []) {
    const S = 'platform';
    add(S, p.platform, 'accounts', p.accounts.join(' '));
    add(S, p.platform, 'baseline', p.baselineLabel);
    add(S, p.platform, 'entered', p.entered);
    money(S, p.platform, 'entered_amount', p.enteredAmount);
    add(S, p.platform, 'recovered', p.recovered);
    money(S, p.platform, 'recovered_amount', p.recoveredAmount);
    add(S, p.platform, 'resolved', p.resolved);
    add(S, p.platform, 'recovery_rate', p.recoveryRate);
    add(S, p.platform, 'in_dunning', p.inDunning);
    add(S, p.platform, 'attempts_per_recovered', p.attemptsPerRecovered);
    add(S, p.platform, 'lift_status', p.lift.status);
    for (const arm of ['treatment', 'control'] as const) {
      add(S, p.platform, `${arm}_cases`, p.lift[arm].cases);
      add(S, p.platform, `${arm}_recovered`, p.lift[arm].recovered);
      add(S, p.platform, `${arm}_rate`, p.lift[arm].rate);
    }
    add(S, p.platform, 'rate_difference', p.lift.difference);
    add(S, p.platform, 'anytime_cs95_low', p.lift.anytime?.low);
    add(S, p.platform, 'anytime_cs95_high', p.lift.anytime?.high);
    add(S, p.platform, 'winner', p.lift.winner);
  }
}

/** Section `measurement`: key = population (new | backlog) or population.arm[.in_progress]. */
function measurementCsv(r: Report, add: Add, money: Money): void {
  const m = r.measurement;
  const S = 'measurement';
  add(S, '', 'as_of', m.asOfIso);
  add(S, '', 'arms_assigned_at', m.assignedAtIso);
  add(S, '', 'arms_assigned_from', m.assignedFrom);
  add(S, '', 'dunning_days', m.dunningDays);
  add(S, '', 'baseline_window_days', m.baselineWindowDays);
  add(S, '', 'main_currency', m.mainCurrency);
  add(S, '', 'message', m.message);
  for (const p of [m.headline, m.backlog]) {
    const k = p.population;
    add(S, k, 'status', p.status);
    add(S, k, 'mature_cohort_days', p.matureDays);
    add(S, k, 'rate_difference', p.difference);
    add(S, k, 'anytime_cs95_low', p.anytime?.low);
    add(S, k, 'anytime_cs95_high', p.anytime?.high);
    add(S, k, 'newcombe_ci95_low', p.newcombe?.low);
    add(S, k, 'newcombe_ci95_high', p.newcombe?.high);
    add(S, k, 'winner', p.winner);
    const arms = [
      ['treatment', p.treatment],
      ['control', p.control],
      ['treatment.in_progress', p.inProgress.treatment],
      ['control.in_progress', p.inProgress.control],
    ] as const;
    for (const [arm, a] of arms) {
      add(S, `${k}.${arm}`, 'cases', a.cases);
      add(S, `${k}.${arm}`, 'recovered', a.recovered);
      add(S, `${k}.${arm}`, 'rate', a.rate);
      add(S, `${k}.${arm}`, 'retries', a.retries);
      add(S, `${k}.${arm}`, 'attempts_per_recovery', a.attemptsPerRecovery);
      money(S, `${k}.${arm}`, 'recovered_amount', a.recoveredAmount);
      money(S, `${k}.${arm}`, 'recovered_per_100_invoices', a.revenuePer100);
    }
    for (const x of p.revenue) {
      add(S, `${k}.revenue`, 'per_100_invoices_difference', majorString(x.per100, x.currency), x.currency);
      add(S, `${k}.revenue`, 'accounts_for', majorString(x.accountsFor, x.currency), x.currency);
      const cs = x.accountsForCs;
      if (cs) add(S, `${k}.revenue`, 'accounts_for_cs95_low', majorString(cs.low, x.currency), x.currency);
      if (cs) add(S, `${k}.revenue`, 'accounts_for_cs95_high', majorString(cs.high, x.currency), x.currency);
    }
  }
  if (m.sampleSize) {
    add(S, 'sample_size', 'effect', m.sampleSize.effect);
    add(S, 'sample_size', 'cases_needed', m.sampleSize.casesNeeded);
    add(S, 'sample_size', 'cases_now', m.sampleSize.casesNow);
    add(S, 'sample_size', 'cases_per_day', m.sampleSize.perDay);
    add(S, 'sample_size', 'days_more', m.sampleSize.daysMore);
  }
}
