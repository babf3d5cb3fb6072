/**
 * `recover run`, as an object: starting → running → stopping → stopped.
 *
 *   const daemon = new Daemon({ store, clock, http: { host: '127.0.0.1', port: 4242 } });
 *   await daemon.start();                 // lock, HTTP server, background loop
 *   await daemon.waitFor('attempt', (r) => r.invoiceId === 'in_123');
 *   await daemon.settle();                // passes until nothing is due (tests, demo)
 *   await daemon.stop();                  // stop claiming, finish in flight (bounded), close
 *
 * The loop sleeps until the next due time on the daemon's clock, a new webhook, or a jump of a
 * fake/emulator clock. Passes never overlap (a small mutex), whoever asks for them.
 */
import { ConfigError } from '../errors.js';
import type { Clock } from '../clock.js';
import { adoptInstallation, installation, type Store } from '../db/index.js';
import { silentLogger, type Logger } from '../log.js';
import { savedApiGateway, savedGateway, type GatewayHooks } from '../composition.js';
import type { StripeGateway } from '../stripe/index.js';
import { daemonClock, type DaemonClock } from './clock.js';
import { TypedEmitter } from './emitter.js';
import { evaluateHealth, type HealthCheck } from './health.js';
import { DaemonLease, newOwnerId } from './lock.js';
import { DaemonMetrics } from './metrics.js';
import { DEFAULT_RECONCILE_CRON, parseCron } from './reconciler.js';
import { Runtime } from './runtime.js';
import { transition } from './state.js';
import type { DaemonEvents, DaemonState, PassReport } from './types.js';
import { Waker } from './waker.js';
import { WebhookServer, type PlatformReceiver } from './webhook-server.js';
import { mountApi, type ApiParts } from '../api/mount.js';
import { RECHARGE_WEBHOOK_PATH } from '../connectors/recharge/webhook-heal.js';

export interface DaemonOptions {
  store: Store;
  /** Default: the system clock. A FakeClock or an EmulatorClock makes the daemon follow it. */
  clock?: Clock | DaemonClock;
  logger?: Logger;
  /**
   * Default: built from the saved keys (src/composition.ts) with `apiBase`. A function receives
   * the daemon's hooks (every call reported to /metrics; the stop signal that cuts calls still in
   * flight when the stop grace runs out) — `recover run` passes the context's `gateway`.
   */
  gateway?: StripeGateway | ((hooks: GatewayHooks) => StripeGateway);
  apiBase?: string;
  rateLimitPerSec?: number;
  /** Where the webhook server listens; null = no server (`--once`, tests driving passes). */
  http?: { host: string; port: number } | null;
  shadow?: boolean;
  reconcileCron?: string;
  /** Attempts (and jobs) run at once. Default 4. */
  concurrency?: number;
  /** Lease on a claimed attempt or job, clock ms. Default 10 min. */
  leaseMs?: number;
  /** How long `stop()` waits for calls in flight, wall ms. Default 10 000. */
  stopTimeoutMs?: number;
  /** Run the background loop (default true); false = only settle()/runOnce() do work. */
  loop?: boolean;
  /** How long the webhook signing secrets are cached, wall ms (default 1000). */
  secretsTtlMs?: number;
  /** Also accept events signed with this secret, for this run only (`stripe listen`'s `whsec_…`). */
  webhookSecret?: string;
  /** Wall clock of the single-daemon lease, epoch ms (default Date.now; tests jump it). */
  wallNow?: () => number;
  /** This database file is a copy (a restore) and the original installation is retired: adopt it. */
  adopt?: boolean;
  /** The Recovery API's gateway (its own Stripe key); default: built from the saved `api_stripe_key`. */
  apiGateway?: StripeGateway;
  /** The Recovery API's per-key rate limit (default 100 requests/s, bursts of 200). */
  apiRateLimit?: { perSec: number; burst: number };
}

export class Daemon extends TypedEmitter<DaemonEvents> {
  readonly metrics: DaemonMetrics;
  readonly owner = newOwnerId();
  readonly clock: DaemonClock;
  private _state: DaemonState = 'idle';
  private runtime: Runtime | undefined;
  private server: WebhookServer | undefined;
  private waker: Waker | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private passChain: Promise<unknown> = Promise.resolve();
  private lease: DaemonLease | undefined;
  /** Written into the metadata of every invoice this installation manages. */
  private installationId = '';
  /** Loop passes failed in a row, and the last error (for health). */
  private failedPasses = 0;
  /** The last stop() gave up waiting for calls in flight (they may still be running). */
  stopTimedOut = false;
  private lastError: string | null = null;
  private stopping: Promise<void> | undefined;
  /** The setup of start() (lock, server); stop() waits for it instead of tearing down under it. */
  private starting: Promise<void> | undefined;
  private tornDown: Promise<void> | undefined;
  /**
   * Aborted when stop() begins: every pass reads it before claiming, so nothing new is taken up.
   * Handed to in-flight work via `signal`.
   */
  private readonly abort = new AbortController();
  /**
   * Aborted when the stop grace runs out: the gateway ends the calls still in flight
   * (StripeUnavailable 'stopped', retried with the same key on the next start) instead of the
   * store being closed or the process exiting under them.
   */
  private readonly cut = new AbortController();
  private readonly logger: Logger;
  /** The webhook server's base URL once listening. */
  url: string | undefined;

