/**
 * The report's platforms apart (issue 17 §1: one database may hold a Stripe account and a
 * Recharge store): each platform's own cohort figures and like-for-like lift, beside the report
 * of all platforms together. Pure: summaries are cut from a report computed for one platform.
 */
import { esc } from './charts.js';
import { formatAmounts } from './money.js';
import { int, pct, signedPp } from './format.js';
import type { Headline, Interval, Report } from './types.js';
import type { TextSink } from './render-text.js';

const PLATFORM_LABEL: Record<string, string> = { stripe: 'Stripe', recharge: 'Recharge', api: 'Recovery API' };

/** The headline figures a platform's row shows (Headline's meaning, for that platform's cases). */
type PlatformFigures = Pick<
  Headline,
  | 'entered'
  | 'enteredAmount'
  | 'recovered'
  | 'recoveredAmount'
  | 'resolved'
  | 'recoveryRate'
  | 'inDunning'
  | 'attemptsPerRecovered'
>;

export interface PlatformSummary extends PlatformFigures {
  platform: string;
  /** Account ids of that platform (`self`, `acct_…`, `rc_<store>`). */
  accounts: string[];
  /** The control arm's baseline on that platform (Smart Retries, or recover's fixed schedule). */
  baselineLabel: string;
  /** The like-for-like lift of cases opened since go-live (the report's measurement headline). */
  lift: {
    status: 'measured' | 'in_progress' | 'no_control';
    treatment: { cases: number; recovered: number; rate: number | null };
    control: { cases: number; recovered: number; rate: number | null };
    /** Treatment rate − control rate (fraction), null until both arms have final cases. */
    difference: number | null;
    anytime: Interval | null;
    winner: 'recover' | 'baseline' | null;
  };
}

export function summarizePlatform(platform: string, accounts: string[], r: Report): PlatformSummary {
  const h = r.headline;
  const m = r.measurement.headline;
  const arm = (a: typeof m.treatment) => ({ cases: a.cases, recovered: a.recovered, rate: a.rate });
  return {
    platform,
    accounts,
    baselineLabel: r.measurement.baselineLabel,
    entered: h.entered,
    enteredAmount: h.enteredAmount,
    recovered: h.recovered,
    recoveredAmount: h.recoveredAmount,
    resolved: h.resolved,
    recoveryRate: h.recoveryRate,
    inDunning: h.inDunning,
    attemptsPerRecovered: h.attemptsPerRecovered,
    lift: {
      status: m.status,
      treatment: arm(m.treatment),
      control: arm(m.control),
      difference: m.difference,
      anytime: m.anytime,
      winner: m.winner,
    },
  };
}

const label = (p: string) => PLATFORM_LABEL[p] ?? p;
const rate = (a: { recovered: number; cases: number; rate: number | null }) => `${int(a.recovered)}/${int(a.cases)}`;
const interval = (i: Interval | null) => (i ? ` (${signedPp(i.low)} to ${signedPp(i.high)})` : '');
const lift = (s: PlatformSummary) =>
  s.lift.difference === null
    ? s.lift.status.replace('_', ' ')
    : `${signedPp(s.lift.difference)}${interval(s.lift.anytime)}`;

/** Each platform, then all of them together (the report's own figures). */
function summaries(r: Report): PlatformSummary[] {
  return [...r.platforms!, { ...summarizePlatform('all', [], r), baselineLabel: 'each its own' }];
}
const name = (s: PlatformSummary) => (s.platform === 'all' ? 'all platforms' : label(s.platform));

/** Narrow enough for an 80-column terminal: counts, the main figures, the lift without its interval. */
const PLATFORM_HEAD = ['platform', 'entered', 'recovered', 'rate', 'new: treatment · control', 'lift'];
function textRow(s: PlatformSummary): string[] {
  const accounts = s.accounts.length ? ` (${s.accounts.join(', ')})` : '';
  const diff = s.lift.difference === null ? s.lift.status.replace('_', ' ') : signedPp(s.lift.difference);
  return [
    `${name(s)}${accounts}`,
    int(s.entered),
    `${int(s.recovered)}  ${formatAmounts(s.recoveredAmount)}`,
    pct(s.recoveryRate),
    `${rate(s.lift.treatment)} · ${rate(s.lift.control)}`,
    diff,
  ];
}

const HTML_HEAD = ['platform', 'accounts', 'entered', 'recovered', 'rate', 'treatment (new, final)', 'control', 'lift'];
function htmlRow(s: PlatformSummary): string[] {
  return [
    name(s),
    s.accounts.join(', '),
    `${int(s.entered)}  ${formatAmounts(s.enteredAmount)}`,
    `${int(s.recovered)}  ${formatAmounts(s.recoveredAmount)}`,
    pct(s.recoveryRate),
    rate(s.lift.treatment),
    `${rate(s.lift.control)} · ${s.baselineLabel}`,
    lift(s),
  ];
}

/** Printed when the report covers more than one platform. */
export function printPlatforms(r: Report, out: TextSink): void {
  if (!r.platforms || r.platforms.length < 2) return;
  out.table(PLATFORM_HEAD, summaries(r).map(textRow), { title: 'by platform, apart and together' });
}

export function platformsSection(r: Report): string {
  if (!r.platforms || r.platforms.length < 2) return '';
  const head = HTML_HEAD.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = summaries(r)
    .map(
      (s) =>
        `<tr data-platform="${esc(s.platform)}">${htmlRow(s)
          .map((c) => `<td>${esc(c)}</td>`)
          .join('')}</tr>`,
    )
    .join('');
  return (
    `<section class="card" id="platforms"><h2>By platform</h2><div class="scroll"><table><thead><tr>${head}</tr>` +
    `</thead><tbody>${body}</tbody></table></div><p class="note">Each platform's cohort and lift apart, then all ` +
    "together; on Recharge the control arm follows recover's fixed schedule (its own retries are store-wide)." +
    '</p></section>'
  );
}
