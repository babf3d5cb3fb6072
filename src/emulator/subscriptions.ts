import type { Doc, Row } from './store.js';
import { updateInvoice } from './invoices.js';
import { scheduleRenewal } from './renewals.js';
import { previousAttributes, type AccountState, type Origin, type World } from './world.js';

/** Subscription state changes and their `customer.subscription.*` events. */
export interface NewSubscription {
  id?: string;
  customer: string;
  price: number;
  currency: string;
  interval: 'day' | 'week' | 'month' | 'year';
  created: number; // epoch ms
  periodStart: number; // epoch ms
  periodEnd: number; // epoch ms
  status: string;
  cancelAtPeriodEnd: boolean;
  defaultPaymentMethod: string | null;
  metadata: Record<string, string>;
}

export function createSubscription(world: World, acct: AccountState, s: NewSubscription): Row {
  const id = s.id ?? world.ids.next('sub');
  const created = Math.floor(s.created / 1000);
  const doc: Doc = {
    id,
    created,
    billing_cycle_anchor: Math.floor(s.periodStart / 1000),
    cancel_at: s.cancelAtPeriodEnd ? Math.floor(s.periodEnd / 1000) : null,
    cancel_at_period_end: s.cancelAtPeriodEnd,
    canceled_at: s.status === 'canceled' ? Math.floor(s.periodStart / 1000) : null,
    currency: s.currency,
    customer: s.customer,
    default_payment_method: s.defaultPaymentMethod,
    ended_at: s.status === 'canceled' ? Math.floor(s.periodStart / 1000) : null,
    metadata: s.metadata,
    start_date: created,
    status: s.status,
    _item: {
      price: s.price,
      currency: s.currency,
      interval: s.interval,
      created,
      period_start: Math.floor(s.periodStart / 1000),
      period_end: Math.floor(s.periodEnd / 1000),
    },
  };
  const row = acct.subscriptions.insert(doc, { cancel: null });
  scheduleEnd(world, acct, row);
  scheduleRenewal(world, acct, row);
  return row;
}

/** Subscriptions set to end (cancel_at / cancel_at_period_end) end when the clock passes it. */
export function scheduleEnd(world: World, acct: AccountState, sub: Row): void {
  const at = sub.doc.cancel_at as number | null;
  if (at !== null && sub.doc.status !== 'canceled') {
    world.scheduler.add(at * 1000, { kind: 'subscription_end', account: acct.id, subscription: sub.id });
  }
}

export function updateSubscription(world: World, acct: AccountState, sub: Row, patch: Doc, origin: Origin): void {
  const old = acct.subscriptions.update(sub, patch);
  const prev = previousAttributes(old, sub.doc);
  if (Object.keys(prev).length === 0) return;
  world.emit(acct, 'customer.subscription.updated', 'subscription', sub.doc, { prev, origin });
  if ('cancel_at' in prev) scheduleEnd(world, acct, sub);
}

/**
 * Cancels now (DELETE /v1/subscriptions/:id, or cancel_at reached). `prorate` is recorded for
 * inspection (state().subscriptions) but no proration credit is computed. Stripe stops
 * collecting a canceled subscription's open invoices: their next_payment_attempt is cleared.
 */
export function cancelSubscription(
  world: World,
  acct: AccountState,
  sub: Row,
  opts: { prorate: boolean; invoiceNow: boolean; reason: string; comment?: string | null; feedback?: string | null },
  origin: Origin,
): void {
  const now = world.nowSec();
  sub.meta.cancel = { at: world.nowMs(), prorate: opts.prorate, invoiceNow: opts.invoiceNow, reason: opts.reason };
  acct.subscriptions.update(sub, {
    status: 'canceled',
    canceled_at: now,
    ended_at: now,
    cancellation_details: { comment: opts.comment ?? null, feedback: opts.feedback ?? null, reason: opts.reason },
  });
  world.emit(acct, 'customer.subscription.deleted', 'subscription', sub.doc, { origin });
  for (const inv of acct.invoices.indexed('subscription', sub.id)?.rows ?? []) {
    if (inv.doc.status === 'open' && inv.doc.next_payment_attempt !== null) {
      updateInvoice(world, acct, inv, { next_payment_attempt: null }, origin);
    }
  }
}

/** After a payment outcome: past_due on a failure of an active one, active again once nothing is open. */
export function refreshSubscriptionStatus(world: World, acct: AccountState, subId: string | null, failed: boolean, origin: Origin): void {
  if (!subId) return;
  const sub = acct.subscriptions.get(subId);
  if (!sub) return;
  const status = sub.doc.status as string;
  if (failed) {
    if (status === 'active' || status === 'trialing') updateSubscription(world, acct, sub, { status: 'past_due' }, origin);
    return;
  }
  if (status !== 'past_due' && status !== 'unpaid' && status !== 'incomplete') return;
  const stillOpen = (acct.invoices.indexed('subscription', subId)?.rows ?? []).some(
    (r) => r.doc.status === 'open' && (r.doc.attempt_count as number) > 0,
  );
  if (!stillOpen) updateSubscription(world, acct, sub, { status: 'active' }, origin);
}
