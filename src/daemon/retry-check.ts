/**
 * The retry-status check, run on a fresh read of the invoice (and its subscription and latest
 * PaymentIntent) just before charging. Pure: the executor does the read and applies the verdict.
 */
import type { Case } from '../db/index.js';
import type { Invoice } from '../stripe/index.js';
import { INSTALLATION_KEY } from '../engine/managed.js';
import { latestPaymentIntentStatus, subscriptionOf } from './stripe-read.js';
import { formatMinor } from '../money.js';

import type { RetryVerdict } from '../connectors/types.js';

export type { RetryVerdict };

const money = formatMinor;

/** `newCard`: a payment method arrived since the last decline (paying with it re-confirms the PaymentIntent). */
export function checkRetryable(
  c: Case,
  inv: Invoice,
  opts: { newCard?: boolean; installationId?: string } = {},
): RetryVerdict {
  const owner = inv.metadata?.[INSTALLATION_KEY];
  if (owner && opts.installationId && owner !== opts.installationId) {
    return {
      ok: false,
      kind: 'other_installation',
      reason: `the invoice is managed by another recover installation (${owner})`,
    };
  }
  if (inv.status === 'paid')
    return { ok: false, kind: 'paid', reason: 'the invoice is already paid', amountPaid: inv.amount_paid };
  if (inv.status !== 'open')
    return {
      ok: false,
      kind: 'not_open',
      reason: `the invoice is ${inv.status ?? 'in an unknown state'}, no longer open`,
      status: inv.status ?? 'unknown',
    };
  if (inv.amount_remaining !== c.amountDue) {
    return {
      ok: false,
      kind: 'amount_changed',
      amountDue: inv.amount_remaining,
      reason: `the amount due changed from ${money(c.amountDue, c.currency)} to ${money(inv.amount_remaining, inv.currency)}`,
    };
  }
  const sub = subscriptionOf(inv);
  if (sub && (sub.status === 'canceled' || sub.status === 'incomplete_expired')) {
    return { ok: false, kind: 'subscription_gone', reason: `the subscription ${sub.id} is ${sub.status}` };
  }
  const pi = latestPaymentIntentStatus(inv);
  if ((pi === 'requires_action' || pi === 'requires_confirmation') && !opts.newCard) {
    return {
      ok: false,
      kind: 'needs_customer_action',
      reason: 'the payment needs the customer to authenticate (3D Secure)',
    };
  }
  return { ok: true };
}