  constructor(private readonly o: DaemonOptions) {
    super();
    this.clock = 'realTime' in (o.clock ?? {}) ? (o.clock as DaemonClock) : daemonClock(o.clock as Clock | undefined);
    this.logger = o.logger ?? silentLogger;
    this.metrics = new DaemonMetrics(() => o.store.events.countUnprocessed());
  }

  get state(): DaemonState {
    return this._state;
  }

  /** Aborted once stop() has begun. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Moves along TRANSITIONS (state.ts); an illegal move throws instead of being taken. */
  private setState(s: DaemonState): void {
    this._state = transition(this._state, s);
    this.metrics.setState(s);
    this.logger.debug({ state: s }, 'daemon state');
    this.emit('state', s);
  }

  /** Takes the lock, starts the webhook server and the loop. */
  async start(): Promise<void> {
    if (this._state !== 'idle') throw new Error(`daemon already ${this._state}`);
    this.setState('starting');
    this.starting = this.setUp();
    try {
      await this.starting;
    } catch (e) {
      await this.teardown();
      throw e;
    }
    // stop() was called during the setup: it tears down from here, and no loop is started.
    if (this.abort.signal.aborted) return;
    this.setState('running');
    if (this.o.loop !== false) this.loopDone = this.loop();
  }

  private async setUp(): Promise<void> {
    {
      this.init();
      if (this.o.http) {
        const apiOnly = Boolean(this.o.store.secrets.get('api_stripe_key'));
        const rechargeOnly = !this.o.store.secrets.get('primary_key') && Boolean(this.runtime?.recharge);
        if (!rechargeOnly && !apiOnly && !this.o.webhookSecret && !this.o.store.secrets.get('webhook_secret')) {
          throw new ConfigError(
            'no webhook signing secret saved',
            'run recover onboard stripe, or pass --webhook-secret (e.g. from stripe listen)',
          );
        }
        this.server = new WebhookServer({
          store: this.o.store,
          clock: this.clock,
          metrics: this.metrics,
          events: this,
          logger: this.logger,
          state: () => this._state,
          health: () => this.health(),
          onEvent: () => this.waker?.signal(),
          secretsTtlMs: this.o.secretsTtlMs,
          extraSecret: this.o.webhookSecret,
          api: mountApi(this.apiParts()),
          platformRoutes: this.platformRoutes(),
        });
        const where = await this.server.listen(this.o.http.port, this.o.http.host);
        this.url = where.url;
        this.logger.info({ url: where.url, routes: this.routes() }, `listening: ${this.routes().join(', ')}`);
      }
    }
  }

  /** `--once`: one pass without a server, then release everything. */
  async runOnce(): Promise<PassReport> {
    if (this._state !== 'idle') throw new Error(`daemon already ${this._state}`);
    this.setState('starting');
    try {
      this.init();
      this.setState('running');
      return await this.pass();
    } finally {
      if (this.state !== 'stopping' && this.state !== 'stopped') this.setState('stopping'); // unless stop() did
      await this.teardown();
    }
  }

  /** Runs passes until one finds nothing to do; returns how many passes did work. */
  async settle(maxPasses = 1000): Promise<number> {
    let worked = 0;
    for (let i = 0; i < maxPasses && this._state === 'running'; i++) {
      const r = await this.pass();
      if (r.idle) return worked;
      worked++;
    }
    return worked;
  }

