/**
 * The report as ONE self-contained HTML file: inline CSS, inline SVG charts, no script, no font,
 * no image, no network (a Content-Security-Policy forbids any fetch). Opens offline in any
 * browser and can be mailed as is. At a glance: one headline figure in the main currency and
 * the lift with its verdict, then the like-for-like lift (html-lift.ts), one revenue chart with a
 * currency selector, success rate by attempt number and by local hour; the detail tables are
 * folded (<details>). Reads on a phone (390 px): see the browser test's screenshots.
 */
import { barChart, esc } from './charts.js';
import { heroSection, liftSection, revenueSection } from './html-lift.js';
import { platformsSection } from './platforms.js';
import { int, num, pct, pctInterval, signedPp } from './format.js';
import { formatMoney } from './money.js';
import { formatDuration, formatPeriod, shortDateTime } from './period.js';
import type { Amounts, Report } from './types.js';

const CSS = `
:root{--bg:#f5f6f8;--card:#fff;--ink:#1d2330;--muted:#667085;--line:#e4e7ec;--grid:#eef0f3;
--accent:#4f46e5;--treat:#4f46e5;--ctrl:#98a2b3;--pre:#d0a24c;--good:#12805c;--bad:#c4320a;--warn:#b54708;--bar:#6366f1}
@media (prefers-color-scheme:dark){:root{--bg:#0f1218;--card:#171b24;--ink:#e6e8ee;--muted:#98a2b3;--line:#2a3040;--grid:#232938;
--treat:#818cf8;--ctrl:#667085;--bar:#818cf8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:28px 20px 48px}
header h1{font-size:22px;margin:0 0 4px;letter-spacing:-.01em}
header p{margin:0;color:var(--muted)}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px;margin:20px 0}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px}
.kpi .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.kpi .v{font-size:22px;font-weight:650;margin-top:4px;font-variant-numeric:tabular-nums}
.kpi .v.multi{font-size:17px;line-height:1.3}.kpi .v span{display:block}
.kpi .s{color:var(--muted);font-size:12px;margin-top:2px}
.good{color:var(--good)}.bad{color:var(--bad)}.warn{color:var(--warn)}
.scroll{overflow-x:auto}
section.card{min-width:0;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin:14px 0}
section.card h2{font-size:15px;margin:0 0 10px}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(420px,100%),1fr));gap:14px}
.grid2>section.card{margin:0}
.note{color:var(--muted);font-size:12.5px;margin:8px 0 0}
.callout{border-left:3px solid var(--accent);padding:6px 10px;margin:10px 0 0;background:color-mix(in srgb,var(--accent) 6%,transparent)}
.callout.warn{border-color:var(--warn);background:color-mix(in srgb,var(--warn) 8%,transparent)}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600;font-size:12px}
td.n,th.n{text-align:right}
svg.chart{width:100%;height:auto;display:block}
svg .grid{stroke:var(--grid);stroke-width:1}
svg .axis{stroke:var(--line);stroke-width:1}
svg text{fill:var(--muted);font-size:11px;font-family:inherit}
svg .value{fill:var(--ink);font-size:10.5px}
svg .bar rect{fill:var(--bar)}
svg .bar:hover rect{opacity:.8}
svg .cumulative{fill:none;stroke:var(--pre);stroke-width:2}
svg .cumulative-label{fill:var(--pre);font-weight:600}
svg .rate rect{fill:var(--treat)}
svg .rate.control rect{fill:var(--ctrl)}
svg .rate.pre rect{fill:var(--pre)}
svg .rate .label{fill:var(--ink);font-size:13px}
svg .rate .value{font-size:13px}
svg .ci line{stroke:var(--ink);stroke-width:1.5}
.legend{display:flex;gap:14px;color:var(--muted);font-size:12px;margin-top:6px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.hero{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(300px,100%),1fr));gap:12px;margin:18px 0 12px}
.big{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:16px 18px}
.big .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.big .v{font-size:34px;font-weight:700;margin:2px 0;font-variant-numeric:tabular-nums;letter-spacing:-.02em}
.big .s{color:var(--muted);font-size:13px}
details.card{min-width:0;background:var(--card);border:1px solid var(--line);border-radius:10px;
padding:12px 18px;margin:10px 0}
details.card>summary,#backlog>summary{cursor:pointer;font-weight:600;font-size:14px}
details.card[open]>summary{margin-bottom:10px}
#backlog{margin-top:12px}
.tabs input{position:absolute;opacity:0;pointer-events:none}
.tabs label{display:inline-block;padding:3px 10px;margin:0 6px 8px 0;border:1px solid var(--line);border-radius:999px;
font-size:12px;cursor:pointer;color:var(--muted)}
.tabs input:checked+label{background:var(--accent);border-color:var(--accent);color:#fff}
svg .zero{stroke:var(--ink);stroke-width:1.5}
svg .interval rect{fill:var(--treat);opacity:.35}
svg .interval.newcombe rect{fill:var(--ctrl)}
svg .interval circle{fill:var(--ink)}
svg .interval .label{fill:var(--ink);font-size:13px}
@media (max-width:600px){main{padding:16px 12px 32px}.kpis{grid-template-columns:repeat(2,1fr);gap:8px}
.kpi{padding:10px 12px}.kpi .v{font-size:18px}.big .v{font-size:30px}
svg text{font-size:16px}svg .rate .label,svg .rate .value,svg .interval .label{font-size:17px}
svg .value{font-size:15px}}
#chart-lift,#chart-diff{max-width:780px}
footer{color:var(--muted);font-size:12px;margin-top:24px}
footer dt{font-weight:600;color:var(--ink)}footer dd{margin:0 0 6px}
`;

