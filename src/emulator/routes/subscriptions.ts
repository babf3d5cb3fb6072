import { invalidRequest, noSuch } from '../api-error.js';
import { allowOnly, bool, int, mergeMetadata, str } from '../params.js';
import type { Doc, Row } from '../store.js';
import { cancelSubscription, updateSubscription } from '../subscriptions.js';
import { find, many, one, over, type Route, type RouteCtx } from './common.js';

/** /v1/subscriptions (rak_subscription_*). */
const STATUSES = ['active', 'all', 'canceled', 'ended', 'incomplete', 'incomplete_expired', 'past_due', 'paused', 'trialing', 'unpaid'];

function list(ctx: RouteCtx) {
  const p = ctx.params;
  allowOnly(
    p,
    ['automatic_tax', 'collection_method', 'created', 'current_period_end', 'current_period_start', 'customer', 'customer_account', 'plan', 'price', 'status', 'test_clock'],
    true,
  );
  const status = str(p, 'status');
  if (status !== undefined && !STATUSES.includes(status)) {
    throw invalidRequest(`Invalid status: must be one of ${STATUSES.join(', ')}`, 'status');
  }
  const customer = str(p, 'customer');
  const spec = over(ctx, 'subscriptions', ['customer', customer]);
  // Like Stripe: without a status filter, canceled subscriptions are not listed.
  spec.filter = (r: Row) => {
    const s = r.doc.status as string;
    if (status === undefined) return s !== 'canceled' && s !== 'incomplete_expired';
    if (status === 'all') return true;
    if (status === 'ended') return s === 'canceled' || s === 'incomplete_expired';
    return s === status;
  };
  return many(ctx, 'subscription', '/v1/subscriptions', spec);
}

function update(ctx: RouteCtx) {
  const p = ctx.params;
  allowOnly(p, UPDATE_PARAMS);
  const sub = find(ctx, 'subscriptions', ctx.pathParams[0]);
  if (sub.doc.status === 'canceled') {
    throw invalidRequest(`A canceled subscription can only update its cancellation_details and metadata.`);
  }
  const patch: Doc = {};
  const atEnd = bool(p, 'cancel_at_period_end');
  if (atEnd !== undefined) {
    patch.cancel_at_period_end = atEnd;
    patch.cancel_at = atEnd ? sub.doc._item?.period_end ?? null : null;
    patch.canceled_at = atEnd ? ctx.world.nowSec() : null;
  }
  if (p.cancel_at !== undefined) {
    const at = p.cancel_at === '' ? null : int(p, 'cancel_at');
    patch.cancel_at = at ?? null;
    patch.cancel_at_period_end = false;
  }
  if (p.metadata !== undefined) patch.metadata = mergeMetadata(sub.doc.metadata ?? {}, p.metadata);
  const dpm = str(p, 'default_payment_method');
  if (dpm !== undefined) {
    if (dpm) find(ctx, 'payment_methods', dpm, 'default_payment_method');
    patch.default_payment_method = dpm || null;
  }
  const description = str(p, 'description');
  if (description !== undefined) patch.description = description || null;
  if (p.cancellation_details !== undefined) {
    const cd = p.cancellation_details as Record<string, string>;
    patch.cancellation_details = { ...(sub.doc.cancellation_details ?? { reason: null }), comment: cd.comment ?? null, feedback: cd.feedback ?? null };
  }
  updateSubscription(ctx.world, ctx.acct, sub, patch, ctx.origin);
  return one(ctx, 'subscription', sub.doc);
}

const UPDATE_PARAMS = [
  'cancel_at_period_end', 'cancel_at', 'metadata', 'default_payment_method', 'description', 'cancellation_details',
  'proration_behavior', 'pause_collection', 'payment_behavior', 'off_session', 'collection_method', 'days_until_due',
  'default_source', 'default_tax_rates', 'discounts', 'invoice_settings', 'items', 'payment_settings', 'trial_end',
  'billing_cycle_anchor', 'automatic_tax', 'billing_thresholds', 'on_behalf_of', 'transfer_data', 'trial_settings',
];

function cancel(ctx: RouteCtx) {
  const p = ctx.params;
  allowOnly(p, ['cancellation_details', 'invoice_now', 'prorate']);
  const sub = find(ctx, 'subscriptions', ctx.pathParams[0]);
  if (sub.doc.status === 'canceled') {
    throw noSuch('subscription', sub.id);
  }
  const cd = (p.cancellation_details ?? {}) as Record<string, string>;
  cancelSubscription(
    ctx.world,
    ctx.acct,
    sub,
    {
      prorate: bool(p, 'prorate') ?? false,
      invoiceNow: bool(p, 'invoice_now') ?? false,
      reason: 'cancellation_requested',
      comment: cd.comment ?? null,
      feedback: cd.feedback ?? null,
    },
    ctx.origin,
  );
  return one(ctx, 'subscription', sub.doc);
}

export const subscriptionRoutes: Route[] = [
  { method: 'GET', path: '/v1/subscriptions', resource: 'subscription', handler: list },
  {
    method: 'GET',
    path: '/v1/subscriptions/:id',
    resource: 'subscription',
    handler: (c) => one(c, 'subscription', find(c, 'subscriptions', c.pathParams[0], 'subscription_exposed_id').doc),
  },
  { method: 'POST', path: '/v1/subscriptions/:id', resource: 'subscription', handler: update },
  { method: 'DELETE', path: '/v1/subscriptions/:id', resource: 'subscription', handler: cancel },
];
