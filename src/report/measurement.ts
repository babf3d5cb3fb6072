/**
 * The lift a skeptical analyst accepts (issue 13), from grouped rows, pure (no I/O, no clock):
 * - like for like: the cases that entered by webhook or reconciler after the arms were assigned
 *   (both arms saw the same weeks) make the headline; the takeover backlog is shown apart;
 * - mature cohorts: a cohort (UTC day of first failure) counts only once every case in it, in
 *   both arms, has a final outcome (recovered, lost, hard-declined, closed, or past its dunning
 *   deadline), so a faster arm is not favoured by early counting; the rest is "in progress";
 * - intervals: the anytime-valid confidence sequence (sequential.ts) decides "recover beats the
 *   baseline"; Newcombe's fixed-horizon interval is shown next to it, labelled as such;
 * - what it is worth: recovered revenue per 100 failed invoices and the revenue the lift
 *   accounts for, per currency (amounts in different currencies are never added).
 */
import type { LiftGroupRow, Population } from '../db/report.js';
import { DAY_MS } from '../clock.js';
import { addAmount, sortAmounts } from './money.js';
import { isoIn } from './period.js';
import { newcombeDifference, ratio } from './stats.js';
import { casesNeeded, proportionSample, sequentialDifference, sequentialRateDifference } from './sequential.js';
import type { CohortArm, Measurement, PopulationLift, RevenueLift, SampleSizeEstimate } from './measurement-types.js';
import type { Amounts } from './types.js';

/** The lift (fraction) the sample size is for when none is measured yet and --effect is not given. */
export const DEFAULT_EFFECT = 0.05;
/** Days of entries the volume ("at your volume") is averaged over. */
const VOLUME_DAYS = 30;

export interface MeasurementInput {
  asOf: number;
  zone: string;
  rows: readonly LiftGroupRow[];
  assignedAt: number | null;
  assignedFrom: Measurement['assignedFrom'];
  baseline: string | null;
  baselineLabel: string;
  dunningDays: number;
  baselineWindowDays: number;
  controlShare: number;
  minResolvedPerArm: number;
  currency?: string | null;
  effect?: number;
}

/** Running sums for one arm. */
interface Acc {
  cases: number;
  recovered: number;
  retries: number;
  amountDue: Amounts;
  recoveredAmount: Amounts;
  /** Per currency: cases, sum and sum of squares of the recovered amount. */
  money: Map<string, { n: number; sum: number; sq: number }>;
}

const acc = (): Acc => ({ cases: 0, recovered: 0, retries: 0, amountDue: {}, recoveredAmount: {}, money: new Map() });

function add(a: Acc, r: LiftGroupRow): void {
  a.cases += r.cases;
  a.retries += r.retries;
  if (r.outcome === 'recovered') a.recovered += r.cases;
  addAmount(a.amountDue, r.currency, r.amountDue);
  addAmount(a.recoveredAmount, r.currency, r.recoveredAmount);
  const m = a.money.get(r.currency) ?? { n: 0, sum: 0, sq: 0 };
  m.n += r.cases;
  m.sum += r.recoveredAmount;
  m.sq += r.recoveredAmountSq;
  a.money.set(r.currency, m);
}

function armOf(a: Acc): CohortArm {
  const per100: Amounts = {};
  for (const [cur, m] of a.money) if (m.n > 0) per100[cur] = Math.round((m.sum / m.n) * 100);
  return {
    cases: a.cases,
    recovered: a.recovered,
    rate: ratio(a.recovered, a.cases),
    amountDue: sortAmounts(a.amountDue),
    recoveredAmount: sortAmounts(a.recoveredAmount),
    revenuePer100: sortAmounts(per100),
    retries: a.retries,
    attemptsPerCase: ratio(a.retries, a.cases),
    attemptsPerRecovery: ratio(a.retries, a.recovered),
  };
}

