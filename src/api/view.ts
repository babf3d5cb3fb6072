/**
 * A case as the API shows it (`GET /v1/recoveries/:id`): status, attempts, last decline, next
 * attempt, and what the merchant should do next with its reason (the policy's own explanation).
 */
import type { ApiRecovery, Case, Store } from '../db/index.js';
import { attemptByLabel, caseIdOfRecovery, recommendedActionFor, recoveryIdOf } from '../outbox/events.js';
import type { RecoveryView } from './schemas.js';

/** Recovery ids are the result webhooks' (`rcv_<case id>`, src/outbox/events.ts). */
export const recoveryId = recoveryIdOf;
/** The case id of `rcv_<n>`, or undefined for anything else. */
export function caseIdOf(id: string): number | undefined {
  return caseIdOfRecovery(id) ?? undefined;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A decline the customer can fix (another card, funds, the right CVC…): the result webhooks' list. */
export function customerFixable(declineCode: string | null): boolean {
  return recommendedActionFor(declineCode) === 'request_card_update';
}

export function statusOf(c: Case): RecoveryView['status'] {
  switch (c.status) {
    case 'in_dunning':
    case 'observing':
      return 'scheduled';
    case 'waiting_card_update':
    case 'needs_customer_action':
      return c.status;
    case 'recovered':
      return 'succeeded';
    case 'lost':
      return 'failed';
    case 'hard_declined':
      return 'blocked';
    case 'closed':
      return 'canceled';
  }
}

export function recommendedActionOf(c: Case, status: RecoveryView['status']): RecoveryView['recommendedAction'] {
  switch (status) {
    case 'scheduled':
      return 'retry_scheduled';
    case 'waiting_card_update':
    case 'needs_customer_action':
      return 'request_card_update';
    case 'blocked':
    case 'failed':
      return recommendedActionFor(c.lastDeclineCode, c.closedReason ?? undefined);
    default:
      return 'none';
  }
}

export function buildView(store: Store, c: Case, r: ApiRecovery | undefined): RecoveryView {
  const attempts = store.attempts.listForCase(c.id);
  const pending = attempts.find((a) => a.finishedAt === null);
  const latest = store.decisions.latestForCase(c.id);
  const status = statusOf(c);
  const retry = [...store.decisions.listForCase(c.id)].reverse().find((d) => d.attemptId === pending?.id);
  return {
    id: recoveryId(c.id),
    object: 'recovery',
    status,
    invoiceId: c.invoiceId,
    customerId: r?.customerId ?? c.customerId,
    amount: c.amountDue,
    currency: c.currency,
    customerPresent: r?.customerPresent ?? false,
    metadata: r?.metadata ?? null,
    arm: c.arm,
    attempts: attempts.map((a) => ({
      n: a.n,
      by: attemptByLabel(c.platform, a.by) as RecoveryView['attempts'][number]['by'],
      at: iso(a.finishedAt ?? a.scheduledAt),
      outcome: a.outcome,
      declineCode: a.declineCode,
      amount: a.amount,
    })),
    lastDecline:
      c.lastDeclineCode || c.lastFailedAt
        ? {
            declineCode: c.lastDeclineCode,
            adviceCode: c.lastAdviceCode,
            networkAdviceCode: c.lastNetworkAdviceCode,
            at: iso(c.lastFailedAt),
          }
        : null,
    nextAttempt: pending?.scheduledAt ? { at: iso(pending.scheduledAt)!, reason: retry?.reason ?? '' } : null,
    recommendedAction: recommendedActionOf(c, status),
    reason: r?.canceledReason ?? latest?.reason ?? c.closedReason ?? '',
    amountRecovered: c.recoveredAmount,
    createdAt: iso(c.createdAt)!,
    endedAt: iso(c.endedAt),
  };
}
