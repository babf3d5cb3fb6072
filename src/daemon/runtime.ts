/**
 * The daemon's working parts, assembled once: inbox processor, job runner, scheduler/executor,
 * reconciler, sharing one store, one gateway, one clock and one policy context. `pass()` runs
 * them in order — events, end-of-dunning jobs, attempts, reconcile (when due), deadline sweep —
 * so within a process nothing of recover's runs concurrently with itself except the attempts of
 * one tick (which touch different cases).
 */
import type { Settings } from '../config/settings.js';
import type { Account, Store } from '../db/index.js';
import type { Logger } from '../log.js';
import type { CallContext, StripeGateway } from '../stripe/index.js';
import type { DaemonClock } from './clock.js';
import type { TypedEmitter } from './emitter.js';
import { stripeBillingConnector } from '../connectors/stripe/billing-connector.js';
import { apiConnector } from '../api/connector.js';
import { RechargeDaemonPart } from '../connectors/recharge/daemon-part.js';
import { rechargeSetup } from '../connectors/recharge/from-store.js';
import { AttemptExecutor } from './executor.js';
import type { HandlerDeps } from './handlers/index.js';
import { InboxProcessor } from './inbox.js';
import { intakeInvoice } from './intake.js';
import { JobRunner } from './jobs.js';
import type { DaemonMetrics } from './metrics.js';
import { PolicyContext } from './policy-context.js';
import { Reconciler } from './reconciler.js';
import { Scheduler } from './scheduler.js';
import { callContext } from './stripe-read.js';
import type { DaemonEvents, PassReport, RecoveryReport } from './types.js';
import { WebhookDeliverer } from '../outbox/deliver.js';
import { CARD_EXPIRY_JOB, ensureCardExpiryScan, runCardExpiryScan } from '../outbox/card-expiry.js';
import { pollSetupSessions, SETUP_POLL_JOB } from '../api/setup-sessions.js';

/** Wait after a failed reconcile, clock ms. */
const RECONCILE_RETRY_MS = 15 * 60_000;

interface RuntimeOptions {
  store: Store;
  gw: StripeGateway;
  clock: DaemonClock;
  logger: Logger;
  metrics: DaemonMetrics;
  events: TypedEmitter<DaemonEvents>;
  owner: string;
  /** The daemon still holds the single-daemon lease: checked before every charge. */
  mayAct(): boolean;
  /** This installation's id (metadata `recover_installation` on the invoices it manages). */
  installationId: string;
  leaseMs: number;
  concurrency: number;
  reconcileCron: string;
  /** Stripe Billing is set up (a Billing key saved); false: a Recovery-API-only merchant, no invoices to reconcile. */
  billing?: boolean;
  /** The Recovery API's gateway (its own Stripe key), for the `api` connector; undefined: none saved. */
  apiGateway?: () => StripeGateway | undefined;
  /** Forces mode shadow whatever the settings say (`--shadow`). */
  shadow: boolean;
}

export class Runtime {
  readonly policy: PolicyContext;
  readonly inbox: InboxProcessor;
  readonly executor: AttemptExecutor;
  readonly scheduler: Scheduler;
  readonly jobs: JobRunner;
  readonly reconciler: Reconciler;
  readonly webhooks: WebhookDeliverer;
  /** The Recharge store's part, when one is set up (`recover onboard recharge`). */
  readonly recharge: RechargeDaemonPart | undefined;
  private accounts: readonly Account[] = [];
  /** After a failed reconcile, not before this (clock ms). */
  private reconcileRetryAt = 0;
  /** The mode of the last pass, to log a switch (`recover go-live`) once. */
  private mode: Settings['mode'] | undefined;
  /** Whether a charge has been made since the daemon started or switched to live. */
  private chargedLive = false;