function revenueLift(t: Acc, c: Acc, min: number): RevenueLift[] {
  const out: RevenueLift[] = [];
  for (const cur of [...new Set([...t.money.keys(), ...c.money.keys()])].sort()) {
    const mt = t.money.get(cur);
    const mc = c.money.get(cur);
    if (!mt?.n || !mc?.n) continue;
    const sample = (m: { n: number; sum: number; sq: number }) => {
      const mean = m.sum / m.n;
      return { n: m.n, mean, variance: Math.max(0, m.sq / m.n - mean * mean) };
    };
    const est = sequentialDifference(sample(mt), sample(mc))!;
    const ok = mt.n >= min && mc.n >= min;
    out.push({
      currency: cur,
      treatmentCases: mt.n,
      controlCases: mc.n,
      perCase: est.difference,
      perCaseCs: ok ? est.cs : null,
      per100: Math.round(est.difference * 100),
      accountsFor: Math.round(est.difference * mt.n),
      accountsForCs: ok ? { low: Math.round(est.cs.low * mt.n), high: Math.round(est.cs.high * mt.n) } : null,
    });
  }
  return out;
}

function populationLift(population: Population, rows: readonly LiftGroupRow[], min: number): PopulationLift {
  const open = new Set<number>();
  for (const r of rows) if (r.population === population && r.outcome === 'in_dunning') open.add(r.day);
  const mature = { treatment: acc(), control: acc() };
  const pending = { treatment: acc(), control: acc() };
  const matureDays = new Set<number>();
  const pendingDays = new Set<number>();
  for (const r of rows) {
    if (r.population !== population) continue;
    const isOpen = open.has(r.day);
    (isOpen ? pendingDays : matureDays).add(r.day);
    add((isOpen ? pending : mature)[r.arm], r);
  }
  const t = armOf(mature.treatment);
  const c = armOf(mature.control);
  const base = {
    population,
    matureDays: matureDays.size,
    treatment: t,
    control: c,
    difference: null,
    anytime: null,
    newcombe: null,
    winner: null,
    revenue: [],
    inProgress: { days: pendingDays.size, treatment: armOf(pending.treatment), control: armOf(pending.control) },
  };
  if (c.cases + base.inProgress.control.cases === 0) return { ...base, status: 'no_control' };
  const revenue = revenueLift(mature.treatment, mature.control, min);
  if (t.cases < min || c.cases < min) return { ...base, status: 'in_progress', revenue };
  const cs = sequentialRateDifference(t.recovered, t.cases, c.recovered, c.cases)!;
  const nw = newcombeDifference(t.recovered, t.cases, c.recovered, c.cases)!;
  const winner = cs.cs.low > 0 ? 'recover' : cs.cs.high < 0 ? 'baseline' : null;
  return { ...base, status: 'measured', difference: cs.difference, anytime: cs.cs, newcombe: nw.ci, winner, revenue };
}

/**
 * The account's main currency: --currency, else the one most recovered invoices (else most
 * invoices) are in. Counted in invoices, not amounts: minor units of different currencies are
 * not comparable (¥1,000 is 1,000 units, $10 is 1,000 cents) and the report has no exchange rates.
 */
function mainCurrency(rows: readonly LiftGroupRow[], wanted: string | null | undefined): string | null {
  if (wanted) return wanted.toLowerCase();
  const recovered: Amounts = {};
  const all: Amounts = {};
  for (const r of rows) {
    addAmount(all, r.currency, r.cases);
    if (r.outcome === 'recovered') addAmount(recovered, r.currency, r.cases);
  }
  const by = Object.keys(recovered).length ? recovered : all;
  const keys = Object.keys(by).sort((a, b) => by[b] - by[a] || all[b] - all[a] || a.localeCompare(b));
  return keys[0] ?? null;
}