  /** Stop claiming, let calls in flight finish (at most stopTimeoutMs), close the server; idempotent. */
  stop(): Promise<void> {
    this.abort.abort();
    this.stopping ??= (async () => {
      if (this._state === 'idle') {
        this.setState('stopped');
        return;
      }
      if (this._state === 'starting') {
        // A start in progress finishes its setup first (or fails and tears down by itself).
        await this.starting?.catch(() => undefined);
        await this.tornDown;
      }
      // runOnce() ending, or a failed start: its own teardown is under way.
      if (this.state === 'stopping' || this.state === 'stopped') return this.tornDown;
      this.setState('stopping'); // synchronously when running: /healthz says 503 from here
      this.waker?.signal();
      const limit = this.o.stopTimeoutMs ?? 10_000;
      const settled = Promise.all([this.loopDone, this.passChain]).then(() => false as const);
      let timedOut = await within(settled, limit);
      if (timedOut) {
        this.logger.warn(
          { waitedMs: limit },
          'stopping with calls still in flight; a restart resumes them with the same idempotency keys',
        );
        // Cut them: each ends at once and is given back (same attempt, same key). Only a pass stuck
        // outside a Stripe call is still running after CUT_SETTLE_MS, and then the store stays open.
        this.cut.abort();
        timedOut = await within(settled, CUT_SETTLE_MS);
      }
      this.stopTimedOut = timedOut;
      await this.teardown();
    })();
    return this.stopping;
  }

  /** Resolves when the daemon has stopped. */
  stopped(): Promise<void> {
    if (this._state === 'stopped') return Promise.resolve();
    return this.waitFor('state', (s) => s === 'stopped', 2 ** 31 - 1).then(() => undefined);
  }

  /** Earliest clock time something becomes due, or null. */
  nextWakeAt(): number | null {
    return this.runtime?.nextWakeAt() ?? null;
  }

  /** One pass now (serialized with the loop's passes). */
  pass(opts: { reconcile?: 'when_due' | 'always' | 'never' } = {}): Promise<PassReport> {
    // Nothing is claimed or charged unless this daemon still holds the lock's lease.
    const run = async () =>
      this.runtime!.pass(() => this.abort.signal.aborted || this._state !== 'running' || !this.mayAct(), opts);
    const p = this.passChain.then(run, run);
    this.passChain = p.catch(() => undefined);
    return p;
  }

  private init(): void {
    const { store } = this.o;
    store.settings.require(); // onboarded, or exit 2 naming onboard
    this.lease = new DaemonLease(
      store,
      this.owner,
      () => {
        this.logger.error({}, 'another daemon took the lock of this database; stopping (no further claims or charges)');
        void this.stop();
      },
      this.o.wallNow,
    );
    const released = this.lease.acquire();
    this.lease.startRenewing();
    const inst = this.o.adopt ? adoptInstallation(store.meta, store.path) : installation(store.meta, store.path);
    if (inst.copied) {
      this.lease.release();
      throw new ConfigError(
        `${store.path} is a copy of installation ${inst.id} (a restored backup or a second deployment): two copies would retry the same invoices`,
        'stop the other copy; if it is retired for good, start this one with recover run --adopt',
      );
    }
    this.installationId = inst.id;
    if (released.attempts + released.jobs > 0) {
      this.logger.info(
        { attempts: released.attempts, jobs: released.jobs },
        'resuming work interrupted by a previous daemon (same idempotency keys)',
      );
    }
    const hooks: GatewayHooks = { onCall: this.metrics.onStripeCall, signal: this.cut.signal };
    const { gateway } = this.o;
    const gw = typeof gateway === 'function' ? gateway(hooks) : (gateway ?? this.savedGateway(hooks));
    this.waker = new Waker(this.clock);
    this.runtime = new Runtime({
      store,
      gw,
      clock: this.clock,
      logger: this.logger,
      metrics: this.metrics,
      events: this,
      owner: this.owner,
      mayAct: () => this.mayAct(),
      installationId: this.installationId,
      leaseMs: this.o.leaseMs ?? 10 * 60_000,
      concurrency: this.o.concurrency ?? 4,
      reconcileCron: parseCron(this.o.reconcileCron ?? DEFAULT_RECONCILE_CRON),
      shadow: this.o.shadow ?? false,
      apiGateway: () => this.o.apiGateway ?? this.apiGateway(),
      // Billing work (the reconciler) needs a Billing key: saved, or a gateway object given by a test or bench.
      billing: (Boolean(this.o.gateway) && typeof this.o.gateway !== 'function') || Boolean(store.secrets.get('primary_key')),
    });
  }

  /** What this database serves on the port (for the start-up log): only the integrations it is set up for. */
  routes(): string[] {
    const { store } = this.o;
    const stripe = this.o.webhookSecret || store.secrets.get('webhook_secret') || store.secrets.get('primary_key');
    return [
      ...(stripe ? ['/stripe/webhook (Stripe events)'] : []),
      ...(store.secrets.get('api_stripe_key') ? ['/v1/ (the Recovery API)'] : []),
      ...Object.keys(this.platformRoutes()).map((p) => `${p} (Recharge events)`),
      '/healthz',
      '/metrics',
    ];
  }

