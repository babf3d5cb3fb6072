/**
 * The writes that event handlers, the executor, the job runner and the reconciler share. Each
 * is synchronous and meant to run inside the caller's `store.tx`, so one event or one attempt
 * outcome is applied entirely or not at all.
 */
import type { Settings } from '../config/settings.js';
import { isTerminalStatus, type Case, type RecoveredBy, type Store } from '../db/index.js';
import { applyDecision } from '../engine/decision.js';
import type { ChargeFacts } from '../engine/stripe-facts.js';
import type { Decision } from '../policy/index.js';
import type { PolicyContext } from './policy-context.js';
import { formatMinor } from '../money.js';
import { declineFacts, lastDeclineOf } from '../decline.js';
import { recordDecision, recordEnded, recordSucceeded } from '../outbox/events.js';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Minor units as decision reasons show them (src/money.ts): "50.00 USD", "3000 JPY", "1.500 BHD". */
export const formatMoney = formatMinor;

/** "retry at 2026-01-03T14:00:00Z", "stop: hard_decline", "wait: needs_card_update". */
export function describeDecision(d: Decision | null): string {
  if (!d) return 'none (case ended)';
  if (d.action === 'retry') return `retry at ${iso(d.at)}`;
  return `${d.action}: ${d.kind}`;
}

const BY_WORDS: Record<RecoveredBy, string> = {
  recover: "recover's retry",
  customer: 'the customer (paid by another means or after updating the card)',
  stripe: "Stripe's own retry (Smart Retries)",
};

/** Marks the case recovered and ends everything still planned for it. False if it already was. */
export function recordRecovery(store: Store, c: Case, r: { at: number; by: RecoveredBy; amount: number }): boolean {
  if (!store.cases.markRecovered(c.id, r)) return false;
  recordSucceeded(store, c, r);
  store.attempts.cancelPending(c.id, r.at, 'invoice paid');
  store.jobs.cancelForCase(c.id, r.at, r.at, 'invoice paid');
  store.decisions.add({
    caseId: c.id,
    at: r.at,
    action: 'note',
    kind: 'recovered',
    reason: `Invoice paid (${formatMoney(r.amount, c.currency)}) by ${BY_WORDS[r.by]}.`,
  });
  return true;
}

/**
 * Ends an active case without recovery: `closed` when the invoice or subscription was ended
 * outside dunning (voided, canceled), `lost` when Stripe's own dunning gave up on a control invoice.
 */
export function closeCase(
  store: Store,
  c: Case,
  o: { at: number; status: 'closed' | 'lost'; kind: string; reason: string },
): boolean {
  if (isTerminalStatus(c.status)) return false;
  store.cases.setStatus(c.id, o.status, { at: o.at, closedReason: o.kind });
  recordEnded(store, c, o);
  store.attempts.cancelPending(c.id, o.at, o.kind);
  store.jobs.cancelForCase(c.id, o.at, o.at, o.kind);
  store.decisions.add({ caseId: c.id, at: o.at, action: 'stop', kind: o.kind, reason: o.reason });
  return true;
}

/** Asks the policy again and applies its decision; null when the case has ended. */
export function redecide(
  store: Store,
  policy: PolicyContext,
  caseId: number,
  settings: Settings,
  now: number,
  extra: { cardUpdatedAt?: number } = {},
): Decision | null {
  const c = store.cases.get(caseId);
  if (!c || isTerminalStatus(c.status)) return null;
  const d = policy.decideFor(c, settings, now, extra);
  applyDecision(store, c, d, settings, now);
  recordDecision(store, caseId, d, now);
  return d;
}

/** Records an attempt made by Stripe or the customer (deduplicated by charge id), with its card counters. */
export function recordObservedAttempt(store: Store, c: Case, ch: ChargeFacts, by: 'stripe' | 'customer'): boolean {
  const { inserted } = store.attempts.record({
    caseId: c.id,
    by,
    outcome: ch.succeeded ? 'succeeded' : 'declined',
    at: ch.at,
    chargeId: ch.chargeId,
    amount: ch.amount,
    currency: ch.currency,
    ...declineFacts(ch.decline),
  });
  if (!inserted) return false;
  if (ch.card) {
    store.cards.upsert(
      { fingerprint: ch.card.fingerprint, brand: ch.card.brand, funding: ch.card.funding, country: ch.card.country },
      ch.at,
    );
    store.cards.recordAttempt({
      fingerprint: ch.card.fingerprint,
      at: ch.at,
      amount: ch.amount,
      currency: ch.currency,
      declined: !ch.succeeded,
      declineCode: ch.decline?.declineCode,
      networkAdviceCode: ch.decline?.networkAdviceCode,
      chargeId: ch.chargeId,
    });
  }
  // Only a decline at least as recent as the stored one replaces it (events arrive out of order).
  if (ch.decline && (c.lastFailedAt === null || ch.decline.at >= c.lastFailedAt)) {
    store.cases.update(c.id, {
      lastFailedAt: ch.decline.at,
      ...lastDeclineOf(declineFacts(ch.decline)),
      lastChargeId: ch.chargeId,
      ...(ch.card
        ? {
            cardFingerprint: ch.card.fingerprint,
            cardBrand: ch.card.brand,
            cardFunding: ch.card.funding,
            cardCountry: ch.card.country,
          }
        : {}),
      ...(ch.paymentMethodId ? { paymentMethodId: ch.paymentMethodId } : {}),
    });
  }
  return true;
}