  constructor(private readonly o: RuntimeOptions) {
    const { store, gw, logger, metrics, events, owner, leaseMs, concurrency } = o;
    const now = () => o.clock.now();
    const ctxFor = this.ctxFor;
    const recovered = (r: RecoveryReport) => this.recovered(r);
    this.policy = new PolicyContext(store);
    const saved = store.settings.get();
    this.recharge = saved?.recharge
      ? new RechargeDaemonPart({
          store,
          setup: rechargeSetup(store, saved, store.path),
          policy: this.policy,
          logger,
          now,
        })
      : undefined;
    this.inbox = new InboxProcessor({
      store,
      logger,
      owner,
      leaseMs,
      platform: this.recharge,
      report: (r) => {
        metrics.processed.inc({ type: r.type, result: r.outcome === 'processed' ? 'ok' : r.outcome });
        events.emit('processed', r);
      },
    });
    const stripeBilling = stripeBillingConnector({ gw, ctxFor, installationId: o.installationId });
    const api = apiConnector({ store, gateway: () => o.apiGateway?.(), settings: () => this.settings(), now });
    this.executor = new AttemptExecutor({
      store,
      connectorFor: (platform) =>
        platform === 'stripe'
          ? stripeBilling
          : platform === 'api'
            ? api
            : platform === 'recharge'
              ? this.recharge?.connector
              : undefined,
      policy: this.policy,
      logger,
      owner,
      leaseMs,
      now,
      mayCharge: () => o.mayAct(),
    });
    this.executor.onRecovered = recovered;
    this.executor.onCharging = (r) => events.emit('charging', r);
    this.scheduler = new Scheduler({
      store,
      executor: this.executor,
      policy: this.policy,
      logger,
      metrics,
      owner,
      leaseMs,
      concurrency,
      now,
      report: (r) => {
        if (!this.chargedLive && (r.outcome === 'succeeded' || r.outcome === 'declined')) {
          this.chargedLive = true;
          logger.info(
            { invoice: r.invoiceId, attempt: r.n, outcome: r.outcome },
            'first live attempt: recover is charging',
          );
        }
        events.emit('attempt', r);
      },
    });
    this.jobs = new JobRunner({
      store,
      gw,
      logger,
      metrics,
      owner,
      leaseMs,
      concurrency,
      now,
      ctxFor,
      report: (r) => events.emit('job', r),
      recovered,
      platformJob: (c) =>
        c.platform === 'recharge' && this.recharge
          ? { run: (j, c0, s) => this.recharge!.job(j, c0, s), classify: (e) => this.recharge!.classify(e) }
          : undefined,
      runners: {
        [CARD_EXPIRY_JOB]: (s) =>
          runCardExpiryScan({ store, gw, apiGw: o.apiGateway?.(), settings: s, now: now(), logger, ctxFor }),
        [SETUP_POLL_JOB]: (s) =>
          pollSetupSessions({ store, gw: o.apiGateway?.(), policy: this.policy, settings: s, now: now(), logger }),
      },
    });
    const report = metrics.onDelivery;
    this.webhooks = new WebhookDeliverer({ store, logger, owner, leaseMs, concurrency, now, report });
    this.reconciler = new Reconciler({
      store,
      gw,
      logger,
      cron: o.reconcileCron,
      now,
      ctxFor,
      recovered,
      intake: (invoiceId, accountId, source) => this.intake(this.settings(), invoiceId, accountId, source),
    });
  }

  /** How to call Stripe for an account (Connect header or none): one lookup for every part. */
  private readonly ctxFor = (accountId: string): CallContext | undefined => callContext(accountId, this.accounts);

  settings(): Settings {
    const s = this.o.store.settings.require();
    return this.o.shadow ? { ...s, mode: 'shadow' } : s;
  }

  /** One pass over everything due now: events, jobs, attempts, the reconcile when due, the deadline sweep. */
  async pass(stop: () => boolean, opts: { reconcile?: 'when_due' | 'always' | 'never' } = {}): Promise<PassReport> {
    await this.o.clock.sync?.();
    const settings = this.settings();
    if (this.mode !== undefined && this.mode !== settings.mode) {
      this.o.logger.warn(
        { from: this.mode, to: settings.mode },
        settings.mode === 'live'
          ? 'switched to live mode: attempts now charge'
          : 'switched to shadow mode: attempts are recorded as would-be, nothing is charged',
      );
      this.chargedLive = false;
    }
    this.mode = settings.mode;
    // The Stripe parts (reconciler, handlers) work on Stripe accounts; a Recharge store has its own part.
    this.accounts = this.o.store.accounts.list().filter((a) => a.platform === 'stripe');
    const deps = this.handlerDeps(settings);
    const at = this.o.clock.now();
    let events = await this.inbox.drain(deps, stop);
    if (this.recharge && !stop() && at >= this.recharge.nextHealAt()) await this.healRecharge(settings);
    // Due work before the reconcile: a daemon that restarts often (or a slow Stripe) must not
    // spend every life re-listing before it retries anything. The executor re-reads each invoice
    // before charging, so nothing a missed webhook would have said is lost by this order.
    // card.expiring_soon is only worth its Stripe reads when result webhooks go somewhere.
    if (settings.resultWebhookUrl) ensureCardExpiryScan(this.o.store, at);
    const jobs = await this.jobs.runDue(settings, stop);
    const attempts = await this.scheduler.runDue(settings, stop);
    let reconciled = false;
    const mode = opts.reconcile ?? 'when_due';
    const whenDue = mode === 'when_due' && this.reconciler.isDue(at) && at >= this.reconcileRetryAt;
    // No Billing key (API-only) or no Stripe account (a Recharge-only database): nothing for Stripe's reconciler.
    const due = this.o.billing !== false && this.accounts.length > 0 && (mode === 'always' || whenDue);
    if (!stop() && due) {
      // A failing reconcile (Stripe down, a missing permission) must not hold up attempts and jobs.
      try {
        const r = await this.reconciler.run(settings, async () => (events += await this.inbox.drain(deps, stop)), stop);
        reconciled = r.complete;
        if (r.complete) this.o.events.emit('reconciled', r);
      } catch (e) {
        this.reconcileRetryAt = this.o.clock.now() + RECONCILE_RETRY_MS;
        this.o.logger.error(
          { err: (e as Error).message, retryAt: new Date(this.reconcileRetryAt).toISOString() },
          'reconcile failed',
        );
        this.o.events.emit('failure', { where: 'reconcile', message: (e as Error).message });
      }
    }
    const swept = stop() ? 0 : this.scheduler.sweep(settings);
    // Last, so the events this pass recorded go out in it.
    const webhooks = stop() ? 0 : await this.webhooks.runDue(settings, stop);
    this.o.metrics.outboxBacklog.set(this.o.store.outbox.pending());
    const report: PassReport = {
      at,
      events,
      jobs,
      attempts,
      swept,
      webhooks,
      reconciled,
      idle: events + jobs + attempts + swept + webhooks === 0 && !reconciled,
    };
    this.o.logger.debug({ ...report, inbox: this.o.store.events.countUnprocessed() }, report.idle ? 'idle' : 'pass');
    this.o.events.emit('pass', report);
    return report;
  }

