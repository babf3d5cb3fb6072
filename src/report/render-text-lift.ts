/**
 * The like-for-like lift as terminal text: the arms over final cohorts, both intervals (named),
 * the verdict, what it is worth in the main currency, the window note and the backlog apart.
 */
import type { Cell } from '../ui/output.js';
import { int, num, pct, signedPp } from './format.js';
import type { CohortArm, PopulationLift } from './measurement-types.js';
import { formatMoney } from './money.js';
import { shortDateTime } from './period.js';
import type { TextSink } from './render-text.js';
import { wrapText } from '../ui/wrap.js';
import type { Amounts, Report } from './types.js';

/** Money in the main currency first, the others after it: "$800.00 (also €12.00, ¥300)". */
export function mainFirst(amounts: Amounts, main: string | null): string {
  const keys = Object.keys(amounts).sort((a, b) => (a === main ? -1 : b === main ? 1 : a.localeCompare(b)));
  if (keys.length === 0) return '—';
  const [first, ...rest] = keys;
  const also = rest.map((k) => formatMoney(amounts[k], k)).join(', ');
  return formatMoney(amounts[first], first) + (rest.length ? ` (also ${also})` : '');
}

/**
 * One row per measure, one column per arm: eight columns of figures did not fit 80–110 columns
 * (labels cut to "treatm…", amounts to "$2,034.…"); three do, long cells wrapping between words.
 */
const MEASURES = [
  'final cases',
  'recovered',
  'rate',
  'attempts per case',
  'attempts per recovery',
  'recovered per 100 invoices',
  'in progress (not final)',
];

export function printMeasurement(r: Report, sink: TextSink): void {
  // Long prose lines wrap between words, continuation lines indented by 2.
  const line = (t?: string) => sink.line(t && sink.columns ? wrapText(t, sink.columns, { indent: 2 }) : t);
  const out: TextSink = {
    color: sink.color,
    line,
    table: (head, rows, opts) => {
      if (opts?.title) line(sink.color.bold(opts.title)); // wrapped like the rest, as Output.table prints it
      sink.table(head, rows, { ...opts, title: undefined });
    },
  };
  const c = out.color;
  const m = r.measurement;
  const tz = r.period.timezone;
  const since =
    m.assignedAt === null ? 'no case yet' : `since the arms were assigned (${shortDateTime(m.assignedAt, tz)})`;
  const arm = (a: CohortArm, p: CohortArm): Cell[] => [
    int(a.cases),
    int(a.recovered),
    c.bold(pct(a.rate)),
    num(a.attemptsPerCase),
    num(a.attemptsPerRecovery),
    mainFirst(a.revenuePer100, m.mainCurrency),
    p.cases ? `${int(p.recovered)}/${int(p.cases)} ${pct(p.rate)}` : '—',
  ];
  const h = m.headline;
  const treatment = arm(h.treatment, h.inProgress.treatment);
  const control = arm(h.control, h.inProgress.control);
  const rows = MEASURES.map((label, i): Cell[] => [label, treatment[i], control[i]]);
  out.table(['', 'treatment (recover)', `control (${m.baselineLabel})`], rows, {
    title: `lift, like for like (new cases, final cohorts): entered ${since}, as of ${shortDateTime(m.asOf, tz)}`,
  });
  out.line(liftLine(h, out));
  const paint = h.winner === 'recover' ? c.green.bold : h.winner === 'baseline' ? c.red.bold : c.yellow;
  out.line(paint(m.message));
  const main = h.revenue.find((x) => x.currency === m.mainCurrency) ?? h.revenue[0];
  if (main && h.status === 'measured') {
    const money = (minor: number) => formatMoney(minor, main.currency);
    const others = h.revenue.filter((x) => x !== main).map((x) => formatMoney(x.accountsFor, x.currency));
    const cs = main.accountsForCs;
    out.line(
      `${c.bold('revenue the lift accounts for')}: ${money(main.accountsFor)}` +
        (cs ? c.dim(` (anytime-valid ${money(cs.low)} to ${money(cs.high)})`) : '') +
        (others.length ? c.dim(` · also ${others.join(', ')}`) : ''),
    );
  }
  if (m.windowNote) out.line(c.yellow(`note: ${m.windowNote}`));
  const b = m.backlog;
  if (b.treatment.cases + b.control.cases + b.inProgress.treatment.cases + b.inProgress.control.cases > 0) {
    const t = (a: CohortArm, p: CohortArm) => {
      const n = a.cases + p.cases;
      const x = a.recovered + p.recovered;
      return `${int(x)}/${int(n)} ${pct(n ? x / n : null)}`;
    };
    out.line(
      c.dim(
        'backlog (taken over, or failed before go-live), shown apart: ' +
          `treatment ${t(b.treatment, b.inProgress.treatment)}, control ${t(b.control, b.inProgress.control)}` +
          (b.status === 'measured' ? ` · ${liftLine(b, out, false)}` : ''),
      ),
    );
  }
  out.line();
}

function liftLine(p: PopulationLift, out: TextSink, bold = true): string {
  const c = out.color;
  if (p.status !== 'measured') {
    return c.dim(`lift: not measured yet (${p.status === 'no_control' ? 'no control case' : 'too few final cases'})`);
  }
  const d = bold ? c.bold(signedPp(p.difference!)) : signedPp(p.difference!);
  return (
    `lift ${d} · anytime-valid 95% ${signedPp(p.anytime!.low)} to ${signedPp(p.anytime!.high)} ` +
    '(valid however often you look)' +
    c.dim(` · Newcombe 95% ${signedPp(p.newcombe!.low)} to ${signedPp(p.newcombe!.high)} (one pre-planned look only)`)
  );
}
