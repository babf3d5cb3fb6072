import { invalidRequest } from '../api-error.js';
import { allowOnly, int, mergeMetadata, str } from '../params.js';
import type { Row } from '../store.js';
import { find, many, one, over, type Route, type RouteCtx } from './common.js';

/**
 * Read-mostly payment objects: /v1/charges (rak_charge_*), /v1/payment_intents
 * (rak_payment_intent_*), /v1/credit_notes (rak_credit_note_*), and /v1/refunds
 * (rak_refund_*), whose create emits `charge.refunded`.
 */
function listCharges(ctx: RouteCtx) {
  allowOnly(ctx.params, ['created', 'customer', 'payment_intent', 'transfer_group'], true);
  const customer = str(ctx.params, 'customer');
  const pi = str(ctx.params, 'payment_intent');
  const spec = pi !== undefined ? over(ctx, 'charges', ['payment_intent', pi]) : over(ctx, 'charges', ['customer', customer]);
  if (pi !== undefined && customer !== undefined) spec.filter = (r: Row) => r.doc.customer === customer;
  return many(ctx, 'charge', '/v1/charges', spec);
}

function listPaymentIntents(ctx: RouteCtx) {
  allowOnly(ctx.params, ['created', 'customer', 'customer_account'], true);
  return many(ctx, 'payment_intent', '/v1/payment_intents', over(ctx, 'payment_intents', ['customer', str(ctx.params, 'customer')]));
}

function listCreditNotes(ctx: RouteCtx) {
  allowOnly(ctx.params, ['created', 'customer', 'customer_account', 'invoice'], true);
  const invoice = str(ctx.params, 'invoice');
  const customer = str(ctx.params, 'customer');
  const spec = invoice !== undefined ? over(ctx, 'credit_notes', ['invoice', invoice]) : over(ctx, 'credit_notes', ['customer', customer]);
  if (invoice !== undefined && customer !== undefined) spec.filter = (r: Row) => r.doc.customer === customer;
  return many(ctx, 'credit_note', '/v1/credit_notes', spec);
}

function createRefund(ctx: RouteCtx) {
  const p = ctx.params;
  allowOnly(p, ['amount', 'charge', 'currency', 'customer', 'instructions_email', 'metadata', 'origin', 'payment_intent', 'reason', 'refund_application_fee', 'reverse_transfer']);
  const { world, acct } = ctx;
  let charge: Row;
  const chargeId = str(p, 'charge');
  const piId = str(p, 'payment_intent');
  if (chargeId) charge = find(ctx, 'charges', chargeId, 'charge');
  else if (piId) {
    const pi = find(ctx, 'payment_intents', piId, 'payment_intent');
    if (pi.doc.status !== 'succeeded') throw invalidRequest(`This PaymentIntent (${piId}) does not have a successful charge to refund.`, 'payment_intent');
    charge = find(ctx, 'charges', pi.doc.latest_charge as string, 'payment_intent');
  } else throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.', undefined, 'parameter_missing');
  if (charge.doc.status !== 'succeeded') throw invalidRequest(`Charge ${charge.id} has not been captured; it cannot be refunded.`, 'charge');
  const refunded = (charge.doc.amount_refunded as number | undefined) ?? 0;
  const remaining = (charge.doc.amount as number) - refunded;
  const amount = int(p, 'amount') ?? remaining;
  if (amount <= 0 || amount > remaining) {
    throw invalidRequest(`Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`, 'amount', 'amount_too_large');
  }
  const refund = acct.refunds.insert({
    id: world.ids.next('re'),
    created: world.nowSec(),
    amount,
    charge: charge.id,
    currency: charge.doc.currency,
    payment_intent: charge.doc.payment_intent,
    reason: str(p, 'reason') ?? null,
    metadata: mergeMetadata({}, p.metadata),
    balance_transaction: world.ids.next('txn'),
  });
  const old = acct.charges.update(charge, {
    amount_refunded: refunded + amount,
    refunded: amount === remaining,
  });
  const prev = { amount_refunded: old.amount_refunded ?? 0, refunded: old.refunded ?? false };
  world.emit(acct, 'refund.created', 'refund', refund.doc, { origin: ctx.origin });
  world.emit(acct, 'charge.refunded', 'charge', charge.doc, { prev, origin: ctx.origin });
  return one(ctx, 'refund', refund.doc);
}

export const chargeRoutes: Route[] = [
  { method: 'GET', path: '/v1/charges', resource: 'charge', handler: listCharges },
  { method: 'GET', path: '/v1/charges/:id', resource: 'charge', handler: (c) => one(c, 'charge', find(c, 'charges', c.pathParams[0], 'charge').doc) },
  { method: 'GET', path: '/v1/payment_intents', resource: 'payment_intent', handler: listPaymentIntents },
  {
    method: 'GET',
    path: '/v1/payment_intents/:id',
    resource: 'payment_intent',
    handler: (c) => one(c, 'payment_intent', find(c, 'payment_intents', c.pathParams[0], 'intent').doc),
  },
  { method: 'GET', path: '/v1/credit_notes', resource: 'credit_note', handler: listCreditNotes },
  { method: 'GET', path: '/v1/credit_notes/:id', resource: 'credit_note', handler: (c) => one(c, 'credit_note', find(c, 'credit_notes', c.pathParams[0]).doc) },
  { method: 'POST', path: '/v1/refunds', resource: 'refund', handler: createRefund },
  {
    method: 'GET',
    path: '/v1/refunds',
    resource: 'refund',
    handler: (c) => {
      allowOnly(c.params, ['charge', 'created', 'payment_intent'], true);
      return many(c, 'refund', '/v1/refunds', over(c, 'refunds', ['charge', str(c.params, 'charge')]));
    },
  },
  { method: 'GET', path: '/v1/refunds/:id', resource: 'refund', handler: (c) => one(c, 'refund', find(c, 'refunds', c.pathParams[0], 'refund').doc) },
];
