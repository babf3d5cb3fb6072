import { invalidRequest } from '../api-error.js';
import {
  finalizeInvoice, markUncollectible, payOutOfBand, staticPatch, updateInvoice, voidInvoice, withNextAttempt,
} from '../invoices.js';
import { allowOnly, bool, mergeMetadata, str, type Params } from '../params.js';
import { attemptInvoice, cardErrorFor } from '../payments.js';
import type { Row } from '../store.js';
import { find, many, one, over, type Route, type RouteCtx } from './common.js';

/** /v1/invoices and /v1/invoice_payments (permission rak_invoice_*). */
const STATUSES = ['draft', 'open', 'void', 'paid', 'uncollectible'];
/** No automatic collection is left to control on these. */
const FINAL_STATES = ['paid', 'void', 'uncollectible'];

function list(ctx: RouteCtx) {
  const p = ctx.params;
  allowOnly(p, ['collection_method', 'created', 'customer', 'customer_account', 'due_date', 'status', 'subscription'], true);
  const status = str(p, 'status');
  if (status !== undefined && !STATUSES.includes(status)) {
    throw invalidRequest('Invalid status: must be one of draft, open, void, paid, or uncollectible', 'status');
  }
  const method = str(p, 'collection_method');
  if (method !== undefined && method !== 'charge_automatically' && method !== 'send_invoice') {
    throw invalidRequest('Invalid collection_method: must be one of charge_automatically or send_invoice', 'collection_method');
  }
  const customer = str(p, 'customer');
  const subscription = str(p, 'subscription');
  const spec = subscription ? over(ctx, 'invoices', ['subscription', subscription]) : over(ctx, 'invoices', ['customer', customer]);
  spec.filter = (r: Row) =>
    (status === undefined || r.doc.status === status) &&
    (method === undefined || r.doc.collection_method === method) &&
    (customer === undefined || r.doc.customer === customer);
  return many(ctx, 'invoice', '/v1/invoices', spec);
}

function update(ctx: RouteCtx) {
  const p = ctx.params;
  allowOnly(p, UPDATE_PARAMS);
  const inv = find(ctx, 'invoices', ctx.pathParams[0]);
  const patch: Record<string, unknown> = {};
  const autoAdvance = bool(p, 'auto_advance');
  if (autoAdvance !== undefined && FINAL_STATES.includes(inv.doc.status as string)) {
    // Stripe refuses auto_advance on an invoice whose collection is over (and has set it false).
    throw invalidRequest(`You cannot update auto_advance on an invoice that is ${inv.doc.status}.`, 'auto_advance');
  }
  if (autoAdvance !== undefined) patch.auto_advance = autoAdvance;
  if (p.metadata !== undefined) patch.metadata = mergeMetadata(inv.doc.metadata ?? {}, p.metadata);
  const description = str(p, 'description');
  if (description !== undefined) {
    if (inv.doc.status !== 'draft') throw invalidRequest("Finalized invoices can't be updated in this way", 'description');
    Object.assign(patch, staticPatch(inv.doc, { description: description || null }));
  }
  const dpm = str(p, 'default_payment_method');
  if (dpm !== undefined) {
    if (dpm) find(ctx, 'payment_methods', dpm, 'default_payment_method');
    patch.default_payment_method = dpm || null;
  }
  const next = autoAdvance !== undefined ? withNextAttempt(ctx.acct, inv, patch, ctx.world.nowMs()) : patch;
  updateInvoice(ctx.world, ctx.acct, inv, next, ctx.origin);
  return one(ctx, 'invoice', inv.doc);
}

/** Parameters accepted by invoice update; the ones not acted on are accepted and ignored. */
const UPDATE_PARAMS = [
  'auto_advance', 'metadata', 'description', 'default_payment_method', 'account_tax_ids', 'application_fee_amount',
  'automatic_tax', 'automatically_finalizes_at', 'collection_method', 'custom_fields', 'days_until_due', 'default_source',
  'default_tax_rates', 'discounts', 'due_date', 'effective_at', 'footer', 'issuer', 'number', 'on_behalf_of',
  'payment_settings', 'rendering', 'shipping_cost', 'shipping_details', 'statement_descriptor', 'transfer_data',
];

function finalizeDraft(ctx: RouteCtx, inv: Row, autoAdvance?: boolean): void {
  finalizeInvoice(ctx.world, ctx.acct, inv, ctx.origin, autoAdvance);
}

