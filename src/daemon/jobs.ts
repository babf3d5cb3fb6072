/**
 * The end-of-dunning job runner: marks invoices uncollectible, sets subscriptions to cancel at
 * period end, cancels them (with or without proration) after the configured delay. Jobs are
 * claimed with a lease like attempts; each action is safe to repeat (Stripe idempotency key
 * `recover:job:<id>` on POSTs, and "already done" answers count as done), so a crash at any
 * point only repeats it. In shadow mode the would-be action is recorded instead.
 */
import type { Settings } from '../config/settings.js';
import { settingsForPlatform } from '../connectors/settings.js';
import type { ErrorClass } from '../connectors/types.js';
import type { Case, Job, Store } from '../db/index.js';
import { JOB_KINDS } from '../engine/decision.js';
import type { Logger } from '../log.js';
import { isGatewayError, isRetryable, needsOperator, type CallContext, type StripeGateway } from '../stripe/index.js';
import { backoffDelayMs, OPERATOR_WAIT_MS } from './backoff.js';
import { recordRecovery } from './case-ops.js';
import { drain } from './drain.js';
import type { DaemonMetrics } from './metrics.js';
import type { JobReport, RecoveryReport } from './types.js';

export interface JobDeps {
  store: Store;
  gw: StripeGateway;
  logger: Logger;
  metrics: DaemonMetrics;
  owner: string;
  leaseMs: number;
  concurrency: number;
  now(): number;
  ctxFor(accountId: string): CallContext | undefined;
  report(r: JobReport): void;
  recovered(r: RecoveryReport): void;
  /** The end-of-dunning action of a case on another platform (Recharge), and how its errors classify. */
  platformJob?(c: Case): PlatformJob | undefined;
  /**
   * Jobs of no case, by kind (the daily card-expiry scan, the card-update session poll): each
   * only reads Stripe, so shadow mode runs them too; the result text is the job's result. Each
   * schedules its own next run.
   */
  runners?: Readonly<Record<string, (settings: Settings) => Promise<string>>>;
}

export interface PlatformJob {
  run(job: Job, c: Case, settings: Settings): Promise<Done>;
  classify(e: unknown): ErrorClass;
}

const WHAT: Record<string, string> = {
  [JOB_KINDS.markUncollectible]: 'mark the invoice uncollectible',
  [JOB_KINDS.cancelAtPeriodEnd]: 'set the subscription to cancel at the end of its period',
  [JOB_KINDS.cancelSubscription]: 'cancel the subscription',
};

type Done = { outcome: 'done' | 'canceled' | 'failed'; result: string };

export class JobRunner {
  constructor(private readonly d: JobDeps) {}

  async runDue(settings: Settings, shouldStop: () => boolean): Promise<number> {
    return drain({
      concurrency: this.d.concurrency,
      shouldStop,
      claim: (limit) => this.d.store.jobs.claimDue(this.d.now(), this.d.leaseMs, limit, this.d.owner),
      run: async (jobs) => {
        await Promise.all(jobs.map((j) => this.one(j, settings)));
      },
    });
  }

  nextDueAt(): number | null {
    return this.d.store.jobs.nextDueAt();
  }

  private async one(job: Job, settings: Settings): Promise<void> {
    const runner = this.d.runners?.[job.kind];
    if (runner) return this.runKind(job, settings, runner);
    const { store } = this.d;
    const c = job.caseId === null ? undefined : store.cases.get(job.caseId);
    const what = WHAT[job.kind] ?? job.kind;
    let done: Done;
    if (!c) done = { outcome: 'failed', result: 'no case for this job' };
    else if (c.status === 'recovered') done = { outcome: 'canceled', result: 'the invoice was paid meanwhile' };
    else if (settingsForPlatform(settings, c.platform).mode === 'shadow') {
      this.finish(
        job,
        'shadow',
        `shadow mode: would ${what}`,
        c.id,
        `Shadow mode: would ${what} now; nothing was changed at Stripe.`,
      );
      return;
    } else {
      // The last lease check before Stripe; a try counts from here (as for attempts).
      if (!store.jobs.start(job.id, this.d.owner, this.d.now())) return;
      const tries = job.tries + 1;
      const platform = this.d.platformJob?.(c);
      try {
        done = platform
          ? await platform.run(job, c, settings)
          : await this.execute(job, c.accountId, c.invoiceId, c.id);
      } catch (e) {
        const message = (e as Error).message ?? String(e);
        // Transient: back off and retry. A refused key: wait for the operator, hourly. Anything
        // else (a 400, a 404, a bug) would fail the same way again: the job fails, recorded.
        const cls = platform?.classify(e);
        const retryable = platform ? cls === 'retryable' : isRetryable(e);
        if (retryable || (platform ? cls === 'operator' : needsOperator(e))) {
          const at = this.d.now() + (retryable ? backoffDelayMs(tries) : OPERATOR_WAIT_MS);
          store.jobs.release(job.id, this.d.owner, at);
          this.d.logger.warn(
            { job: job.id, kind: job.kind, err: message, retryAt: new Date(at).toISOString() },
            'end-of-dunning job given back',
          );
          this.d.report({ id: job.id, kind: job.kind, caseId: job.caseId, outcome: 'released', result: message });
          return;
        }
        if (!isGatewayError(e))
          this.d.logger.error({ job: job.id, kind: job.kind, err: message }, 'job failed unexpectedly');
        done = { outcome: 'failed', result: message };
      }
    }
    this.finish(
      job,
      done.outcome,
      done.result,
      c?.id ?? null,
      done.outcome === 'done' ? `Done: ${done.result}.` : `Not done (${done.outcome}): ${done.result}.`,
    );
  }

