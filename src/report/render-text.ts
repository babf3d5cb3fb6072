/**
 * The report as coloured terminal tables (cli-table3 through the CLI's Output, chalk colours,
 * which Output turns off under NO_COLOR or when stdout is not a terminal).
 */
import type { ChalkInstance } from 'chalk';
import type { Cell } from '../ui/output.js';
import { compactAmounts, formatAmounts, formatMoney } from './money.js';
import { formatDuration, formatPeriod, shortDateTime } from './period.js';
import { int, num, pct, pctInterval, signedPp } from './format.js';
import { printMeasurement } from './render-text-lift.js';
import { printPlatforms } from './platforms.js';
import type { Amounts, ArmStats, Report } from './types.js';

/** What the text renderer needs from the CLI's Output. */
export interface TextSink {
  readonly color: ChalkInstance;
  line(text?: string): void;
  /** Terminal width: prose lines wrap between words to it (the terminal would cut mid-word). */
  readonly columns?: number;
  table(head: string[], rows: Cell[][], opts?: { title?: string; whole?: number[] }): void;
}

const CATEGORY: Record<string, string> = { hard: 'hard', needs_card_update: 'needs new card', soft: 'soft', retry_after: 'soft, wait' };

export function printReport(r: Report, out: TextSink): void {
  const c = out.color;
  const h = r.headline;
  const tz = r.period.timezone;
  const period = `${formatPeriod(r.period.since, r.period.until, tz)} (${tz})`;
  out.line(c.bold(`recover report`) + c.dim(` · cases that entered dunning ${period} · ${r.account ? `account ${r.account}` : 'all accounts'}${r.platform ? ` · platform ${r.platform}` : ''}`));
  out.line();

  const caps = h.networkCapViolations;
  const capText =
    caps.total === 0
      ? c.green(`0`) + c.dim(` (${int(caps.audited)} of our attempts audited)`)
      : c.red.bold(String(caps.total)) +
        ' ' +
        Object.entries(caps.byRule)
          .filter(([, n]) => n > 0)
          .map(([rule, n]) => `${rule} ${n}`)
          .join(', ');
  const inDunningDetail = Object.entries(h.inDunningByStatus)
    .map(([s, n]) => `${s.replace(/_/g, ' ')} ${n}`)
    .join(', ');
  out.table(['headline', ''], [
    ['cases entered dunning', `${int(h.entered)}  ${c.dim(formatAmounts(h.enteredAmount))}`],
    ['recovered', `${c.green(int(h.recovered))}  ${c.green(formatAmounts(h.recoveredAmount))}`],
    ['recovery rate', h.recoveryRate === null ? '—' : `${c.bold(pct(h.recoveryRate))} ${c.dim(`of ${int(h.resolved)} resolved cases`)}`],
    ['lost (end of dunning)', `${int(h.lost)}  ${c.dim(formatAmounts(h.lostAmount))}${h.lostPendingClose ? c.dim(` (${h.lostPendingClose} past the deadline, not closed yet)`) : ''}`],
    ['hard declines', int(h.hardDeclined)],
    ['closed (voided, uncollectible, canceled)', int(h.closed)],
    ['still in dunning (not counted as lost)', `${int(h.inDunning)}  ${c.dim(formatAmounts(h.inDunningAmount))}${inDunningDetail ? c.dim(` · ${inDunningDetail}`) : ''}`],
    ['median time to recover', formatDuration(h.medianTimeToRecoverMs)],
    ['attempts per recovered invoice', `${num(h.attemptsPerRecovered)}${h.retriesPerRecovery === null ? '' : c.dim(` (${num(h.retriesPerRecovery)} retries per recovery, counting lost cases)`)}`],
    ['network-cap violations', capText],
  ]);

  printPlatforms(r, out);

  // Narrow amount columns show the main currency and a count of the others, explained once, under the first.
  let other: 'none' | 'pending' | 'noted' = 'none';
  const amount = (amounts: Amounts): string => {
    const { text, more } = compactAmounts(amounts, r.measurement.mainCurrency);
    if (more && other === 'none') other = 'pending';
    return text;
  };
  const note = () => {
    if (other !== 'pending') return;
    other = 'noted';
    const main = (r.measurement.mainCurrency ?? '').toUpperCase();
    out.line(c.dim(`amounts in ${main}; "+ N more": other currencies (all in --json, --csv, --html)`));
  };

  out.table(
    ['recovered by', 'invoices', 'share', 'amount'],
    r.attribution.map((a) => [a.label, int(a.count), pct(a.share), amount(a.amount)]),
  );
  note();

  printMeasurement(r, out);
  printLift(r, out);

  if (r.preTakeover) {
    const p = r.preTakeover;
    out.table(['before takeover (Stripe, imported history)', ''], [
      ['first failures', `${shortDateTime(p.from, tz)} → ${shortDateTime(p.to, tz)}`],
      ['failed invoices resolved by Stripe', int(p.invoices)],
      ['recovered', `${int(p.recovered)}  ${formatAmounts(p.recoveredAmount)}`],
      ['recovery rate (95% CI)', `${c.bold(pct(p.rate))} ${c.dim(pctInterval(p.ci95))}`],
      ['attempts per recovered invoice', num(p.attemptsPerRecovered)],
      ...(p.takenOver ? [['still failing at takeover (now recover cases, left out)', int(p.takenOver)]] : []),
    ]);
  }

  const b = r.breakdowns;
  if (b.byDeclineCode.length > 0) {
    out.table(
      ['decline code', 'kind', 'cases', 'recovered', 'rate', 'in dunning', 'amount recovered'],
      b.byDeclineCode.map((d) => [d.key, CATEGORY[d.category] ?? d.category, int(d.cases), int(d.recovered), pct(d.rate), int(d.inDunning), amount(d.recoveredAmount)]),
    );
    note();
  }
  if (b.byCardBrand.length > 0) {
    out.table(
      ['card brand', 'cases', 'recovered', 'rate', 'in dunning', 'amount recovered'],
      b.byCardBrand.map((d) => [d.key, int(d.cases), int(d.recovered), pct(d.rate), int(d.inDunning), amount(d.recoveredAmount)]),
    );
    note();
  }
  if (b.byAttemptNumber.length > 0) {
    out.table(
      ['attempt on the invoice (1 = first payment)', 'attempts', 'succeeded', 'success rate'],
      b.byAttemptNumber.map((a) => [String(a.n), int(a.attempts), int(a.successes), pct(a.rate)]),
    );
  }
  if (b.byHour.some((x) => x.attempts > 0)) {
    // 24 hours as three side-by-side blocks of 8 (00–07 | 08–15 | 16–23).
    const cell = (hour: number): Cell[] => {
      const x = b.byHour[hour];
      return [`${String(hour).padStart(2, '0')}h`, x.attempts ? `${int(x.successes)}/${int(x.attempts)}` : '·', pct(x.rate, 0)];
    };
    const rows: Cell[][] = [];
    for (let i = 0; i < 8; i++) rows.push([...cell(i), ...cell(i + 8), ...cell(i + 16)]);
    const head = ['local hour', 'ok/attempts', 'rate'];
    out.table([...head, ...head, ...head], rows);
  }
  if (r.feed.length > 0) {
    out.table(
      ['recovered at', 'customer', 'invoice', 'amount', 'attempt', 'how'],
      r.feed.map((f) => [shortDateTime(f.at, tz), f.customerId, f.invoiceId, formatMoney(f.amount, f.currency), f.attempt === null ? '—' : String(f.attempt), f.how]),
      { title: 'latest recoveries', whole: [2] }, // the invoice id is what `recover explain` takes
    );
  }
}

