import { invoiceSubscription, markUncollectible, updateInvoice, withNextAttempt } from './invoices.js';
import { defaultPaymentMethod } from './payments.js';
import type { Row } from './store.js';
import { cancelSubscription, updateSubscription } from './subscriptions.js';
import { AUTOMATIC, type AccountState, type World } from './world.js';

/**
 * Smart Retries' edges, after an automatic attempt:
 *
 * - A hard decline (declines.ts `isHardDecline`) stops real retries until a new payment method is
 *   there. The SDK's Invoice.attempt_count doc: "If a failure is returned with a non-retryable
 *   return code, the invoice can no longer be retried unless a new payment method is obtained.
 *   Retries will continue to be scheduled, and attempt_count will continue to increment, but
 *   retries will only be executed if a new payment method is obtained." So a due slot whose
 *   payment method is still the hard-declined one counts and moves on, with no charge.
 * - When the last retry has failed, the account's settings apply: the subscription is canceled,
 *   marked `unpaid` or left `past_due`; the invoice is marked uncollectible or left open.
 */

/** True when the due retry must not charge: the card that hard-declined is still the one to use. */
export function blockedByHardDecline(acct: AccountState, inv: Row): boolean {
  const pm = inv.meta.hardDeclinedPm as string | null | undefined;
  return !!pm && defaultPaymentMethod(acct, inv) === pm;
}

/** The scheduled retry of a hard-declined invoice: counted and rescheduled, nothing charged. */
export function skipBlockedRetry(world: World, acct: AccountState, inv: Row): void {
  const patch = withNextAttempt(acct, inv, { attempt_count: (inv.doc.attempt_count as number) + 1 }, world.nowMs());
  updateInvoice(world, acct, inv, patch, AUTOMATIC);
  afterAutomaticFailure(world, acct, inv);
}

/** Applies the account's end-of-retries settings once no retry is left. */
export function afterAutomaticFailure(world: World, acct: AccountState, inv: Row): void {
  if (!acct.smartRetries || inv.doc.status !== 'open' || inv.doc.auto_advance !== true) return;
  if (inv.doc.next_payment_attempt !== null || inv.doc.collection_method !== 'charge_automatically') return;
  const subId = invoiceSubscription(inv.doc);
  const sub = subId ? acct.subscriptions.get(subId) : undefined;
  if (acct.invoiceAction === 'uncollectible') markUncollectible(world, acct, inv, AUTOMATIC);
  if (!sub || sub.doc.status === 'canceled') return;
  if (acct.subscriptionAction === 'cancel') {
    cancelSubscription(world, acct, sub, { prorate: false, invoiceNow: false, reason: 'payment_failed' }, AUTOMATIC);
  } else if (acct.subscriptionAction === 'unpaid') {
    updateSubscription(world, acct, sub, { status: 'unpaid' }, AUTOMATIC);
  }
}