const CATEGORY: Record<string, string> = { hard: 'hard', needs_card_update: 'needs new card', soft: 'soft', retry_after: 'soft, wait' };

/** A table; a cell given as a list is drawn one item per line (amounts in several currencies). */
function table(head: string[], rows: (string | number | string[])[][], numeric: number[] = []): string {
  const cls = (i: number) => (numeric.includes(i) ? ' class="n"' : '');
  const cell = (c: string | number | string[]) => (Array.isArray(c) ? c.map(esc).join('<br>') : esc(c));
  return (
    `<div class="scroll"><table><thead><tr>${head.map((h, i) => `<th${cls(i)}>${esc(h)}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${cell(c)}</td>`).join('')}</tr>`).join('') +
    `</tbody></table></div>`
  );
}

function kpi(key: string, value: string | string[], sub: string, id: string, cls = ''): string {
  const v = Array.isArray(value) ? value.map((x) => `<span>${esc(x)}</span>`).join('') : esc(value);
  const multi = Array.isArray(value) && value.length > 1 ? ' multi' : '';
  return `<div class="kpi" id="${esc(id)}"><div class="k">${esc(key)}</div><div class="v ${cls}${multi}">${v}</div><div class="s">${esc(sub)}</div></div>`;
}

/** One formatted amount per currency, the largest first. */
function amountLines(a: Amounts): string[] {
  const keys = Object.keys(a).sort((x, y) => a[y] - a[x] || x.localeCompare(y));
  return keys.length ? keys.map((c) => formatMoney(a[c], c)) : ['—'];
}

/** Amounts for a table cell: one line per currency, the largest first. */
function amountsShort(a: Amounts): string[] {
  return amountLines(a);
}

