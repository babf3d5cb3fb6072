/**
 * Applying a policy decision to the store: the case status it implies, the attempt it
 * schedules, the decision log entry (with its reason, for `recover explain`), and at the end of
 * dunning the configured subscription/invoice actions as crash-safe jobs run by the daemon.
 */
import { parseBaseline, type Settings } from '../config/settings.js';
import { settingsForPlatform } from '../connectors/settings.js';
import type { Case, CaseStatus, NewJob, Store } from '../db/index.js';
import type { Arm, Decision } from '../policy/index.js';

/** Job kinds the daemon's job runner executes. */
export const JOB_KINDS = {
  markUncollectible: 'invoice_mark_uncollectible',
  cancelAtPeriodEnd: 'subscription_cancel_at_period_end',
  cancelSubscription: 'subscription_cancel',
} as const;

/** Does recover itself retry this arm (and so pause Stripe's retries on it)? */
export function recoverRetries(arm: Arm, settings: Settings): boolean {
  return arm === 'treatment' || parseBaseline(settings.controlBaseline).kind === 'fixed';
}

export function statusFor(d: Decision, current: CaseStatus): CaseStatus {
  switch (d.action) {
    case 'retry':
      return 'in_dunning';
    case 'wait':
      return d.kind === 'observe' ? 'observing' : 'waiting_card_update';
    case 'stop':
      return d.kind === 'hard_decline' ? 'hard_declined' : 'lost';
    default:
      return current;
  }
}

/** End-of-dunning jobs for a case (none for arms Stripe runs, nor when actions are `leave`). */
export function endOfDunningJobs(c: Case, shared: Settings, now: number): NewJob[] {
  const settings = settingsForPlatform(shared, c.platform); // a Recharge store's own end action
  // An API case's invoice is the merchant's own: no platform-side end actions.
  if (c.platform === 'api' || !recoverRetries(c.arm, settings)) return [];
  const jobs: NewJob[] = [];
  if (settings.invoiceAction === 'mark_uncollectible') {
    jobs.push({
      kind: JOB_KINDS.markUncollectible,
      dedupeKey: `${JOB_KINDS.markUncollectible}:${c.id}`,
      caseId: c.id,
      runAt: now,
    });
  }
  const sub = settings.subscriptionAction;
  if (c.subscriptionId && sub.type === 'cancel_at_period_end') {
    jobs.push({
      kind: JOB_KINDS.cancelAtPeriodEnd,
      dedupeKey: `${JOB_KINDS.cancelAtPeriodEnd}:${c.id}`,
      caseId: c.id,
      runAt: now,
      payload: { subscriptionId: c.subscriptionId },
    });
  } else if (c.subscriptionId && sub.type === 'cancel_after_delay') {
    const from = settings.delayFrom === 'invoice_created' ? c.invoiceCreatedAt : now;
    jobs.push({
      kind: JOB_KINDS.cancelSubscription,
      dedupeKey: `${JOB_KINDS.cancelSubscription}:${c.id}`,
      caseId: c.id,
      runAt: Math.max(now, from + sub.delayMs),
      payload: { subscriptionId: c.subscriptionId, prorate: sub.prorate },
    });
  }
  return jobs;
}

export interface ApplyOptions {
  /** The case row already carries the decision's status (a fresh intake). */
  statusAlreadySet?: boolean;
}

/** Writes one decision. Call inside `store.tx`. Returns the scheduled attempt id for a retry. */
export function applyDecision(
  store: Store,
  c: Case,
  d: Decision,
  settings: Settings,
  now: number,
  opts: ApplyOptions = {},
): number | undefined {
  const status = statusFor(d, c.status);
  if (!opts.statusAlreadySet && status !== c.status && status !== 'recovered') {
    store.cases.setStatus(c.id, status as Exclude<CaseStatus, 'recovered'>, {
      at: now,
      closedReason: d.action === 'stop' ? d.kind : null,
    });
  }
  if (d.action === 'retry') {
    const pending = store.attempts.pendingForCase(c.id);
    const attempt =
      pending && store.attempts.reschedule(c.id, d.at, now)
        ? store.attempts.get(pending.id)!
        : (pending ?? store.attempts.schedule(c.id, d.at));
    store.decisions.add({
      caseId: c.id,
      at: now,
      action: 'retry',
      retryAt: d.at,
      reason: d.reason,
      attemptId: attempt.id,
      inputs: d.learnAs ? { learnAs: d.learnAs, estimate: d.estimate } : null,
    });
    return attempt.id;
  }
  store.attempts.cancelPending(c.id, now, `${d.action}: ${d.kind}`);
  store.decisions.add({
    caseId: c.id,
    at: now,
    action: d.action === 'wait' && d.kind === 'observe' ? 'observe' : d.action,
    kind: d.kind,
    reason: d.reason,
  });
  if (d.action === 'stop') {
    for (const job of endOfDunningJobs(c, settings, now)) {
      const { inserted } = store.jobs.schedule(job);
      if (inserted)
        store.decisions.add({ caseId: c.id, at: now, action: 'end', kind: job.kind, reason: describeJob(job) });
    }
  }
  return undefined;
}

export function describeJob(job: NewJob): string {
  const when = new Date(job.runAt).toISOString().replace('.000Z', 'Z');
  switch (job.kind) {
    case JOB_KINDS.markUncollectible:
      return `End of dunning: the invoice will be marked uncollectible (${when}).`;
    case JOB_KINDS.cancelAtPeriodEnd:
      return `End of dunning: the subscription will be set to cancel at period end (${when}).`;
    case JOB_KINDS.cancelSubscription:
      return `End of dunning: the subscription will be canceled at ${when}${(job.payload as { prorate?: boolean })?.prorate ? ', prorated' : ''}.`;
    default:
      return `End of dunning: ${job.kind} at ${when}.`;
  }
}
