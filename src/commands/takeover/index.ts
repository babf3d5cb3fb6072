/**
 * `recover takeover` (DESIGN.md §2): imports the open, automatically collected invoices that
 * have failed into the database, decides their first retry, and pauses Stripe's own retries on
 * the ones recover will retry. Read → plan (pure, plan.ts) → apply (apply.ts) or print.
 *
 * Stripe calls grow with pages, not invoices: per account, one pass over the PaymentIntents of
 * the dunning window with their latest charge expanded (status and last decline, staged
 * locally) and one over the open invoices with `payments`, `customer` and the subscription
 * expanded; the join by PaymentIntent id is local. The only per-invoice calls are the pauses,
 * which are writes Stripe offers no batch for.
 */
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { clockNote, DAY_MS, type Clock } from '../../clock.js';
import type { Settings } from '../../config/settings.js';
import type { Context } from '../../context.js';
import { EmulatorClock } from '../../daemon/clock.js';
import { installation, type Account } from '../../db/index.js';
import { ConfigError, NotFoundError, RecoverError, WorkError, badValue } from '../../errors.js';
import { parseDuration } from '../../ui/flags.js';
import { runJob, type AccountRun, type Job, type JobKind, type RunEnv } from './passes.js';
import { callLimit, runPool } from './pool.js';
import { initialSegments, parseScan, SCAN_CURSOR, sec, type ScanState } from './segments.js';
import { addTally, emptyTally, printSummary, progressText, tallyJson } from './tally.js';
import { printEntry } from './print.js';

export interface TakeoverOptions {
  /** Print the plan; write nothing (neither the database nor Stripe). */
  dryRun?: boolean;
  /** commander's `--no-pause-stripe` sets this to false. */
  pauseStripe?: boolean;
  /** Also import the charges of this period into the history table, e.g. `90d`. */
  history?: string;
  /** Only this account (an id from `recover status`). */
  account?: string;
  /** Lists walked at once (the gateway's rate limit is the real bound). Default 8. */
  concurrency?: number;
  /** Objects per Stripe list page, 1..100. Default 100. */
  pageSize?: number;
  /** `emulator`: take "now" from the emulator's clock (demos, scripts); refused against the real Stripe API. */
  clock?: 'system' | 'emulator';
  /** `recharge`: the Recharge store's errored charges (./recharge.ts); default the Stripe account. */
  platform?: 'stripe' | 'recharge';
  /** Test hook, called after each recorded page. */
  onPage?: (info: { account: string; kind: JobKind; invoicePages: number }) => void;
}

const DEFAULT_CONCURRENCY = 8;
/** PaymentIntents are listed from a day before the dunning window: one at its very edge still joins. */
const WINDOW_MARGIN_MS = DAY_MS;
/**
 * With --history, invoice payments are listed from 60 days before the period: a charge in the
 * period may retry an invoice that first failed before it (Stripe's retries span up to two months).
 */
const HISTORY_PAYMENTS_MARGIN_MS = 60 * DAY_MS;