function sampleSize(i: MeasurementInput, h: PopulationLift): SampleSizeEstimate {
  // The lift seen so far is the one to confirm; below 1 pp (or unmeasured) the default.
  const seen = h.difference !== null && Math.abs(h.difference) >= 0.01 ? Math.abs(h.difference) : null;
  const effect = i.effect ?? seen ?? DEFAULT_EFFECT;
  const all = (a: 'treatment' | 'control') => ({
    x: h[a].recovered + h.inProgress[a].recovered,
    n: h[a].cases + h.inProgress[a].cases,
  });
  const tt = all('treatment');
  const cc = all('control');
  const share = tt.n + cc.n > 0 && cc.n > 0 ? cc.n / (tt.n + cc.n) : i.controlShare;
  const variance = (a: CohortArm) => proportionSample(a.recovered, a.cases).variance;
  const needed = casesNeeded(effect, variance(h.treatment), variance(h.control), share);
  const casesNow = h.treatment.cases + h.control.cases;
  // Volume: new cases that entered over the last VOLUME_DAYS (or since go-live, if shorter).
  const from = Math.max(i.asOf - VOLUME_DAYS * DAY_MS, i.assignedAt ?? i.asOf - VOLUME_DAYS * DAY_MS);
  const spanDays = (i.asOf - from) / DAY_MS;
  let recent = 0;
  for (const r of i.rows) if (r.population === 'new' && (r.day + 1) * DAY_MS > from) recent += r.cases;
  const perDay = spanDays >= 1 && recent > 0 ? recent / spanDays : null;
  let daysMore: number | null = null;
  if (needed !== null && needed <= casesNow) daysMore = 0;
  else if (needed !== null && perDay !== null) {
    // In steady state the final cohort grows by the daily volume; before the first cohort is
    // final it cannot grow at all (a case is final at the latest at its dunning deadline).
    const age = i.assignedAt === null ? 0 : (i.asOf - i.assignedAt) / DAY_MS;
    daysMore = Math.ceil(Math.max((needed - casesNow) / perDay, i.dunningDays - age));
  }
  return { effect, casesNeeded: needed, casesNow, perDay, daysMore };
}

const pp = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} pp`;

export function computeMeasurement(i: MeasurementInput): Measurement {
  const headline = populationLift('new', i.rows, i.minResolvedPerArm);
  const backlog = populationLift('backlog', i.rows, i.minResolvedPerArm);
  const windowNote =
    i.baselineWindowDays === i.dunningDays
      ? null
      : `${i.baselineLabel} retries for ${i.baselineWindowDays} days, recover for ${i.dunningDays}: ` +
        `the lift also measures the ${i.baselineWindowDays < i.dunningDays ? 'longer' : 'shorter'} window, ` +
        'not only timing and policy';
  const sample = headline.winner === null ? sampleSize(i, headline) : null;
  const h = headline;
  const cs = () => `(anytime-valid 95% ${pp(h.anytime!.low)} to ${pp(h.anytime!.high)}`;
  let message: string;
  if (h.status === 'no_control') {
    message = 'no control case has entered since the arms were assigned: the lift cannot be measured';
  } else if (h.status === 'in_progress') {
    message =
      `measurement in progress: ${h.treatment.cases} treatment and ${h.control.cases} control cases are final ` +
      `(${i.minResolvedPerArm} each needed)`;
  } else if (h.winner === 'recover') message = `recover beats the baseline: ${pp(h.difference!)} ${cs()})`;
  else if (h.winner === 'baseline') message = `the baseline beats recover: ${pp(h.difference!)} ${cs()})`;
  else message = `no difference shown yet: ${pp(h.difference!)} ${cs()} includes 0)`;
  const days = sample?.daysMore ?? 0;
  if (days > 0) {
    // Past a year the count means "not at this volume", not a date to plan for.
    const when = days > 365 ? 'more than a year' : `about ${days} more day${days === 1 ? '' : 's'}`;
    message += `; ${when} at your volume to detect a lift of ${pp(sample!.effect)}`;
  }
  return {
    asOf: i.asOf,
    asOfIso: isoIn(i.asOf, i.zone),
    assignedAt: i.assignedAt,
    assignedAtIso: i.assignedAt === null ? null : isoIn(i.assignedAt, i.zone),
    assignedFrom: i.assignedFrom,
    baselineLabel: i.baselineLabel,
    dunningDays: i.dunningDays,
    baselineWindowDays: i.baselineWindowDays,
    windowNote,
    mainCurrency: mainCurrency(i.rows, i.currency),
    minResolvedPerArm: i.minResolvedPerArm,
    headline,
    backlog,
    sampleSize: sample,
    message,
  };
}