  /** Earliest clock time at which something becomes due (attempt, job, deadline, reconcile, event retry). */
  nextWakeAt(): number | null {
    const now = this.o.clock.now();
    const reconcile =
      this.o.billing === false || this.accounts.length === 0
        ? null
        : this.reconciler.isDue(now)
          ? Math.max(now, this.reconcileRetryAt)
          : this.reconciler.nextAt(now);
    const times = [
      this.scheduler.nextDueAt(),
      this.jobs.nextDueAt(),
      reconcile,
      this.inbox.nextRetryAt(),
      this.webhooks.nextDueAt(this.settings()),
      this.recharge?.nextHealAt() ?? null,
    ].filter(
      (t): t is number => t !== null,
    );
    return times.length ? Math.min(...times) : null;
  }

  /** Recharge's webhooks re-listed (re-created if deleted) and missed failures backfilled; a failure waits an hour. */
  private async healRecharge(settings: Settings): Promise<void> {
    try {
      const r = await this.recharge!.heal(settings);
      if (r.created.length || r.backfilled) this.o.events.emit('rechargeHealed', r);
    } catch (e) {
      this.o.logger.error({ err: (e as Error).message }, 'Recharge heal failed; next try in an hour');
      this.o.events.emit('failure', { where: 'recharge_heal', message: (e as Error).message });
    }
  }

  /** A failed invoice into a case (webhook or reconciler alike), under the settings of the pass. */
  private intake(
    settings: Settings,
    invoiceId: string,
    accountId: string,
    source: Parameters<typeof intakeInvoice>[4],
  ) {
    const { store, gw } = this.o;
    const deps = {
      store,
      gw,
      policy: this.policy,
      settings,
      now: this.o.clock.now(),
      installationId: this.o.installationId,
    };
    return intakeInvoice(deps, invoiceId, accountId, this.ctxFor(accountId), source);
  }

  private handlerDeps(settings: Settings): HandlerDeps {
    const { store, gw, logger } = this.o;
    const main = this.accounts.find((a) => a.kind === 'main')?.id ?? null;
    const ctxFor = this.ctxFor;
    return {
      store,
      gw,
      policy: this.policy,
      settings,
      logger,
      accounts: this.accounts,
      ctxFor,
      now: () => this.o.clock.now(),
      accountOf: (f) => {
        const id = f.account ?? main;
        return id && this.accounts.some((a) => a.id === id) ? id : null;
      },
      intake: (invoiceId, accountId, source) => this.intake(settings, invoiceId, accountId, source),
      recovered: (r) => this.recovered(r),
    };
  }

  private recovered(r: RecoveryReport): void {
    this.o.metrics.recovered.inc({ currency: r.currency }, r.amount);
    this.o.metrics.recoveredCases.inc({ by: r.by });
    this.o.logger.info({ invoice: r.invoiceId, by: r.by, amount: r.amount, currency: r.currency }, 'recovered');
    this.o.events.emit('recovered', r);
  }
}