export async function runTakeover(opts: TakeoverOptions, ctx: Context): Promise<void> {
  // A takeover allocates fast and keeps little (one page at a time, ~30 MiB live): V8's default
  // heap growth lets garbage pile up to ~4× that before a full collection (peak RSS 240+ MiB at
  // 5,000 invoices). Optimizing for size keeps the heap within ~1.2× (peak RSS ~130 MiB, no
  // measurable cost: `npm run bench -- takeover`). Process-wide, and takeover is the process's work.
  setFlagsFromString('--optimize-for-size');
  if (opts.platform === 'recharge') return (await import('./recharge.js')).runRechargeTakeover(opts, ctx);
  const { out, db: store } = ctx;
  const settings = store.settings.get();
  if (!settings) throw new ConfigError(`${ctx.globals.db} is not set up`, 'run: recover onboard stripe');
  const dryRun = Boolean(opts.dryRun);
  const pageSize = checkInt('--page-size', opts.pageSize ?? 100, 1, 100);
  const concurrency = checkInt('--concurrency', opts.concurrency ?? DEFAULT_CONCURRENCY, 1, 64);
  const historyMs = opts.history === undefined ? null : parseDuration('--history', opts.history);
  if (historyMs !== null && historyMs <= 0) throw badValue('--history', opts.history, 'a period such as 90d');
  const accounts = pickAccounts(store.accounts.list(), settings, opts.account);
  // Not in a dry run: it writes nothing, not even the installation id.
  const inst = dryRun ? { id: '', copied: false } : installation(store.meta, store.path);
  if (inst.copied) {
    throw new ConfigError(
      `${ctx.globals.db} is a copy of installation ${inst.id} (a restored backup or a second deployment)`,
      'stop the other copy; if it is retired for good, adopt this one with recover run --adopt',
    );
  }
  const clock = await pickClock(ctx, opts.clock);
  const gw = ctx.stripe;

  const startedAt = clock.now();
  const dunningMs = settings.dunningDays * DAY_MS;
  const declinesFrom = startedAt - dunningMs - WINDOW_MARGIN_MS;
  const historyFrom = historyMs === null ? null : startedAt - historyMs;
  const parts = Math.max(1, Math.floor(concurrency / accounts.length));

  const runs: AccountRun[] = accounts.map((a) => {
    const saved = dryRun ? undefined : parseScan(store.cursors.get(a.id, SCAN_CURSOR));
    const scan: ScanState = saved ?? {
      v: 1,
      runId: `${startedAt.toString(36)}-${randomUUID().slice(0, 8)}`,
      startedAt,
      // The dunning window in slices, then everything older (open invoices past the window are counted as such).
      segments: initialSegments({ from: sec(declinesFrom), to: sec(startedAt) + 1, parts, openBelow: true }),
    };
    return { id: a.id, stripeAccount: a.kind === 'connected' ? a.id : undefined, scan, resumed: saved !== undefined, tally: emptyTally() };
  });
  for (const r of runs) {
    if (r.resumed) out.note(`${r.id}: continuing the takeover started ${new Date(r.scan.startedAt).toISOString()} (${r.scan.segments.reduce((n, s) => n + s.pages, 0)} pages already recorded)`);
  }

  // A dry run's plan under --json is streamed page by page: memory stays flat however many invoices.
  const plan = dryRun && out.json ? out.resultStream('plan') : undefined;
  const spinner = out.spinner(`takeover: listing the payment intents of ${accounts.length} account(s)`);
  const env: RunEnv = {
    store, gw, settings, stats: store.stats.load(), logger: ctx.logger, now: () => clock.now(), dryRun,
    pauseStripe: opts.pauseStripe !== false, pageSize, historyFrom, call: callLimit(concurrency), installationId: inst.id,
    onPage(acct, kind, entries) {
      spinner.update(progressText(acct.id, acct.tally, dryRun));
      if (plan) for (const e of entries) plan.item(e);
      else if (dryRun) for (const e of entries) out.line(printEntry(e));
      opts.onPage?.({ account: acct.id, kind, invoicePages: acct.tally.invoicePages });
    },
  };

  const shown = { dryRun, settings, pauseStripe: env.pauseStripe, history: historyMs !== null };
  // The first SIGINT/SIGTERM (ctx.signal, src/signals.ts): stop taking pages, record the ones in
  // flight, report, and let a re-run continue.
  const stop = ctx.signal;
  try {
    store.takeoverStaging.clear();
    // Pass 1: PaymentIntents of the window (with --history: which invoice each PaymentIntent pays).
    const slices = (from: number) => initialSegments({ from: sec(from), to: sec(startedAt) + 1, parts, openAbove: true });
    const firstJobs: Job[] = runs.flatMap((acct) => [
      ...slices(declinesFrom).map((seg) => ({ kind: 'intents' as const, acct, seg })),
      ...(historyFrom === null ? [] : slices(historyFrom - HISTORY_PAYMENTS_MARGIN_MS).map((seg) => ({ kind: 'invoicePayments' as const, acct, seg }))),
    ]);
    await runPool(firstJobs, concurrency, (job, ctl) => runJob(env, job, ctl), stop);
    // Pass 2: the open invoices, joined locally (with --history: the period's charges too).
    const secondJobs: Job[] = runs.flatMap((acct) => [
      ...acct.scan.segments.filter((s) => !s.done).map((seg) => ({ kind: 'invoices' as const, acct, seg })),
      ...(historyFrom === null ? [] : slices(historyFrom).map((seg) => ({ kind: 'history' as const, acct, seg }))),
    ]);
    const readers = invoiceWorkers(concurrency, env.pauseStripe && settings.mode === 'live' && !dryRun);
    if (!stop.aborted) await runPool(secondJobs, readers, (job, ctl) => runJob(env, job, ctl), stop);
  } catch (e) {
    spinner.fail(`takeover stopped: ${(e as Error).message}`);
    // Under --json main prints the error object; a streamed plan is closed first (complete: false).
    if (!out.json || plan) report(ctx, runs, plan, { ...shown, complete: false });
    if (!dryRun) ctx.out.note('Every page counted above is recorded; run recover takeover again to continue where it stopped.');
    throw wrap(e);
  }
  if (stop.aborted) {
    spinner.fail('takeover interrupted');
    if (!out.json || plan) report(ctx, runs, plan, { ...shown, complete: false });
    throw new WorkError(
      dryRun ? 'takeover dry run interrupted' : 'takeover interrupted; every page shown above is recorded',
      dryRun ? undefined : 'run recover takeover again: it continues where it stopped',
    );
  }
  // Every account is complete: the next run starts a fresh scan.
  if (!dryRun) store.tx(() => runs.forEach((r) => store.cursors.delete(r.id, SCAN_CURSOR)));
  // Live from here on: cases that fail from now on are the report's like-for-like cohorts
  // (both arms see the same weeks); the backlog just taken over is measured apart.
  if (!dryRun && settings.mode === 'live' && store.settings.require().armsAssignedAt === undefined) {
    store.settings.set({ ...store.settings.require(), armsAssignedAt: startedAt });
  }
  spinner.succeed(dryRun ? 'takeover dry run done: nothing was written' : 'takeover done');
  report(ctx, runs, plan, { ...shown, complete: true });
}

