/**
 * The HTML report's top half: the headline (one figure in the main currency, the others in one
 * line), the like-for-like lift (both arms, both intervals, the verdict, the backlog apart) and
 * one revenue chart with a currency selector (radio buttons and CSS: no script).
 */
import { barChart, esc, intervalChart, lineOverlay, rateChart, type RateRow } from './charts.js';
import { int, num, pct, signedPp } from './format.js';
import { currencyDecimals, formatMoney, toMajor } from './money.js';
import type { CohortArm, PopulationLift } from './measurement-types.js';
import type { Amounts, Report } from './types.js';

/** The main currency (measurement.mainCurrency); without any case, the largest recovered amount. */
export function mainCurrencyOf(r: Report): string | null {
  if (r.measurement.mainCurrency) return r.measurement.mainCurrency;
  const a = Object.keys(r.headline.recoveredAmount).length ? r.headline.recoveredAmount : r.headline.enteredAmount;
  return Object.keys(a).sort((x, y) => a[y] - a[x] || x.localeCompare(y))[0] ?? null;
}

/** The other currencies in one line, by code (amounts are not comparable): "also €5.00 · ¥3,000", or ''. */
function others(a: Amounts, main: string | null): string {
  const keys = Object.keys(a).filter((k) => k !== main).sort();
  return keys.length ? `also ${keys.map((k) => formatMoney(a[k], k)).join(' · ')}` : '';
}

export function heroSection(r: Report): string {
  const h = r.headline;
  const main = mainCurrencyOf(r);
  const m = r.measurement;
  const l = m.headline;
  const revenue = main ? formatMoney(h.recoveredAmount[main] ?? 0, main) : '—';
  const verdict = l.winner === 'recover' ? 'good' : l.winner === 'baseline' ? 'bad' : 'warn';
  const lift = l.status === 'measured' ? signedPp(l.difference!) : 'in progress';
  return (
    `<section class="hero">` +
    `<div class="big" id="hero-revenue"><div class="k">Recovered</div><div class="v good">${esc(revenue)}</div>` +
    `<div class="s">${esc(`${int(h.recovered)} of ${int(h.entered)} failed invoices`)} · ` +
    `${esc(`${pct(h.recoveryRate)} of those resolved`)}</div>` +
    `<div class="s" id="other-currencies">${esc(others(h.recoveredAmount, main))}</div></div>` +
    `<div class="big" id="hero-lift"><div class="k">Lift vs ${esc(m.baselineLabel)}</div>` +
    `<div class="v ${verdict}">${esc(lift)}</div>` +
    `<div class="s">${esc(m.message)}</div></div>` +
    `</section>`
  );
}

function armRow(a: CohortArm, label: string, key: string, cls: string): RateRow {
  // Whiskers: none here; the difference's intervals are drawn below.
  return { key, label, rate: a.rate, low: null, high: null, recovered: a.recovered, resolved: a.cases, className: cls };
}

function armTable(p: PopulationLift, main: string | null, baseline: string): string {
  const per100 = (a: CohortArm) =>
    main && a.revenuePer100[main] !== undefined ? formatMoney(a.revenuePer100[main], main) : '—';
  const row = (label: string, a: CohortArm, q: CohortArm) =>
    `<tr><td>${esc(label)}</td><td class="n">${int(a.cases)}</td><td class="n">${int(a.recovered)}</td>` +
    `<td class="n">${pct(a.rate)}</td>` +
    `<td class="n">${num(a.attemptsPerCase)}</td><td class="n">${num(a.attemptsPerRecovery)}</td>` +
    `<td class="n">${esc(per100(a))}</td>` +
    `<td class="n">${esc(q.cases ? `${int(q.recovered)}/${int(q.cases)} · ${pct(q.rate)}` : '—')}</td></tr>`;
  return (
    `<div class="scroll"><table><thead><tr><th>arm</th><th class="n">final cases</th><th class="n">recovered</th>` +
    `<th class="n">rate</th>` +
    `<th class="n">attempts per case</th><th class="n">per recovery</th><th class="n">recovered per 100 invoices</th>` +
    `<th class="n">in progress</th></tr></thead><tbody>` +
    row('treatment (recover)', p.treatment, p.inProgress.treatment) +
    row(`control (${baseline})`, p.control, p.inProgress.control) +
    `</tbody></table></div>`
  );
}

function intervalsText(p: PopulationLift): string {
  if (p.status !== 'measured') return '';
  return (
    `anytime-valid 95%: ${signedPp(p.anytime!.low)} to ${signedPp(p.anytime!.high)} ` +
    `(valid however often you look) · ` +
    `Newcombe 95%: ${signedPp(p.newcombe!.low)} to ${signedPp(p.newcombe!.high)} (valid for one look fixed in advance)`
  );
}

