/**
 * `recover run`: the daemon (webhook receiver, scheduler/executor, job runner, reconciler) until
 * SIGINT/SIGTERM, or `--once` for one pass (cron-driven deployments). See src/daemon/.
 */
import type { Context } from '../context.js';
import { badValue, UsageError } from '../errors.js';
import { EmulatorClock, type DaemonClock } from '../daemon/clock.js';
import { Daemon } from '../daemon/daemon.js';
import { DEFAULT_RECONCILE_CRON, parseCron } from '../daemon/reconciler.js';
import { clockNote, type Clock } from '../clock.js';
import type { Store } from '../db/index.js';
import { webhookSecretFlag } from '../ui/flags.js';

export interface RunOptions {
  host: string;
  port: number;
  shadow?: boolean;
  once?: boolean;
  reconcile?: string;
  clock?: 'system' | 'emulator';
  concurrency?: number;
  /** `--webhook-secret` / RECOVER_WEBHOOK_SECRET: accepted besides the saved one, this run only. */
  webhookSecret?: string;
  /** `--adopt`: a restored copy of the database takes over from the retired original. */
  adopt?: boolean;
}


export async function runRun(opts: RunOptions, ctx: Context): Promise<void> {
  const reconcileCron = parseCron(opts.reconcile ?? DEFAULT_RECONCILE_CRON);
  opts = { ...opts, webhookSecret: opts.webhookSecret ?? ctx.io.env.RECOVER_WEBHOOK_SECRET };
  if (opts.webhookSecret !== undefined) webhookSecretFlag('--webhook-secret')(opts.webhookSecret);
  let clock: Clock | DaemonClock = ctx.clock;
  if (opts.clock === 'emulator') {
    // A Recharge-only database follows the Recharge emulator's clock (the same /_emulator/clock).
    const base = ctx.globals.stripeApiBase ?? ctx.readDb.settings.get()?.recharge?.apiBase;
    const emu = new EmulatorClock(EmulatorClock.check(base));
    await emu.start();
    clock = emu;
    ctx.io.stderr.write(clockNote('emulator', emu.now(), base!));
  }
  // The context's store with the daemon's options: bookkeeping times on its clock, and WAL
  // checkpoints in a background thread so no webhook ack or scheduler tick pays for one.
  const store = ctx.openDb({ clock, checkpoint: opts.once ? 'auto' : 'background' });
  try {
    // A pass still running after the grace and the cut (not in a Stripe call) ends with the exit,
    // as by a kill -9 (idempotency keys make that safe): the store is not closed under it.
    if (await serve(opts, ctx, store, clock, reconcileCron)) ctx.leaveOpen();
  } finally {
    (clock as DaemonClock).close?.();
  }
}

/** Returns true when calls may still be in flight (a stop that timed out). */
async function serve(opts: RunOptions, ctx: Context, store: Store, clock: Clock | DaemonClock, reconcileCron: string): Promise<boolean> {
  const settings = store.settings.require();
  const daemon = new Daemon({
    store, clock, logger: ctx.logger, gateway: (hooks) => ctx.gateway({ ...hooks, allowKeyless: true }), reconcileCron, shadow: opts.shadow ?? false,
    concurrency: opts.concurrency, http: opts.once ? null : { host: opts.host, port: opts.port }, webhookSecret: opts.webhookSecret, adopt: opts.adopt,
  });
  const mode = opts.shadow ? 'shadow' : settings.mode;
  if (opts.once) {
    const r = await daemon.runOnce();
    ctx.out.result({ mode, ...r, at: new Date(r.at).toISOString() });
    ctx.out.line(`One pass (${mode}): ${r.events} events processed, ${r.jobs} end-of-dunning jobs, ${r.attempts} attempts, ${r.swept} cases ended at their deadline${r.reconciled ? ', reconciled with Stripe' : ''}.`);
    return false;
  }
  // ctx.signal (the first SIGINT/SIGTERM, src/signals.ts): stop claiming, let calls in flight finish
  // (at most the stop grace). A second signal is the runner's: it returns at once with 128 + n.
  // Listened to before start-up: a signal during it stops the daemon once it has started.
  let started: Promise<void> = Promise.resolve();
  let stopping = false;
  const onStop = () => {
    if (stopping) return;
    stopping = true;
    ctx.logger.info({ signal: ctx.signal.reason }, 'stopping: no new attempts; finishing those in flight (again to exit at once)');
    void started.then(() => daemon.stop(), () => undefined);
  };
  ctx.signal.addEventListener('abort', onStop, { once: true });
  try {
    started = daemon.start();
    await started.catch((e: unknown) => {
      throw listenError(e, opts);
    });
    if (ctx.signal.aborted) onStop(); // aborted before the listener was added
    ctx.logger.info({ mode, baseline: settings.controlBaseline, reconcile: reconcileCron, clock: opts.clock ?? 'system' }, `recover run: ${daemon.url} (${daemon.routes().map((r) => r.split(' ')[0]).join(', ')})`);
    await daemon.stopped();
  } finally {
    ctx.signal.removeEventListener('abort', onStop);
  }
  ctx.logger.info({}, 'stopped');
  return daemon.stopTimedOut;
}

/**
 * The webhook server could not listen: a one-line usage error naming --port or --host (exit 2,
 * nothing started), not a stack trace. Anything else is passed on unchanged.
 */
function listenError(e: unknown, opts: Pick<RunOptions, 'host' | 'port'>): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return new UsageError(`--port ${opts.port} is already in use on ${opts.host} (accepted: a free port, 0 to 65535; ` +
      'is another recover run or server listening there?)');
  }
  if (code === 'EACCES') {
    return badValue('--port', opts.port, 'a port this user may open (1024 to 65535 without privileges)');
  }
  if (code !== undefined && ['ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EINVAL'].includes(code)) {
    return badValue('--host', opts.host, 'an address of this machine, e.g. 127.0.0.1, 0.0.0.0, ::1 or localhost');
  }
  return e;
}
