/**
 * `recover run`: the daemon (webhook receiver, scheduler/executor, job runner, reconciler) until
 * SIGINT/SIGTERM, or `--once` for one pass (cron-driven deployments). See src/daemon/.
 */
import type { Context } from '../context.js';
import { EmulatorClock, type DaemonClock } from '../daemon/clock.js';
import { Daemon } from '../daemon/daemon.js';
import { DEFAULT_RECONCILE_CRON, parseCron } from '../daemon/reconciler.js';
import type { Clock } from '../clock.js';
import { openStore, type Store } from '../db/index.js';

export interface RunOptions {
  host: string;
  port: number;
  shadow?: boolean;
  once?: boolean;
  reconcile?: string;
  clock?: 'system' | 'emulator';
  concurrency?: number;
}

export async function runRun(opts: RunOptions, ctx: Context): Promise<void> {
  const reconcileCron = parseCron(opts.reconcile ?? DEFAULT_RECONCILE_CRON);
  let clock: Clock | DaemonClock = ctx.clock;
  if (opts.clock === 'emulator') {
    const emu = new EmulatorClock(EmulatorClock.check(ctx.globals.stripeApiBase));
    await emu.start();
    clock = emu;
  }
  // The daemon's own connection: bookkeeping times on its clock, and WAL checkpoints in a
  // background thread so no webhook ack or scheduler tick pays for one.
  const store = openStore(ctx.globals.db, { clock, checkpoint: opts.once ? 'auto' : 'background' });
  try {
    await serve(opts, ctx, store, clock, reconcileCron);
  } finally {
    store.close();
    (clock as DaemonClock).close?.();
  }
}

async function serve(opts: RunOptions, ctx: Context, store: Store, clock: Clock | DaemonClock, reconcileCron: string): Promise<void> {
  const settings = store.settings.require();
  const daemon = new Daemon({
    store, clock, logger: ctx.logger, apiBase: ctx.apiBase, reconcileCron, shadow: opts.shadow ?? false,
    concurrency: opts.concurrency, http: opts.once ? null : { host: opts.host, port: opts.port },
  });
  const mode = opts.shadow ? 'shadow' : settings.mode;
  if (opts.once) {
    const r = await daemon.runOnce();
    ctx.out.result({ mode, ...r, at: new Date(r.at).toISOString() });
    ctx.out.line(`One pass (${mode}): ${r.events} events processed, ${r.jobs} end-of-dunning jobs, ${r.attempts} attempts, ${r.swept} cases ended at their deadline${r.reconciled ? ', reconciled with Stripe' : ''}.`);
    return;
  }
  await daemon.start();
  ctx.logger.info({ mode, baseline: settings.controlBaseline, reconcile: reconcileCron, clock: opts.clock ?? 'system' }, `recover run: ${daemon.url}/stripe/webhook`);
  const onSignal = (signal: NodeJS.Signals) => {
    ctx.logger.info({ signal }, 'stopping: no new attempts; finishing those in flight');
    void daemon.stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await daemon.stopped();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  ctx.logger.info({}, 'stopped');
}
