/** Event type → handler. Types not listed are stored by the receiver and skipped here. */
import { cardUpdated } from './card-update.js';
import { invoiceEnded, invoiceUpdated, paymentActionRequired, subscriptionChanged } from './closures.js';
import type { Handler } from './deps.js';
import { chargeFailed, invoicePaymentFailed } from './failures.js';
import { chargeRefunded, chargeSucceeded, invoicePaid } from './payments.js';
import { setupSessionCompleted } from './setup-session.js';

export const HANDLERS: Record<string, Handler> = {
  'invoice.payment_failed': invoicePaymentFailed,
  'invoice.paid': invoicePaid,
  'invoice.payment_succeeded': invoicePaid,
  'invoice.payment_action_required': paymentActionRequired,
  'invoice.marked_uncollectible': invoiceEnded,
  'invoice.voided': invoiceEnded,
  'invoice.updated': invoiceUpdated,
  'charge.failed': chargeFailed,
  // A succeeded charge always comes with invoice.paid, which carries the attribution; the charge
  // itself goes into the payment history the pay-cycle belief learns from.
  'charge.succeeded': chargeSucceeded,
  'charge.refunded': chargeRefunded,
  'customer.subscription.updated': subscriptionChanged,
  'customer.subscription.deleted': subscriptionChanged,
  'customer.updated': cardUpdated,
  'payment_method.attached': cardUpdated,
  'payment_method.updated': cardUpdated,
  'payment_method.automatically_updated': cardUpdated,
  // Not subscribed to (WEBHOOK_EVENTS): handled when the merchant's endpoint sends it anyway.
  'checkout.session.completed': setupSessionCompleted,
};

export type { Handler, HandlerDeps, Commit } from './deps.js';
