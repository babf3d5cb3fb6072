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
import { ConfigError, NotFoundError, UsageError, WorkError } from '../errors.js';
import { buildReport, DEFAULT_FEED_LIMIT, printReport, renderCsv, renderHtml, type Report } from '../report/index.js';

export interface ReportOptions {
  since?: string;
  until?: string;
  account?: string;
  /** true = CSV on stdout; a string = write to that file ("-" = stdout). */
  csv?: boolean | string;
  html?: string;
  feed?: number;
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
  const report = buildReport(store, {
    now: ctx.clock.now(),
    since: options.since,
    until: options.until,
    account: options.account ?? null,
    feedLimit: options.feed ?? DEFAULT_FEED_LIMIT,
  });

  if (options.html) write(options.html, renderHtml(report), 'HTML report', ctx);
  if (typeof options.csv === 'string' && !csvToStdout) write(options.csv, renderCsv(report), 'CSV', ctx);

  if (ctx.globals.json) ctx.out.result(report);
  else if (csvToStdout) ctx.io.stdout.write(renderCsv(report));
  else printReport(report, ctx.out);
  return report;
}

function write(path: string, text: string, what: string, ctx: Context): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new WorkError(`cannot write the ${what} to ${path}: ${(e as Error).message}`);
  }
  ctx.out.note(`wrote ${what} to ${path}`);
}
