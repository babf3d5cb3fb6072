/**
 * `recover report`: the lift summary for a period (default the last 30 days): recovered revenue,
 * recovery rate, attribution, lift of treatment over control with a 95% interval, breakdowns,
 * the feed of the latest recoveries. Tables by default; `--json` (global) prints the Report;
 * `--csv [file]` the long-form CSV (stdout without a file); `--html <file>` writes one
 * self-contained HTML file (in addition to what is printed).
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { Context } from '../context.js';
import { isMemoryPath } from '../db/open.js';
import { badValue, ConfigError, NotFoundError, UsageError, WorkError } from '../errors.js';
import { parseAsOf } from '../report/period.js';
import { buildReport, DEFAULT_FEED_LIMIT, printReport, renderCsv, renderHtml, type Report } from '../report/index.js';

export interface ReportOptions {
  since?: string;
  until?: string;
  account?: string;
  platform?: 'stripe' | 'recharge' | 'api';
  /** true = CSV on stdout; a string = write to that file ("-" = stdout). */
  csv?: boolean | string;
  html?: string;
  feed?: number;
  asOf?: string;
  currency?: string;
  /** Percentage points. */
  effect?: number;
}

export async function runReport(options: ReportOptions, ctx: Context): Promise<Report> {
  const csvToStdout = options.csv === true || options.csv === '-';
  if (csvToStdout && ctx.globals.json) throw new UsageError('--csv without a file and --json both write to stdout: choose one, or give --csv a file name');
  if (!ctx.io.overrides?.db && !isMemoryPath(ctx.globals.db) && !existsSync(ctx.globals.db)) {
    throw new ConfigError(`no database at ${ctx.globals.db}`, 'run recover onboard stripe and recover takeover first, or pass --db');
  }
  const store = ctx.db;
  if (options.account && !store.accounts.get(options.account)) {
    const known = store.accounts.list().map((a) => a.id);
    throw new NotFoundError(`unknown account ${options.account}`, known.length ? `known accounts: ${known.join(', ')}` : 'no account imported yet');
  }
  if (options.currency !== undefined && !/^[a-z]{3}$/i.test(options.currency)) {
    throw badValue('--currency', options.currency, 'a three-letter currency code such as usd');
  }
  const zone = store.settings.get()?.defaultTimezone ?? 'UTC';
  const report = buildReport(store, {
    now: options.asOf === undefined ? ctx.clock.now() : parseAsOf(options.asOf, ctx.clock.now(), zone),
    currency: options.currency?.toLowerCase() ?? null,
    effect: options.effect === undefined ? undefined : options.effect / 100,
    since: options.since,
    until: options.until,
    account: options.account ?? null,
    platform: options.platform ?? null,
    feedLimit: options.feed ?? DEFAULT_FEED_LIMIT,
  });

  if (options.currency !== undefined) checkCurrency(report, options.currency);
  if (options.html) write(options.html, renderHtml(report), 'HTML report', ctx);
  if (typeof options.csv === 'string' && !csvToStdout) write(options.csv, renderCsv(report), 'CSV', ctx);

  if (ctx.globals.json) ctx.out.result(report);
  else if (csvToStdout) ctx.out.document(renderCsv(report));
  else printReport(report, ctx.out);
  return report;
}

/** --currency must be one the cases are in; nothing is written otherwise. */
function checkCurrency(report: Report, given: string): void {
  const currency = given.toLowerCase();
  const m = report.measurement;
  const arms = [m.headline, m.backlog].flatMap((p) => [p.treatment, p.control, p.inProgress.treatment, p.inProgress.control]);
  const known = new Set(Object.keys(report.headline.enteredAmount));
  for (const a of arms) for (const cur of Object.keys(a.amountDue)) known.add(cur);
  if (!known.has(currency)) {
    // The value as typed (XYZ, not xyz): the message names what the user gave.
    throw badValue('--currency', given, known.size ? [...known].sort().join(', ') : 'no case has entered yet');
  }
}

function write(path: string, text: string, what: string, ctx: Context): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new WorkError(`cannot write the ${what} to ${path}: ${(e as Error).message}`);
  }
  ctx.out.note(`wrote ${what} to ${path}`);
}