  /** What the Recovery API shares with the loop (src/api/mount.ts builds it on first request). */
  private apiParts(): ApiParts {
    const { store } = this.o;
    return {
      store,
      logger: this.logger,
      policy: () => this.runtime!.policy,
      settings: () => this.runtime!.settings(),
      now: () => this.clock.now(),
      gateway: () => this.o.apiGateway ?? this.apiGateway(),
      wake: () => this.waker?.signal(),
      owner: this.owner,
      leaseMs: this.o.leaseMs ?? 10 * 60_000,
      mayCharge: () => this.mayAct(),
      rateLimit: this.o.apiRateLimit,
    };
  }

  private apiGw: StripeGateway | undefined;
  private apiGateway(): StripeGateway | undefined {
    const { apiBase, rateLimitPerSec } = this.o;
    this.apiGw ??= savedApiGateway(this.o.store, {
      apiBase,
      rateLimitPerSec,
      logger: this.logger,
      onCall: this.metrics.onStripeCall,
    });
    return this.apiGw;
  }

  /** `POST /recharge/webhooks` when a Recharge store is set up. */
  private platformRoutes(): Record<string, PlatformReceiver> {
    const rc = this.runtime?.recharge;
    return rc ? { [RECHARGE_WEBHOOK_PATH]: (body, headers) => rc.receive(body, headers) } : {};
  }

  private savedGateway(hooks: GatewayHooks): StripeGateway {
    const { apiBase, rateLimitPerSec } = this.o;
    return savedGateway(this.o.store, { apiBase, rateLimitPerSec, logger: this.logger, allowKeyless: true, ...hooks });
  }

  private async loop(): Promise<void> {
    while (this._state === 'running') {
      let idle = true;
      let failed = false;
      try {
        idle = (await this.pass()).idle;
        this.failedPasses = 0;
      } catch (e) {
        failed = true;
        this.failedPasses++;
        this.lastError = (e as Error).message;
        this.logger.error({ err: (e as Error).message }, 'daemon pass failed');
        this.emit('failure', { where: 'pass', message: (e as Error).message });
      }
      if (this._state !== 'running') break;
      const next = this.nextWakeAt();
      const stuck = failed || (idle && next !== null && next <= this.clock.now());
      // Something due but not doable now (e.g. a deadline behind a call in flight): back off 1 s.
      await this.waker!.wait(stuck ? null : next, stuck ? 1000 : undefined);
    }
  }

  /** Holds the single-daemon lease (renewing it if it is about to run out). */
  private mayAct(): boolean {
    return this.lease?.held() ?? false;
  }

  /** Every health check (health.ts), also published as `recover_health_check` gauges. */
  health(): { healthy: boolean; checks: HealthCheck[]; nextDueAt?: string | null; now?: string } {
    const { store } = this.o;
    let result: { healthy: boolean; checks: HealthCheck[] };
    let extra = {};
    try {
      const oldest = store.events.listUnprocessed(1)[0];
      const next = this.nextWakeAt();
      result = evaluateHealth({
        daemonHolds: this._state === 'running' && this.mayAct(),
        now: this.clock.now(),
        nextAttemptDueAt: store.attempts.nextDueAt(),
        failedPasses: this.failedPasses,
        lastError: this.lastError,
        inboxBacklog: store.events.countUnprocessed(),
        oldestUnprocessedAt: oldest?.receivedAt ?? null,
        diskWritable: probeWrite(store),
        wallNow: Date.now(),
      });
      extra = {
        nextDueAt: next === null ? null : new Date(next).toISOString(),
        now: new Date(this.clock.now()).toISOString(),
      };
    } catch (e) {
      result = {
        healthy: false,
        checks: [{ name: 'disk', ok: false, detail: `the database cannot be read: ${(e as Error).message}` }],
      };
    }
    for (const c of result.checks) this.metrics.health.set({ check: c.name }, c.ok ? 1 : 0);
    return { ...result, ...extra };
  }

  /** Once, whoever asks first (a failed start, stop()). */
  private teardown(): Promise<void> {
    this.tornDown ??= (async () => {
      await this.server?.close();
      this.waker?.close();
      this.clock.close?.();
      this.lease?.release();
      this.setState('stopped');
    })();
    return this.tornDown;
  }
}

/** After the grace, how long the cut calls get to hand their attempts back, wall ms. */
const CUT_SETTLE_MS = 1_000;

/** True when `done` has not settled within `ms` (wall ms). */
async function within(done: Promise<false>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<true>((r) => (timer = setTimeout(() => r(true), ms)));
  const result = await Promise.race([done, late]);
  clearTimeout(timer);
  return result;
}

/** A write the database must accept (a full disk or a read-only file refuses it). */
function probeWrite(store: Store): boolean {
  try {
    store.meta.set('health_probe', String(Date.now()));
    return true;
  } catch {
    return false;
  }
}