export function renderHtml(r: Report): string {
  const h = r.headline;
  const l = r.lift;
  const tz = r.period.timezone;
  const b = r.breakdowns;
  const period = `${formatPeriod(r.period.since, r.period.until, tz)} (${tz})`;
  const caps = h.networkCapViolations;

  const percent = (v: number) => `${Math.round(v * 100)}%`;
  const periodLift =
    l.status === 'measured'
      ? `Difference ${signedPp(l.difference!)} (Newcombe 95% ${signedPp(l.ci95!.low)} to ${signedPp(l.ci95!.high)}).`
      : l.message;
  const attemptBars = b.byAttemptNumber.map((a) => ({
    label: String(a.n),
    value: a.rate ?? 0,
    display: pct(a.rate, 0),
    title: `attempt ${a.n}: ${a.successes} of ${a.attempts} succeeded (${pct(a.rate)})`,
    data: { n: a.n, attempts: a.attempts, successes: a.successes, rate: a.rate },
  }));
  // Rates, not counts: more successes at 10:00 may only mean more attempts at 10:00.
  const hourBars = b.byHour.map((x) => ({
    label: String(x.hour).padStart(2, '0'),
    value: x.rate ?? 0,
    display: pct(x.rate, 0),
    title: `${String(x.hour).padStart(2, '0')}:00–${String(x.hour).padStart(2, '0')}:59: ${x.successes} successful of ${x.attempts} attempts (${pct(x.rate)})`,
    data: { hour: x.hour, attempts: x.attempts, successes: x.successes, rate: x.rate },
  }));

  const body = [
    `<header><h1>Failed-payment recovery report</h1><p>Cases that entered dunning ${esc(period)} · ${esc(r.account ? `account ${r.account}` : 'all accounts')} · generated ${esc(shortDateTime(r.generatedAt, tz))}</p></header>`,
    heroSection(r),
    `<div class="kpis">`,
    kpi('Recovery rate', pct(h.recoveryRate), `of ${int(h.resolved)} resolved · ${int(h.inDunning)} still in dunning`, 'kpi-rate'),
    kpi('Median time to recover', formatDuration(h.medianTimeToRecoverMs), 'from the first failure', 'kpi-median'),
    // Not "per recovery": the lift table's "per recovery" counts the retries on lost cases too.
    kpi('Retries per recovered invoice', num(h.attemptsPerRecovered), 'up to the one that paid', 'kpi-attempts'),
    kpi('Network-cap violations', String(caps.total), `${int(caps.audited)} attempts audited`, 'kpi-caps', caps.total === 0 ? 'good' : 'bad'),
    `</div>`,
    platformsSection(r),
    liftSection(r),
    revenueSection(r),
    `<div class="grid2">`,
    `<section class="card" id="by-attempt"><h2>Success by attempt number</h2>${
      attemptBars.length ? barChart({ id: 'chart-attempts', title: 'Success rate by attempt number (1 = the failed first payment)', bars: attemptBars, tick: (v) => `${Math.round(v * 100)}%`, yMax: 1 }) : '<p class="note">No retry yet.</p>'
    }<p class="note">Share of retries that succeeded, by attempt on the invoice: 1 is the failed first payment, so the first retry is 2.</p></section>`,
    `<section class="card" id="by-hour"><h2>Success rate by local hour</h2>` +
      barChart({ id: 'chart-hours', title: 'Success rate by local hour of day', bars: hourBars, tick: percent, yMax: 1 }) +
      `<p class="note">Share of retries that succeeded, by the customer's local hour (else ${esc(tz)}); ` +
      `hover a bar for its counts.</p></section>`,
    `</div>`,
    `<details class="card" id="headline"><summary>Headline</summary>` +
      table(['', 'cases', 'amount'], [
        ['entered dunning', int(h.entered), amountsShort(h.enteredAmount)],
        ['recovered', int(h.recovered), amountsShort(h.recoveredAmount)],
        ['lost (end of dunning)', int(h.lost), amountsShort(h.lostAmount)],
        ['hard declines', int(h.hardDeclined), ''],
        ['closed (voided, uncollectible, canceled)', int(h.closed), ''],
        ['still in dunning', int(h.inDunning), amountsShort(h.inDunningAmount)],
      ], [1]) +
      `</details>`,
    `<details class="card" id="period-arms">` +
      `<summary>This period's cases by arm (all sources, outcomes so far)</summary>` +
      table(
        ['arm', 'entered', 'resolved', 'recovered', 'rate', '95% CI (Wilson)', 'in dunning', 'attempts per recovered',
          'recovered amount'],
        [l.treatment, l.control].map((x) => [
          x.arm, int(x.entered), int(x.resolved), int(x.recovered), pct(x.rate), pctInterval(x.ci95), int(x.inDunning),
          num(x.attemptsPerRecovered), amountsShort(x.recoveredAmount),
        ]),
        [1, 2, 3, 4, 6, 7],
      ) +
      `<p class="note">Not like for like: backlog and new cases together, and cases that resolved early count ` +
      `before slower ones. ${esc(periodLift)}</p>` +
      `</details>`,
    `<details class="card" id="attribution"><summary>Who recovered it</summary>` +
      table(['recovered by', 'invoices', 'share', 'amount'], r.attribution.map((a) => [a.label, int(a.count), pct(a.share), amountsShort(a.amount)]), [1, 2]) +
      `</details>`,
    r.preTakeover
      ? `<details class="card" id="pre-takeover"><summary>Before takeover (Stripe, imported history)</summary>` +
        table(['first failures', 'invoices', 'recovered', 'rate', '95% CI', 'attempts per recovered', 'amount'], [[
          `${shortDateTime(r.preTakeover.from, tz)} → ${shortDateTime(r.preTakeover.to, tz)}`,
          int(r.preTakeover.invoices), int(r.preTakeover.recovered), pct(r.preTakeover.rate), pctInterval(r.preTakeover.ci95),
          num(r.preTakeover.attemptsPerRecovered), amountsShort(r.preTakeover.recoveredAmount),
        ]], [1, 2, 3, 5]) +
        (r.preTakeover.takenOver ? `<p class="note">${int(r.preTakeover.takenOver)} invoices still failing at takeover are recover's cases now and are left out.</p>` : '') +
        `</details>`
      : '',
    `<details class="card" id="by-decline"><summary>By decline code</summary>` +
      table(['decline code', 'kind', 'cases', 'resolved', 'recovered', 'rate', 'in dunning', 'amount recovered'], b.byDeclineCode.map((d) => [d.key, CATEGORY[d.category] ?? d.category, int(d.cases), int(d.resolved), int(d.recovered), pct(d.rate), int(d.inDunning), amountsShort(d.recoveredAmount)]), [2, 3, 4, 5, 6]) +
      `</details>`,
    `<details class="card" id="by-brand"><summary>By card brand</summary>` +
      table(['card brand', 'cases', 'resolved', 'recovered', 'rate', 'in dunning', 'amount recovered'], b.byCardBrand.map((d) => [d.key, int(d.cases), int(d.resolved), int(d.recovered), pct(d.rate), int(d.inDunning), amountsShort(d.recoveredAmount)]), [1, 2, 3, 4, 5]) +
      `</details>`,
    `<details class="card" id="feed"><summary>Latest recoveries</summary>` +
      (r.feed.length
        ? table(['recovered at', 'customer', 'invoice', 'amount', 'attempt', 'how'], r.feed.map((f) => [shortDateTime(f.at, tz), f.customerId, f.invoiceId, formatMoney(f.amount, f.currency), f.attempt === null ? '—' : f.attempt, f.how]), [3, 4])
        : '<p class="note">None yet.</p>') +
      `</details>`,
    `<footer><dl>` +
      `<dt>Resolved</dt><dd>Recovered, lost at the end of dunning, hard-declined or closed. Recovery rate = recovered ÷ resolved; cases still inside their dunning window are shown apart and never counted as lost.</dd>` +
      `<dt>Lift</dt><dd>Treatment minus control recovery rate over invoices that failed after the arms were ` +
      `assigned, in cohorts whose every case is final; shown once each arm has ${l.minResolvedPerArm} final cases. ` +
      `The anytime-valid interval (a normal-mixture confidence sequence) stays valid however often the report is ` +
      `opened; Newcombe's interval only for one look fixed in advance. Revenue it accounts for = the difference in ` +
      `recovered revenue per invoice × the treatment arm's invoices.</dd>` +
      `<dt>Attempts</dt><dd>Retries by recover or Stripe after the failure that opened the case; customer payments are not retries.</dd>` +
      `<dt>Recovered revenue over time</dt><dd>Bars: amount recovered per day; line: running total (its own scale, ending at the total in the legend).</dd>` +
      `<dt>Network caps</dt><dd>Our attempts recounted per card: Visa ≤ 15 in 30 days; Mastercard ≤ 10 declines in 24 h and ≤ 35 for the same amount in 30 days; none after a do-not-retry decline.</dd>` +
      `</dl><p>Generated by recover — self-contained file, no network access.</p></footer>`,
  ].join('\n');

  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
    `<title>recover report ${esc(formatPeriod(r.period.since, r.period.until, tz).replace('→', '–'))}</title>` +
    `<style>${CSS}</style></head>\n<body><main>\n${body}\n</main></body></html>\n`
  );
}
