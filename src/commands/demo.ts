/**
 * `recover demo`: the newcomer's first run, with no Stripe account. Starts the built-in
 * emulator with a synthetic merchant (Smart Retries on), onboards against it, takes over its
 * failed invoices, runs the daemon with the emulator's and the daemon's clocks advanced
 * together through the simulated days, then prints the report and writes the HTML report.
 * Everything real: the SDK over HTTP, signed webhooks, SQLite; only time is simulated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { DAY_MS, FakeClock, HOUR_MS } from '../clock.js';
import { createContext, type Context } from '../context.js';
import { WorkError } from '../errors.js';
import { Daemon } from '../daemon/daemon.js';
import { GENERATED_KEY } from '../emulator/index.js';
import { startDemoEmulator } from './demo-emulator.js';
import { silentLogger } from '../log.js';
import { runOnboard } from './onboard/index.js';
import { runReport } from './report.js';
import type { Report } from '../report/index.js';
import { runTakeover } from './takeover/index.js';

export interface DemoOptions {
  seed: number;
  customers: number;
  days: number;
  keep?: boolean;
  html: string;
  /** recharge: the Recharge loop (demo-recharge.ts); default stripe. */
  platform?: 'stripe' | 'recharge';
}

/** The emulator's restricted key with exactly the permissions recover declares (the generator declares it). */
const DEMO_KEY = GENERATED_KEY;
/**
 * Dunning window of the demo, days, and Smart Retries' window too: Stripe's default (8 tries in
 * 2 weeks). Equal windows, so the lift measures timing and policy, not window length; and cases
 * entering in the first half of the run reach their final outcome before it ends.
 */
const DEMO_WINDOW_DAYS = 14;
/** Simulated time advances in steps of this many ms; each step delivers webhooks and runs a pass. */
const STEP_MS = HOUR_MS;

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

export async function runDemo(opts: DemoOptions, ctx: Context): Promise<void> {
  if (opts.platform === 'recharge') return (await import('./demo-recharge.js')).runDemoRecharge(opts, ctx);
  const { out } = ctx;
  const { dir, dbPath } = demoDatabase(opts, ctx);
  const spinner = out.spinner('Starting the Stripe emulator with a synthetic merchant…');
  const { customers, seed: rngSeed } = opts;
  // The simulated days end now: the merchant's failures lie before them, the kept database
  // answers report/explain/status with their defaults, and renewals fail while the daemon runs.
  const start = Math.floor((Date.now() - opts.days * DAY_MS) / 1000) * 1000;
  // The emulator runs in a worker thread, on the other core (demo-emulator.ts); the daemon listens
  // on 127.0.0.1.
  const smartRetries = `on:${DEMO_WINDOW_DAYS}d:8` as const;
  const emu = await startDemoEmulator({ merchant: { customers, rngSeed, smartRetries, historyEvents: false, start } });
  const clock = new FakeClock(emu.now());
  const globals = { ...ctx.globals, db: dbPath, json: false, stripeApiBase: emu.url };
  const subContext = () => createContext(globals, quietIo(ctx), { clock, logger: silentLogger, signal: ctx.signal });
  let sub = subContext();
  let daemon: Daemon | undefined;
  try {
    out.note(`Emulator at ${emu.url}: ${opts.customers} customers, Smart Retries on. Database: ${dbPath}`);
    const port = await freePort();
    spinner.update('Onboarding (non-interactive)…');
    await runOnboard({
      env: 'test', scope: 'account', primaryKey: DEMO_KEY, webhookUrl: `http://127.0.0.1:${port}/stripe/webhook`,
      controlBaseline: 'stripe', controlShare: 0.2, mode: 'live', dunningDays: DEMO_WINDOW_DAYS, yes: true,
    }, sub);
    // The emulator runs on this machine: no need to stay under Stripe's real rate limits (takeover
    // and the daemon both read the rate from the settings).
    // The arms are assigned now (the takeover); Smart Retries' window is the demo's own.
    sub.db.settings.set({ ...sub.db.settings.require(), rateLimitPerSec: 5000, baselineWindowDays: DEMO_WINDOW_DAYS, armsAssignedAt: emu.now() });
    spinner.update('Taking over the failed invoices…');
    await runTakeover({ pauseStripe: true }, sub);
    // The takeover tunes its process and connection for a one-off import (takeover/index.ts: V8's
    // --optimize-for-size, process-wide; db/takeover-staging.ts: an 8 MiB page cache and TEMP
    // tables). The daemon after it runs as `recover run` would, in a process of its own: V8's
    // defaults and a fresh connection (issue 18: about 9 s of the demo's 48 s of CPU).
    setFlagsFromString('--no-optimize-for-size');
    await sub.close();
    sub = subContext();
    // As `recover run` opens it (commands/run.ts): WAL checkpoints in a background thread. With
    // SQLite's own, the commit that fills 1,000 pages copies them and pays two fsyncs on this
    // thread (issue 18: about 670 of them in the 30 days, some 6 s of the demo's wall time).
    sub.openDb({ clock, checkpoint: 'background' });
    const counts = sub.db.cases.countsByStatus();
    const taken = Object.values(counts).reduce((a, b) => a + b, 0);
    out.note(`Took over ${taken} failed invoices (${counts.observing} left to Smart Retries as the control group).`);

    daemon = new Daemon({ store: sub.db, clock, logger: silentLogger, apiBase: emu.url, http: { host: '127.0.0.1', port }, loop: false, concurrency: 8,
      // Webhooks are delivered reliably here; a daily re-listing is plenty (hourly would re-read every open invoice 720 times).
      reconcileCron: '0 0 * * *' });
    let recovered = 0;
    daemon.on('recovered', () => void recovered++);
    await daemon.start();
    const steps = Math.round((opts.days * 24 * HOUR_MS) / STEP_MS);
    for (let i = 1; i <= steps; i++) {
      // The first SIGINT/SIGTERM (src/signals.ts): stop here; `finally` removes the temporary files.
      if (ctx.signal.aborted) throw interrupted(opts, dbPath);
      await emu.advance(STEP_MS);
      clock.set(emu.now());
      await emu.flushWebhooks();
      await daemon.settle();
      const day = (i * STEP_MS) / (24 * HOUR_MS);
      if (Number.isInteger(day)) {
        spinner.update(`Day ${day}/${opts.days}: ${recovered} invoices recovered`);
        if (day % 5 === 0 || day === opts.days) out.note(`day ${String(day).padStart(2)}/${opts.days}  ${'█'.repeat(Math.round((day / opts.days) * 30)).padEnd(30, '░')}  ${recovered} recovered`);
      }
    }
    await daemon.stop();
    daemon = undefined;
    spinner.succeed(`Simulated ${opts.days} days: ${recovered} invoices recovered.`);
    const report = await demoReport(opts, sub, ctx);
    const bySource = { takeover: 0, webhook: 0, reconciler: 0 };
    for (const c of sub.db.cases.iterate()) bySource[c.source]++;
    out.note(`Cases: ${bySource.takeover} taken over at the start (the backlog), ${bySource.webhook + bySource.reconciler} ` +
      `opened by webhook as renewals failed during the ${opts.days} days (${bySource.reconciler} of them found by the reconciler).`);
    const { treatment: t, control: k } = report.measurement.headline;
    const per = (n: number | null) => (n === null ? 'n/a' : n.toFixed(2));
    out.note(`Attempts per recovery on those new cases: recover ${per(t.attemptsPerRecovery)}, Stripe Smart Retries ${per(k.attemptsPerRecovery)} ` +
      `(both arms retry within the same ${DEMO_WINDOW_DAYS}-day window).`);
    if (opts.keep) {
      // --since: the demo's report covers every case since the first failure, not `report`'s default 30 days.
      out.note(`Database kept: explore with  recover --db ${dbPath} report --since ${sinceDay(report)}  or  ` +
        `recover --db ${dbPath} explain <invoice>`);
    }
  } catch (e) {
    // Ctrl-C in any step (the takeover's own message included): one line, the same for each.
    throw ctx.signal.aborted ? interrupted(opts, dbPath) : e;
  } finally {
    spinner.stop();
    await closeDemo({ daemon, sub, emu, dir });
  }
}

