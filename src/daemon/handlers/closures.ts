/**
 * Events that end or change a case without a payment: the invoice voided or marked uncollectible,
 * the subscription canceled, the payment needing the customer (3DS), the amount due changing.
 * Our own end-of-dunning actions come back here too; their cases have already ended, so they
 * change nothing.
 */
import { isTerminalStatus, type Case } from '../../db/index.js';
import { recoverRetries } from '../../engine/decision.js';
import { closeCase, formatMoney } from '../case-ops.js';
import { customerOf, numberField, stringField, type EventFacts } from '../event-facts.js';
import type { Handler, HandlerDeps } from './deps.js';

function activeCaseOf(f: EventFacts, d: HandlerDeps): Case | string {
  const account = d.accountOf(f);
  if (!account || !f.objectId) return 'skipped: not an account recover manages';
  const c = d.store.cases.getByInvoice(f.objectId, account);
  if (!c) return 'no case for this invoice';
  if (isTerminalStatus(c.status)) return `case already ${c.status}`;
  return c;
}

export const invoiceEnded: Handler = async (f, d, commit) => {
  const c = activeCaseOf(f, d);
  if (typeof c === 'string') return c;
  const voided = f.type === 'invoice.voided';
  // A control invoice left to Stripe and marked uncollectible by Stripe: its dunning gave up.
  const stripeGaveUp = !voided && c.status === 'observing';
  return commit(() => {
    const done = closeCase(d.store, c, {
      at: f.created,
      status: stripeGaveUp ? 'lost' : 'closed',
      kind: voided ? 'invoice_voided' : stripeGaveUp ? 'stripe_dunning_over' : 'invoice_uncollectible',
      reason: voided
        ? 'The invoice was voided outside recover; nothing left to collect.'
        : stripeGaveUp
          ? "Stripe's dunning marked the invoice uncollectible (control group, left to Stripe)."
          : 'The invoice was marked uncollectible outside recover; dunning stops.',
    });
    return done ? `case ${stripeGaveUp ? 'lost' : 'closed'}` : 'already ended';
  });
};

export const paymentActionRequired: Handler = async (f, d, commit) => {
  if (f.ours) return 'our attempt (handled by the executor)';
  const c = activeCaseOf(f, d);
  if (typeof c === 'string') return c;
  if (!recoverRetries(c.arm, d.settings)) return 'control invoice left to Stripe: observed';
  return commit(() => {
    d.store.cases.setStatus(c.id, 'needs_customer_action', {
      at: f.created,
      onlyFrom: ['in_dunning', 'waiting_card_update'],
    });
    d.store.attempts.cancelPending(c.id, f.created, 'needs customer action');
    d.store.decisions.add({
      caseId: c.id,
      at: f.created,
      action: 'wait',
      kind: 'needs_customer_action',
      reason:
        'The payment needs the customer to authenticate (3D Secure); off-session retries cannot succeed until they do.',
    });
    return 'waiting for customer action';
  });
};

export const invoiceUpdated: Handler = async (f, d, commit) => {
  const c = activeCaseOf(f, d);
  if (typeof c === 'string') return c;
  const remaining = numberField(f.object, 'amount_remaining');
  const changed = f.previous !== null && ('amount_remaining' in f.previous || 'amount_due' in f.previous);
  if (!changed || remaining === null || stringField(f.object, 'status') !== 'open' || remaining === c.amountDue)
    return 'no change recover acts on';
  return commit(() => {
    d.store.cases.update(c.id, { amountDue: remaining });
    d.store.decisions.add({
      caseId: c.id,
      at: f.created,
      action: 'note',
      kind: 'amount_changed',
      reason: `The amount due changed from ${formatMoney(c.amountDue, c.currency)} to ${formatMoney(remaining, c.currency)} (credit note or invoice edit).`,
    });
    return 'amount due updated';
  });
};

const ENDED_SUBSCRIPTION = new Set(['canceled', 'incomplete_expired']);

export const subscriptionChanged: Handler = async (f, d, commit) => {
  const account = d.accountOf(f);
  if (!account || !f.objectId) return 'skipped: not an account recover manages';
  const status = stringField(f.object, 'status');
  if (f.type !== 'customer.subscription.deleted' && !(status && ENDED_SUBSCRIPTION.has(status)))
    return 'subscription still alive';
  const customer = customerOf(f.object);
  const cases = customer
    ? d.store.cases
        .listByCustomer(customer, { accountId: account, activeOnly: true })
        .filter((c) => c.subscriptionId === f.objectId)
    : [];
  if (cases.length === 0) return 'no case on this subscription';
  return commit(() => {
    let n = 0;
    for (const c of cases) {
      const stripeGaveUp = c.status === 'observing';
      if (
        closeCase(d.store, c, {
          at: f.created,
          status: stripeGaveUp ? 'lost' : 'closed',
          kind: stripeGaveUp ? 'stripe_dunning_over' : 'subscription_canceled',
          reason: stripeGaveUp
            ? "Stripe's dunning canceled the subscription (control group, left to Stripe)."
            : 'The subscription was canceled outside recover; its invoice is no longer retried.',
        })
      )
        n++;
    }
    return `${n} case(s) ended: subscription ${status ?? 'deleted'}`;
  });
};