function pay(ctx: RouteCtx) {
  const p: Params = ctx.params;
  allowOnly(p, ['forgive', 'mandate', 'off_session', 'paid_out_of_band', 'payment_method', 'source']);
  const inv = find(ctx, 'invoices', ctx.pathParams[0]);
  const status = inv.doc.status as string;
  if (status === 'paid') throw invalidRequest('Invoice is already paid');
  if (status === 'void') throw invalidRequest("You can only pass in open invoices. This invoice isn't open.");
  if (status === 'draft') finalizeDraft(ctx, inv);
  if (bool(p, 'paid_out_of_band')) {
    payOutOfBand(ctx.world, ctx.acct, inv, ctx.origin);
    return one(ctx, 'invoice', inv.doc);
  }
  const result = attemptInvoice(ctx.world, ctx.acct, inv, {
    paymentMethod: str(p, 'payment_method') || undefined,
    origin: ctx.origin,
    source: 'api',
  });
  if (!result.ok) throw cardErrorFor(result, ctx.requestLogUrl);
  return one(ctx, 'invoice', inv.doc);
}

function finalize(ctx: RouteCtx) {
  allowOnly(ctx.params, ['auto_advance']);
  const inv = find(ctx, 'invoices', ctx.pathParams[0]);
  if (inv.doc.status !== 'draft') {
    throw invalidRequest("This invoice is already finalized, you can't re-finalize a non-draft invoice.");
  }
  finalizeDraft(ctx, inv, bool(ctx.params, 'auto_advance'));
  return one(ctx, 'invoice', inv.doc);
}

function paymentsList(ctx: RouteCtx) {
  const p = ctx.params;
  allowOnly(p, ['created', 'invoice', 'payment', 'status'], true);
  const invoice = str(p, 'invoice');
  const status = str(p, 'status');
  const payment = p.payment as { payment_intent?: string; type?: string } | undefined;
  // Walk the narrowest index (a pure speed-up: the filter below still checks every condition).
  const pi = payment?.payment_intent || undefined;
  const index: [string, string | undefined] =
    invoice === undefined && pi ? ['payment_intent', pi] : ['invoice', invoice];
  const spec = over(ctx, 'invoice_payments', index);
  spec.filter = (r: Row) =>
    (status === undefined || r.doc.status === status) &&
    (!payment?.payment_intent || r.doc.payment?.payment_intent === payment.payment_intent);
  return many(ctx, 'invoice_payment', '/v1/invoice_payments', spec);
}

export const invoiceRoutes: Route[] = [
  { method: 'GET', path: '/v1/invoices', resource: 'invoice', handler: list },
  { method: 'GET', path: '/v1/invoices/:id', resource: 'invoice', handler: (c) => one(c, 'invoice', find(c, 'invoices', c.pathParams[0], 'invoice').doc) },
  { method: 'GET', path: '/v1/invoices/:id/lines', resource: 'invoice', handler: (c) => (one({ ...c, params: {} }, 'invoice', find(c, 'invoices', c.pathParams[0], 'invoice').doc).lines) },
  { method: 'POST', path: '/v1/invoices/:id', resource: 'invoice', handler: update },
  { method: 'POST', path: '/v1/invoices/:id/pay', resource: 'invoice', handler: pay },
  { method: 'POST', path: '/v1/invoices/:id/finalize', resource: 'invoice', handler: finalize },
  {
    method: 'POST',
    path: '/v1/invoices/:id/void',
    resource: 'invoice',
    handler: (c) => {
      allowOnly(c.params, []);
      const inv = find(c, 'invoices', c.pathParams[0]);
      voidInvoice(c.world, c.acct, inv, c.origin);
      return one(c, 'invoice', inv.doc);
    },
  },
  {
    method: 'POST',
    path: '/v1/invoices/:id/mark_uncollectible',
    resource: 'invoice',
    handler: (c) => {
      allowOnly(c.params, []);
      const inv = find(c, 'invoices', c.pathParams[0]);
      markUncollectible(c.world, c.acct, inv, c.origin);
      return one(c, 'invoice', inv.doc);
    },
  },
  { method: 'GET', path: '/v1/invoice_payments', resource: 'invoice', handler: paymentsList },
  {
    method: 'GET',
    path: '/v1/invoice_payments/:id',
    resource: 'invoice',
    handler: (c) => one(c, 'invoice_payment', find(c, 'invoice_payments', c.pathParams[0]).doc),
  },
];
