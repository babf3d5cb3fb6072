/**
 * The result events of the case lifecycle (issue 16 §4), recorded in the outbox inside the
 * transaction of the outcome they report (every function here runs inside the caller's
 * `store.tx`). Dedupe keys are `<type>:case:<id>` or `<type>:attempt:<id>`, so a replayed
 * platform event or a redone outcome records nothing new.
 *
 * The public id of a recovery is `rcv_<case id>` (the case row's integer id, decimal): stable for
 * the case's life, the same on every event, and what `recover explain` and the API accept.
 */
import type { Attempt, Case, ResultEventType, Store } from '../db/index.js';
import type { Decision } from '../policy/index.js';

const RECOVERY_PREFIX = 'rcv_';

export function recoveryIdOf(caseId: number): string {
  return `${RECOVERY_PREFIX}${caseId}`;
}

/** The case id of `rcv_<n>`, or null for anything else. */
export function caseIdOfRecovery(id: string): number | null {
  const m = /^rcv_(\d{1,15})$/.exec(id);
  return m ? Number(m[1]) : null;
}

export type RecommendedAction = 'retry_scheduled' | 'request_card_update' | 'manual_review' | 'none';

/** Declines the customer can fix with another card or funds (Stripe's decline-code docs). */
const CUSTOMER_FIXABLE = new Set([
  'insufficient_funds',
  'expired_card',
  'incorrect_cvc',
  'incorrect_number',
  'invalid_cvc',
  'invalid_expiry_month',
  'invalid_expiry_year',
  'card_velocity_exceeded',
  'withdrawal_count_limit_exceeded',
  'lost_card',
  'stolen_card',
  'pickup_card',
  'restricted_card',
  'card_not_supported',
  'currency_not_supported',
  'authentication_required',
  'do_not_honor',
  'generic_decline',
  'card_declined',
]);

/** What the merchant should do once recover stops retrying. */
export function recommendedActionFor(declineCode: string | null, stopKind?: string): RecommendedAction {
  if (stopKind === 'needs_card_update') return 'request_card_update';
  if (declineCode && CUSTOMER_FIXABLE.has(declineCode)) return 'request_card_update';
  return 'manual_review';
}

/**
 * Who made an attempt, as the merchant reads it. The attempts table says `stripe` for the
 * platform's own attempt; on an API case that is the merchant's billing (its own failed payment,
 * handed over as attempt 1), so webhooks, the API view and `explain` say `merchant`.
 */
export function attemptByLabel(platform: string, by: string): string {
  return by === 'stripe' && platform === 'api' ? 'merchant' : by;
}

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

/** The fields every recovery event carries. */
export function recoveryData(c: Case): Record<string, unknown> {
  return {
    recoveryId: recoveryIdOf(c.id),
    invoiceId: c.invoiceId,
    customerId: c.customerId,
    platform: (c as Partial<{ platform: string }>).platform ?? 'stripe',
    amount: c.amountDue,
    currency: c.currency,
    status: c.status,
  };
}

function record(store: Store, type: ResultEventType, key: string, c: Case, at: number, extra = {}): void {
  store.outbox.record({ type, dedupeKey: `${type}:${key}`, caseId: c.id, at, data: { ...recoveryData(c), ...extra } });
}

/**
 * After a decision was applied: `recovery.blocked` for a hard decline, `recovery.failed` for any
 * other stop; on a case just opened, `recovery.scheduled` otherwise (nextAttemptAt is null when
 * the case is left to the platform's own retries, the control group).
 */
export function recordDecision(store: Store, caseId: number, d: Decision | null, at: number, opened = false): void {
  if (!d) return;
  const c = store.cases.get(caseId);
  if (!c) return;
  if (d.action === 'stop') {
    const blocked = d.kind === 'hard_decline';
    record(store, blocked ? 'recovery.blocked' : 'recovery.failed', `case:${c.id}`, c, at, {
      reason: d.kind,
      declineCode: c.lastDeclineCode,
      recommendedAction: recommendedActionFor(c.lastDeclineCode, d.kind),
    });
  } else if (opened) {
    record(store, 'recovery.scheduled', `case:${c.id}`, c, at, {
      declineCode: c.lastDeclineCode,
      nextAttemptAt: d.action === 'retry' ? iso(d.at) : null,
      recommendedAction:
        d.action === 'retry' ? 'retry_scheduled' : d.kind === 'needs_card_update' ? 'request_card_update' : 'none',
    });
  }
}

/** A declined attempt (recover's, the platform's or the customer's), with the next planned one. */
export function recordAttemptFailed(store: Store, caseId: number, attempt: Attempt | undefined, at: number): void {
  const c = store.cases.get(caseId);
  if (!c || !attempt) return;
  const next = store.attempts.pendingForCase(c.id);
  record(store, 'recovery.attempt_failed', `attempt:${attempt.id}`, c, at, {
    attempt: attempt.n,
    attemptBy: attemptByLabel(c.platform, attempt.by),
    chargeId: attempt.chargeId,
    declineCode: attempt.declineCode,
    nextAttemptAt: iso(next?.scheduledAt),
    recommendedAction: next ? 'retry_scheduled' : recommendedActionFor(attempt.declineCode),
  });
}

/** The invoice was paid: the amount collected and the charge that collected it (when known). */
export function recordSucceeded(store: Store, c: Case, r: { at: number; by: string; amount: number }): void {
  const paid = store.attempts
    .listForCase(c.id)
    .filter((a) => a.outcome === 'succeeded')
    .at(-1);
  const fresh = store.cases.get(c.id) ?? c;
  record(store, 'recovery.succeeded', `case:${c.id}`, fresh, r.at, {
    amountCollected: r.amount,
    recoveredBy: r.by,
    chargeId: paid?.chargeId ?? null,
    attempt: paid?.n ?? null,
  });
}

/** The case ended without a payment: `closed` → recovery.canceled, `lost` → recovery.failed. */
export function recordEnded(store: Store, c: Case, o: { at: number; status: 'closed' | 'lost'; kind: string }): void {
  const fresh = store.cases.get(c.id) ?? c;
  if (o.status === 'closed') {
    record(store, 'recovery.canceled', `case:${c.id}`, fresh, o.at, { reason: o.kind });
    return;
  }
  record(store, 'recovery.failed', `case:${c.id}`, fresh, o.at, {
    reason: o.kind,
    declineCode: fresh.lastDeclineCode,
    recommendedAction: recommendedActionFor(fresh.lastDeclineCode),
  });
}

export interface CardFacts {
  paymentMethodId: string;
  brand: string | null;
  last4: string | null;
}

/**
 * A new card on a case's customer: one event per case and payment method (Stripe announces one
 * card with several events: payment_method.attached, customer.updated); `eventKey` (the platform
 * event id) stands in when the payment method is unknown.
 */
export function recordCardUpdated(store: Store, caseId: number, card: CardFacts | null, at: number, eventKey: string) {
  const c = store.cases.get(caseId);
  if (!c) return;
  const next = store.attempts.pendingForCase(c.id);
  record(store, 'card.updated', `case:${c.id}:${card?.paymentMethodId ?? eventKey}`, c, at, {
    paymentMethodId: card?.paymentMethodId ?? c.paymentMethodId,
    brand: card?.brand ?? c.cardBrand,
    last4: card?.last4 ?? null,
    nextAttemptAt: iso(next?.scheduledAt),
  });
}
