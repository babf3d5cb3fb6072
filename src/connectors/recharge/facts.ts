/**
 * A failed Recharge charge in the facts the core's intake reads (src/engine/intake.ts): an
 * "open, automatically collected invoice" whose external id is the charge id, and its last
 * declined attempt. Recharge never exposes the card fingerprint, so card-network caps are counted
 * per case only (no cross-invoice card counts) — a documented gap, not a guess.
 */
import type { ChargeFacts, InvoiceFacts } from '../../engine/stripe-facts.js';
import type { FailedItem } from '../events.js';
import { attemptChargeId } from './connector.js';

export function invoiceFactsOf(item: FailedItem): InvoiceFacts {
  return {
    platform: 'recharge',
    accountId: item.accountId,
    invoiceId: item.externalId,
    customerId: item.customerId,
    subscriptionId: item.subscriptionId,
    status: 'open',
    collectionMethod: 'charge_automatically',
    amountDue: item.amount,
    amountRemaining: item.amount,
    currency: item.currency,
    // A charge in `error` has been attempted at least once, even when Recharge's count lags.
    attemptCount: Math.max(1, item.platformAttempts),
    billingReason: 'subscription_cycle',
    createdAt: item.createdAt,
    nextPaymentAttempt: item.platformRetryAt,
    // Recharge's retries are paused store-wide in its portal, not per item.
    autoAdvance: false,
    managedByRecover: false,
    paymentIntentIds: [],
    latestPaymentIntentStatus: null,
    firstPaymentAt: null,
  };
}

/** The charge's latest failure as the last declined attempt (Recharge keeps one id per charge). */
export function chargeFactsOf(item: FailedItem): ChargeFacts {
  return {
    chargeId: attemptChargeId(item.externalId, item.platformAttempts),
    paymentIntentId: null,
    invoiceId: item.externalId,
    customerId: item.customerId,
    paymentMethodId: null,
    at: item.failedAt,
    amount: item.amount,
    currency: item.currency,
    succeeded: false,
    decline: { at: item.failedAt, declineCode: item.declineCode ?? undefined },
    card: null,
  };
}
