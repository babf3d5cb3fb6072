/**
 * A case as the API shows it (`GET /v1/recoveries/:id`): status, attempts, last decline, next
 * attempt, and what the merchant should do next with its reason (the policy's own explanation).
 */
import type { ApiRecovery, Case, Store } from '../db/index.js';
import { DECLINE_CODES } from '../policy/index.js';
import type { RecoveryView } from './schemas.js';

export const RECOVERY_ID_PREFIX = 'rec_';
export const recoveryId = (caseId: number): string => `${RECOVERY_ID_PREFIX}${caseId}`;
/** The case id of `rec_<n>`, or undefined for anything else. */
export function caseIdOf(id: string): number | undefined {
  const m = /^rec_([1-9]\d{0,15})$/.exec(id);
  return m ? Number(m[1]) : undefined;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Declines a person can fix with another card or more money (insufficient funds, expired card, wrong CVC…). */
const FRAUD = new Set(['fraudulent', 'stolen_card', 'lost_card', 'pickup_card', 'merchant_blacklist', 'restricted_card']);
export function customerFixable(declineCode: string | null): boolean {
  if (!declineCode || FRAUD.has(declineCode)) return false;
  const rule = DECLINE_CODES[declineCode];
  if (!rule) return false;
  return rule.category === 'needs_card_update' || rule.stat === 'funds' || /^(incorrect|invalid)_/.test(declineCode);
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
      // Another card can still pay, unless the card was reported lost/stolen/fraudulent: a person looks first.
      return FRAUD.has(c.lastDeclineCode ?? '') ? 'manual_review' : 'request_card_update';
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
      by: a.by,
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