function printLift(r: Report, out: TextSink): void {
  const c = out.color;
  const l = r.lift;
  out.line(c.dim(`This period's cases by arm (all sources, outcomes so far; not like for like):`));
  const arm = (s: ArmStats): Cell[] => [
    int(s.entered),
    int(s.resolved),
    int(s.recovered),
    s.rate === null ? '—' : `${c.bold(pct(s.rate))} ${c.dim(pctInterval(s.ci95))}`,
    int(s.inDunning),
    num(s.attemptsPerRecovered),
    formatAmounts(s.recoveredAmount),
  ];
  // One column per arm, as in the like-for-like table: eight columns did not fit 80–110 columns.
  const measures = ['entered', 'resolved', 'recovered', 'rate (95% CI)', 'in dunning', 'attempts per recovered', 'amount recovered'];
  const [t, k] = [arm(l.treatment), arm(l.control)];
  out.table(['', 'treatment (recover)', `control (${l.baselineLabel})`], measures.map((m, i) => [m, t[i], k[i]]));
  if (l.status === 'measured') {
    const d = l.difference!;
    const ci = l.ci95!;
    const diffText = `${signedPp(d)} ${c.dim(`(95% CI ${signedPp(ci.low)} to ${signedPp(ci.high)}, Newcombe)`)}`;
    out.line(`${c.bold('lift')}: ${l.significant ? (d > 0 ? c.green(diffText) : c.red(diffText)) : diffText}${l.significant ? '' : c.yellow(' · not significant yet: the interval includes 0')}`);
    const rev = l.revenue ?? [];
    if (rev.length > 0) {
      out.line(`${c.bold('revenue it accounts for')} ${c.dim('(lift × amount due on the resolved treatment cases)')}:`);
      for (const x of rev) {
        out.line(`  ${c.bold(formatMoney(x.lift, x.currency))} ${c.dim(`95% CI ${formatMoney(x.low, x.currency)} to ${formatMoney(x.high, x.currency)}, of ${formatMoney(x.atStake, x.currency)}`)}`);
      }
    }
  } else {
    out.line(c.yellow(l.message));
  }
  out.line();
}