function report(
  ctx: Context,
  runs: readonly AccountRun[],
  plan: { close(rest: Record<string, unknown>): void } | undefined,
  o: { dryRun: boolean; settings: Settings; pauseStripe: boolean; history: boolean; complete: boolean },
): void {
  const total = emptyTally();
  for (const r of runs) addTally(total, r.tally);
  const pausing = o.settings.mode !== 'live' ? 'none: shadow mode' : !o.pauseStripe ? 'none: --no-pause-stripe' : o.settings.controlBaseline === 'stripe' ? 'treatment only; control left to Stripe' : 'treatment and control';
  const summary = {
    dryRun: o.dryRun,
    complete: o.complete,
    mode: o.settings.mode,
    baseline: o.settings.controlBaseline,
    pausing,
    accounts: runs.map((r) => ({ id: r.id, resumed: r.resumed, ...tallyJson(r.tally) })),
    total: tallyJson(total),
  };
  if (plan) plan.close(summary);
  else ctx.out.result(summary);
  printSummary(ctx.out, runs, total, { dryRun: o.dryRun, pausing, history: o.history, complete: o.complete });
  // In shadow mode the daemon charges nothing: the hint must not promise retries.
  const next = o.settings.mode === 'live'
    ? 'recover run (the daemon retries the imported invoices)'
    : 'recover run (shadow mode: it schedules and explains, charges nothing; recover go-live after the shadow week)';
  if (o.complete && !o.dryRun) ctx.out.line(`Next: ${next}`);
  if (o.complete && o.dryRun) ctx.out.line('Next: recover takeover (without --dry-run) to import them');
}

/** The accounts of the saved scope (Connect: the connected ones), optionally just one of them. */
function pickAccounts(all: readonly Account[], settings: Settings, only: string | undefined): Account[] {
  const kind = settings.scope === 'connect' ? 'connected' : 'main';
  const mine = all.filter((a) => a.kind === kind && a.environment === settings.env);
  if (mine.length === 0) throw new ConfigError(`no ${settings.env} ${kind === 'main' ? 'account' : 'connected accounts'} saved`, 'run: recover onboard stripe');
  if (only === undefined) return mine;
  const one = mine.find((a) => a.id === only);
  if (!one) throw new NotFoundError(`account ${only} is not one recover manages (known: ${mine.map((a) => a.id).join(', ')})`);
  return [one];
}

async function pickClock(ctx: Context, which: TakeoverOptions['clock']): Promise<Clock> {
  if (which === undefined || which === 'system') return ctx.clock;
  if (which !== 'emulator') throw badValue('--clock', which, 'system | emulator');
  // Read once: a takeover is one moment's snapshot of the account, like a run on the system clock.
  const emulatorClock = new EmulatorClock(EmulatorClock.check(ctx.globals.stripeApiBase));
  await emulatorClock.sync();
  ctx.io.stderr.write(clockNote('emulator', emulatorClock.now(), ctx.globals.stripeApiBase!));
  return emulatorClock;
}

/**
 * Workers walking the invoice lists. Pausing, a page is followed by a pause per managed invoice
 * (one call each, through the same call limit): PAUSING_READERS pages in flight keep the limit
 * busy (the next page is read while this one's pauses go out), and every further page would
 * only wait in memory for its turn. Without pauses the reads are the work: all the concurrency.
 */
const PAUSING_READERS = 2;
function invoiceWorkers(concurrency: number, pausing: boolean): number {
  return pausing ? Math.min(concurrency, PAUSING_READERS) : concurrency;
}

function checkInt(flag: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw badValue(flag, v, `an integer from ${min} to ${max}`);
  return v;
}

function wrap(e: unknown): Error {
  if (e instanceof RecoverError) return e;
  return new WorkError(`takeover failed: ${e instanceof Error ? e.message : String(e)}`);
}