  /** A job of no case (`runners`): a failure is recorded; the runner has scheduled its next run. */
  private async runKind(job: Job, settings: Settings, run: (s: Settings) => Promise<string>): Promise<void> {
    if (!this.d.store.jobs.start(job.id, this.d.owner, this.d.now())) return;
    let done: Done;
    try {
      done = { outcome: 'done', result: await run(settings) };
    } catch (e) {
      done = { outcome: 'failed', result: (e as Error).message };
    }
    this.finish(job, done.outcome, done.result, null, done.result);
  }

  /** The Stripe action. Returns how it ended; throws for "try again later". */
  private async execute(job: Job, accountId: string, invoiceId: string, caseId: number): Promise<Done> {
    const { gw } = this.d;
    const ctx = { ...this.d.ctxFor(accountId), idempotencyKey: `recover:job:${job.id}` };
    const payload = (job.payload ?? {}) as { subscriptionId?: string; prorate?: boolean };
    switch (job.kind) {
      case JOB_KINDS.markUncollectible: {
        const inv = await gw.invoices.retrieve(invoiceId, {}, ctx);
        if (inv.status === 'uncollectible') return { outcome: 'done', result: 'the invoice was already uncollectible' };
        if (inv.status === 'paid') {
          const c = this.d.store.cases.get(caseId)!;
          const recovered = this.d.store.tx(() =>
            recordRecovery(this.d.store, c, { at: this.d.now(), by: 'customer', amount: inv.amount_paid }),
          );
          if (recovered)
            this.d.recovered({ caseId, invoiceId, by: 'customer', amount: inv.amount_paid, currency: c.currency });
          return { outcome: 'canceled', result: 'the invoice was paid meanwhile' };
        }
        if (inv.status !== 'open') return { outcome: 'canceled', result: `the invoice is ${inv.status}` };
        await gw.invoices.markUncollectible(invoiceId, ctx);
        return { outcome: 'done', result: `invoice ${invoiceId} marked uncollectible` };
      }
      case JOB_KINDS.cancelAtPeriodEnd: {
        if (!payload.subscriptionId) return { outcome: 'failed', result: 'no subscription id' };
        const sub = await gw.subscriptions.update(payload.subscriptionId, { cancel_at_period_end: true }, ctx);
        return { outcome: 'done', result: `subscription ${sub.id} cancels at period end` };
      }
      case JOB_KINDS.cancelSubscription: {
        if (!payload.subscriptionId) return { outcome: 'failed', result: 'no subscription id' };
        const sub = await gw.subscriptions.retrieve(payload.subscriptionId, {}, ctx);
        if (sub.status === 'canceled' || sub.status === 'incomplete_expired')
          return { outcome: 'done', result: `subscription ${sub.id} was already ${sub.status}` };
        await gw.subscriptions.cancel(payload.subscriptionId, { prorate: payload.prorate ?? false }, ctx);
        return {
          outcome: 'done',
          result: `subscription ${sub.id} canceled${payload.prorate ? ' with proration' : ''}`,
        };
      }
      default:
        return { outcome: 'failed', result: `unknown job kind ${job.kind}` };
    }
  }

  private finish(
    job: Job,
    outcome: 'done' | 'canceled' | 'failed' | 'shadow',
    result: string,
    caseId: number | null,
    reason: string,
  ): void {
    const { store } = this.d;
    const at = this.d.now();
    store.tx(() => {
      if (!store.jobs.finish(job.id, this.d.owner, outcome, at, result)) return;
      if (caseId !== null)
        store.decisions.add({
          caseId,
          at,
          action: outcome === 'done' || outcome === 'shadow' ? 'end' : 'note',
          kind: job.kind,
          reason,
        });
    });
    this.d.metrics.jobs.inc({ kind: job.kind, outcome });
    const what = caseId === null ? `job ${job.kind}` : 'end-of-dunning job';
    this.d.logger.info({ job: job.id, kind: job.kind, caseId, outcome, result }, what);
    this.d.report({ id: job.id, kind: job.kind, caseId, outcome, result });
  }
}