/** The first SIGINT/SIGTERM stopped the demo (src/signals.ts); `finally` has removed its temporary files. */
function interrupted(opts: DemoOptions, dbPath: string): WorkError {
  return new WorkError(`interrupted; ${opts.keep ? `the database so far is kept: ${dbPath}` : 'nothing was kept'}`);
}

/** The demo's database: a temporary one, or with --keep recover-demo.db (or --db) started afresh. */
export function demoDatabase(opts: DemoOptions, ctx: Context): { dir?: string; dbPath: string } {
  const dir = opts.keep ? undefined : mkdtempSync(join(tmpdir(), 'recover-demo-'));
  const dbPath = opts.keep ? resolve(ctx.globals.db === './recover.db' ? 'recover-demo.db' : ctx.globals.db) : join(dir!, 'recover.db');
  if (opts.keep) rmSync(dbPath, { force: true });
  return { dir, dbPath };
}

/** The commands the demo runs print nothing of their own: only the demo's notes and the report show. */
export function quietIo(ctx: Context): Context['io'] {
  return { ...ctx.io, stdout: new PassThrough().resume(), stderr: new PassThrough().resume(), exitCode: undefined };
}

/** The report of every case the demo saw (from the earliest first failure), printed and written to --html. */
export async function demoReport(opts: DemoOptions, sub: Context, ctx: Context): Promise<Report> {
  let since = sub.clock.now();
  for (const c of sub.db.cases.iterate()) since = Math.min(since, c.firstFailedAt);
  const reportCtx = Object.assign(Object.create(sub) as Context, { out: ctx.out, globals: { ...sub.globals, json: ctx.globals.json } });
  return runReport({ since: new Date(since).toISOString(), html: resolve(opts.html) }, reportCtx);
}

/** The report's first day (UTC date), as `report --since` takes it: the same cases as the demo's report. */
export function sinceDay(report: Report): string {
  return report.period.sinceIso.slice(0, 10);
}

export async function closeDemo(p: { daemon?: Daemon; sub: Context; emu: { close(): Promise<void> }; dir?: string }): Promise<void> {
  if (p.daemon) await p.daemon.stop();
  await p.sub.close();
  await p.emu.close();
  if (p.dir) rmSync(p.dir, { recursive: true, force: true });
}