export function liftSection(r: Report): string {
  const m = r.measurement;
  const l = m.headline;
  const main = mainCurrencyOf(r);
  const rows: RateRow[] = [
    armRow(l.treatment, 'treatment', 'treatment', 'treatment'),
    armRow(l.control, 'control', 'control', 'control'),
  ];
  if (r.preTakeover) {
    const p = r.preTakeover;
    const pre = { key: 'pre_takeover', label: 'before takeover', className: 'pre', low: null, high: null };
    rows.push({ ...pre, rate: p.rate, recovered: p.recovered, resolved: p.invoices });
  }
  const diff =
    l.status === 'measured'
      ? intervalChart('chart-diff', 'Lift in percentage points with its two intervals', l.difference!, [
          { key: 'anytime', label: 'anytime-valid 95%', className: 'anytime', ...l.anytime! },
          { key: 'newcombe', label: 'Newcombe (1 look)', className: 'newcombe', ...l.newcombe! },
        ])
      : '';
  const rev = l.revenue.find((x) => x.currency === main) ?? l.revenue[0];
  const money = (minor: number) => formatMoney(minor, rev.currency);
  const otherRevenue = l.revenue
    .filter((x) => x !== rev)
    .map((x) => formatMoney(x.accountsFor, x.currency))
    .join(' · ');
  const worth =
    rev && l.status === 'measured'
      ? `<p id="lift-worth">Revenue the lift accounts for: <b>${esc(formatMoney(rev.accountsFor, rev.currency))}</b>` +
        (rev.accountsForCs
          ? ` (anytime-valid ${esc(money(rev.accountsForCs.low))} to ${esc(money(rev.accountsForCs.high))})`
          : '') +
        ` = ${esc(money(rev.per100))} more per 100 failed invoices × ${int(rev.treatmentCases)} treatment invoices` +
        (otherRevenue ? ` · ${esc(otherRevenue)}` : '') +
        `</p>`
      : '';
  const b = m.backlog;
  const backlog =
    b.treatment.cases + b.control.cases + b.inProgress.treatment.cases + b.inProgress.control.cases > 0
      ? `<details id="backlog"><summary>Backlog (taken over at go-live, shown apart): ` +
        `${esc(b.status === 'measured' ? signedPp(b.difference!) : 'not measured')}</summary>` +
        armTable(b, main, m.baselineLabel) +
        `<p class="note">${esc(intervalsText(b) || 'Too few final cases in an arm to compare.')} ` +
        `These invoices had failed before recover started; ` +
        `the arms did not see the same weeks, so they are not in the headline.</p></details>`
      : '';
  const statusCls = l.winner === 'recover' ? 'callout' : 'callout warn';
  return (
    `<section class="card" id="lift"><h2>Lift, like for like</h2>` +
    `<p class="note">Invoices that failed after the arms were assigned` +
    `${m.assignedAtIso ? ` (${esc(m.assignedAtIso.slice(0, 10))})` : ''}, in cohorts (days of first failure) ` +
    `whose every case has a final outcome; as of ${esc(m.asOfIso.slice(0, 16).replace('T', ' '))}.</p>` +
    `<p class="${statusCls}" id="lift-status">${esc(m.message)}</p>` +
    rateChart('chart-lift', 'Recovery rate, treatment vs control, final cohorts', rows) +
    diff +
    (l.status === 'measured'
      ? `<p class="note" id="lift-intervals">${esc(intervalsText(l))}. ` +
        `"recover beats the baseline" is said only when the anytime-valid interval excludes 0.</p>`
      : '') +
    worth +
    armTable(l, main, m.baselineLabel) +
    (m.windowNote ? `<p class="callout warn" id="window-note">${esc(m.windowNote)}.</p>` : '') +
    backlog +
    `</section>`
  );
}

/** One revenue chart at a time: a radio per currency switches it (CSS :checked, no script). */
export function revenueSection(r: Report): string {
  const amounts = r.headline.recoveredAmount;
  const main = mainCurrencyOf(r);
  // The main currency first, then by code (amounts in different currencies are not comparable).
  const order = (a: string, b: string) => (a === main ? -1 : b === main ? 1 : a.localeCompare(b));
  const currencies = Object.keys(amounts).sort(order);
  const title = `<section class="card" id="revenue"><h2>Recovered revenue over time</h2>`;
  if (currencies.length === 0) return `${title}<p class="note">No recovery in this period yet.</p></section>`;
  const tabs = currencies
    .map((cur, i) =>
      `<input type="radio" name="cur" id="cur-${esc(cur)}"${i === 0 ? ' checked' : ''}>` +
      `<label for="cur-${esc(cur)}">${esc(cur.toUpperCase())}</label>`)
    .join('');
  const charts = currencies
    .map((cur) => {
      let running = 0;
      const cumulative: number[] = [];
      const bars = r.timeline.map((d) => {
        const minor = d.amount[cur] ?? 0;
        running += minor;
        cumulative.push(running);
        return {
          label: d.day.slice(5),
          value: toMajor(minor, cur),
          display: formatMoney(minor, cur),
          title: `${d.day}: ${formatMoney(minor, cur)} recovered`,
          data: { day: d.day, amount: minor, currency: cur, count: minor > 0 ? d.recovered : 0 },
        };
      });
      const dec = currencyDecimals(cur);
      const money = (minor: number) => formatMoney(minor, cur);
      const svg = barChart({
        id: `chart-revenue-${cur}`,
        title: `Recovered revenue per day (${cur.toUpperCase()})`,
        bars,
        tick: (v) => formatMoney(Math.round(v * 10 ** dec), cur).replace(/\.0+$/, ''),
        width: 720,
        height: 260,
        overlay: lineOverlay(cumulative, 'cumulative', { total: running, currency: cur }, `total ${money(running)}`),
        data: { currency: cur, total: running },
      });
      return `<div class="revenue rev-${esc(cur)}">${svg}</div>`;
    })
    .join('');
  const show = currencies.map((cur) => `#cur-${cur}:checked~.charts .rev-${cur}`).join(',');
  return (
    title +
    `<style>.revenue{display:none}${show}{display:block}</style>` +
    `<div class="tabs">${tabs}<div class="charts">${charts}</div></div>` +
    `<div class="legend"><span><i style="background:var(--bar)"></i>recovered per day</span>` +
    `<span><i style="background:var(--pre)"></i>running total (own scale)</span></div>` +
    `<p class="note">Recoveries of this period's cases, by day of recovery (${esc(r.period.timezone)}).</p></section>`
  );
}
