/**
 * `recover report`: read → compute a plain-data `Report` → render (tables, JSON, CSV, HTML).
 *
 *   const report = buildReport(store, { now: clock.now() });      // last 30 days
 *   printReport(report, ctx.out);  writeFileSync('r.html', renderHtml(report));
 */
export { buildReport, readReportInput, type BuildReportOptions } from './read.js';
export { computeReport, baselineLabel, MIN_RESOLVED_PER_ARM, DEFAULT_FEED_LIMIT, type ReportInput } from './compute.js';
export { auditNetworkCaps } from './caps.js';
export { printReport, type TextSink } from './render-text.js';
export { renderCsv } from './render-csv.js';
export { renderHtml } from './render-html.js';
export { resolvePeriod, DEFAULT_PERIOD_DAYS } from './period.js';
export { wilson, newcombeDifference, median } from './stats.js';
export { formatMoney, formatAmounts, currencyDecimals } from './money.js';
export type * from './types.js';
export type * from './measurement-types.js';
