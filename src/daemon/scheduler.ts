/**
 * The scheduler's tick: claim due attempts through the `attempts_due` index with a lease, in one
 * transaction, at most `concurrency` at a time (Stripe's rate limit is shared by every call
 * through the gateway's limiter), and run them; then end the cases whose dunning deadline has
 * passed. The claim is the only database work on the hot path: it costs the same with ten or a
 * million cases in the store.
 */
import type { Settings } from '../config/settings.js';
import { isTerminalStatus, type Attempt, type Store } from '../db/index.js';
import { recoverRetries } from '../engine/decision.js';
import type { Logger } from '../log.js';
import { backoffDelayMs } from './backoff.js';
import { closeCase, redecide } from './case-ops.js';
import { drain } from './drain.js';
import type { AttemptExecutor } from './executor.js';
import type { DaemonMetrics } from './metrics.js';
import type { PolicyContext } from './policy-context.js';
import type { AttemptReport } from './types.js';

export interface SchedulerDeps {
  store: Store;
  executor: AttemptExecutor;
  policy: PolicyContext;
  logger: Logger;
  metrics: DaemonMetrics;
  owner: string;
  leaseMs: number;
  concurrency: number;
  now(): number;
  report(r: AttemptReport): void;
}

/** Cases ended per sweep; the rest wait for the next tick. */
const SWEEP_LIMIT = 200;

export class Scheduler {
  constructor(private readonly d: SchedulerDeps) {}

  /** Claims and runs due attempts until none is due (or `shouldStop`); returns how many ran. */
  async runDue(settings: Settings, shouldStop: () => boolean): Promise<number> {
    const { store, metrics, owner } = this.d;
    return drain({
      concurrency: this.d.concurrency,
      shouldStop,
      claim: (limit) => {
        const now = this.d.now();
        const t0 = performance.now();
        const claimed = store.attempts.claimDue(now, this.d.leaseMs, limit, owner);
        metrics.tickSeconds.observe((performance.now() - t0) / 1000);
        if (claimed.length > 0) metrics.lag.set(Math.max(0, ...claimed.map((a) => now - a.scheduledAt)) / 1000);
        return claimed;
      },
      run: async (claimed) => {
        const reports = await Promise.all(
          claimed.map((a) => this.d.executor.run(a, settings).catch((e) => this.crashed(a, e))),
        );
        for (const r of reports) this.log(r);
      },
    });
  }

  /** A bug or a closed database: give the attempt back (started_at kept, so the key) and go on. */
  private crashed(a: Attempt, e: unknown): AttemptReport {
    try {
      this.d.store.attempts.release(a.id, this.d.owner, this.d.now() + backoffDelayMs(Math.max(1, a.tries)));
    } catch {
      /* closing */
    }
    this.d.logger.error({ attempt: a.n, caseId: a.caseId, err: (e as Error).message }, 'attempt crashed');
    return {
      caseId: a.caseId,
      invoiceId: '?',
      accountId: '?',
      n: a.n,
      outcome: 'released',
      declineCode: null,
      next: 'retry later',
      resumed: a.startedAt !== null,
    };
  }

  /** Ends active cases whose dunning deadline has passed; returns how many. */
  sweep(settings: Settings): number {
    const { store } = this.d;
    const now = this.d.now();
    let n = 0;
    for (const c of store.cases.listPastDeadline(now, SWEEP_LIMIT)) {
      const pending = store.attempts.pendingForCase(c.id);
      if (pending && pending.startedAt !== null) continue; // a call in flight is resolved first
      store.tx(() => {
        if (c.status === 'observing' || !recoverRetries(c.arm, settings)) {
          closeCase(store, c, {
            at: now,
            status: 'lost',
            kind: 'dunning_over',
            reason:
              "The dunning window ended and Stripe's own retries did not recover the invoice (control group, observed only).",
          });
        } else {
          redecide(store, this.d.policy, c.id, settings, now);
        }
        const after = store.cases.get(c.id)!;
        if (!isTerminalStatus(after.status)) {
          closeCase(store, after, {
            at: now,
            status: 'lost',
            kind: 'dunning_over',
            reason: 'The dunning window ended.',
          });
        }
      });
      n++;
    }
    return n;
  }

  /** Earliest clock time any attempt may be claimed, or a deadline passes; null if nothing pending. */
  nextDueAt(): number | null {
    const a = this.d.store.attempts.nextDueAt();
    const deadline = this.d.store.cases.listPastDeadline(Number.MAX_SAFE_INTEGER, 1)[0]?.dunningDeadline ?? null;
    if (a === null) return deadline;
    return deadline === null ? a : Math.min(a, deadline);
  }

  private log(r: AttemptReport): void {
    this.d.metrics.attempts.inc({ outcome: r.outcome });
    const fields = {
      invoice: r.invoiceId,
      account: r.accountId,
      attempt: r.n,
      outcome: r.outcome,
      declineCode: r.declineCode,
      next: r.next,
      ...(r.resumed ? { resumed: true } : {}),
    };
    if (r.outcome === 'released') this.d.logger.warn(fields, 'attempt');
    else this.d.logger.info(fields, 'attempt');
    this.d.report(r);
  }
}
