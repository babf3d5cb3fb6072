/**
 * Charges over time: a queued charge is attempted when the clock reaches its scheduled_at; the
 * card's behaviour decides success or error; Recharge's own retries follow the store's schedule
 * when they are switched on; a card update re-plans errored charges for the next day with
 * CARD_UPDATED_NOW_PENDING_NEXT_ATTEMPT; a paid charge queues the subscription's next one.
 * Sources and assumptions for each rule: README.md in this folder.
 */
import { DAY_MS, HOUR_MS } from '../../clock.js';
import { majorString, minorFromDecimal } from '../../money.js';
import type { RechargeCharge, RechargeSubscription } from '../../connectors/recharge/types.js';
import type { Due } from './agenda.js';
import { decide, ERROR_TEXT } from './behaviour.js';
import { iso, type ChargeRow, type RechargeWorld } from './world.js';

/** Non-payment errors (inventory, shipping) are not retried by Recharge's card-retry schedule. */
function isCardError(t: string): boolean {
  return !t.startsWith('INVENTORY_') && !t.startsWith('SHIPPING_');
}

/** A queued charge for `sub` at `scheduledMs` (and the subscription's next_charge_scheduled_at). */
export function queueCharge(w: RechargeWorld, sub: RechargeSubscription, scheduledMs: number, createdMs = w.nowMs()) {
  const cus = w.customers.get(sub.customer_id)!;
  const id = w.id('charge');
  const total = majorString(
    minorFromDecimal(sub.price, sub.presentment_currency) * sub.quantity,
    sub.presentment_currency,
  );
  const doc: RechargeCharge = {
    id,
    address_id: sub.address_id,
    customer: { id: cus.id, email: cus.email, external_customer_id: cus.external_customer_id, hash: cus.hash },
    status: 'queued',
    error: null,
    error_type: null,
    charge_attempts: 0,
    retry_date: null,
    scheduled_at: iso(scheduledMs),
    processed_at: null,
    created_at: iso(createdMs),
    updated_at: iso(createdMs),
    currency: sub.presentment_currency,
    total_price: total,
    subtotal_price: total,
    line_items: [{ subscription_id: sub.id, title: sub.product_title, quantity: sub.quantity, price: sub.price }],
    payment_processor: 'stripe',
    external_transaction_id: null,
  };
  const row: ChargeRow = { doc, scheduledMs, retryMs: null, subscriptionId: sub.id };
  w.charges.set(id, row);
  sub.next_charge_scheduled_at = iso(scheduledMs);
  w.agenda.add({ at: scheduledMs, kind: 'charge', id });
  return row;
}

export type AttemptOrigin = 'scheduled' | 'recharge_retry' | 'api';

/** One attempt on the customer's default card at the clock's now. Emits charge/paid or charge/failed. */
export function attemptCharge(w: RechargeWorld, row: ChargeRow, origin: AttemptOrigin): void {
  const now = w.nowMs();
  const c = row.doc;
  const pm = w.defaultPaymentMethod(c.customer.id);
  c.charge_attempts += 1;
  c.updated_at = iso(now);
  const out = pm
    ? decide(pm.behaviour, c.id, c.charge_attempts, now)
    : {
        ok: false as const,
        error_type: 'CUSTOMER_NEEDS_TO_UPDATE_CARD',
        error: ERROR_TEXT.CUSTOMER_NEEDS_TO_UPDATE_CARD,
      };
  row.retryMs = null;
  c.retry_date = null;
  if (out.ok) {
    c.status = 'success';
    c.processed_at = iso(now);
    c.error = null;
    c.error_type = null;
    const orderId = w.id('order');
    w.orders.set(orderId, {
      id: orderId,
      charge_id: c.id,
      customer_id: c.customer.id,
      status: 'success',
      total_price: c.total_price,
      currency: c.currency,
      created_at: iso(now),
    });
    setDunning(w, c.customer.id);
    w.emit('charge/paid', { charge: c });
    renew(w, row);
    return;
  }
  c.status = 'error';
  c.error = out.error;
  c.error_type = out.error_type;
  const s = w.settings;
  const retriesLeft = c.charge_attempts <= s.retryDays.length;
  if (s.rechargeRetries && isCardError(out.error_type) && retriesLeft) {
    planRetry(w, row, now + s.retryDays[c.charge_attempts - 1] * DAY_MS);
  }
  setDunning(w, c.customer.id);
  w.emit('charge/failed', { charge: c });
  if (s.rechargeRetries && !retriesLeft && origin !== 'api') maxRetriesReached(w, row);
}

/** Recharge's own next attempt at `atMs` (retry_date on the charge). */
export function planRetry(w: RechargeWorld, row: ChargeRow, atMs: number): void {
  row.retryMs = atMs;
  row.doc.retry_date = iso(atMs);
  w.agenda.add({ at: atMs, kind: 'retry', id: row.doc.id });
}

/**
 * The last retry failed: the charge is closed as CLOSED_MAX_RETRIES_REACHED (its processor `error`
 * text kept) and the store's max-retry action applies — by default the subscription is cancelled
 * (support.rechargepayments.com/hc/en-us/articles/360030618053, "Managing max retry order errors").
 */
function maxRetriesReached(w: RechargeWorld, row: ChargeRow): void {
  row.doc.error_type = 'CLOSED_MAX_RETRIES_REACHED';
  w.emit('charge/max_retries_reached', { charge: row.doc });
  if (w.settings.maxRetriesAction !== 'cancel' || row.subscriptionId === null) return;
  const sub = w.subscriptions.get(row.subscriptionId);
  if (sub && sub.status === 'active') cancelSubscription(w, sub, 'Max retries reached', null);
}

export function cancelSubscription(
  w: RechargeWorld,
  sub: RechargeSubscription,
  reason: string,
  comments: string | null,
): void {
  const now = iso(w.nowMs());
  sub.status = 'cancelled';
  sub.cancellation_reason = reason;
  sub.cancellation_reason_comments = comments;
  sub.cancelled_at = now;
  sub.updated_at = now;
  sub.next_charge_scheduled_at = null;
  // Its queued charges go: Recharge drops the upcoming charge of a cancelled subscription (assumption).
  for (const row of w.charges.values()) {
    if (row.subscriptionId === sub.id && row.doc.status === 'queued') w.charges.delete(row.doc.id);
  }
  const cus = w.customers.get(sub.customer_id);
  if (cus) cus.subscriptions_active_count = Math.max(0, cus.subscriptions_active_count - 1);
  w.emit('subscription/cancelled', { subscription: sub });
}

/** After a paid charge, the subscription's next charge is queued one interval later. */
function renew(w: RechargeWorld, row: ChargeRow): void {
  if (row.subscriptionId === null) return;
  const sub = w.subscriptions.get(row.subscriptionId);
  if (!sub || sub.status !== 'active') return;
  const d = new Date(row.scheduledMs);
  const n = sub.order_interval_frequency;
  if (sub.order_interval_unit === 'month') d.setUTCMonth(d.getUTCMonth() + n);
  else d.setTime(d.getTime() + n * (sub.order_interval_unit === 'week' ? 7 : 1) * DAY_MS);
  queueCharge(w, sub, Math.max(d.getTime(), w.nowMs() + DAY_MS));
}

/** PST, UTC−8 (Recharge's docs say "16:00 PST"; daylight time is not modelled). */
const PST_OFFSET_MS = -8 * HOUR_MS;

/** 16:00 PST of the day after `nowMs`'s Pacific date, epoch ms. */
export function nextDayAt1600Pst(nowMs: number): number {
  const pacificDay = Math.floor((nowMs + PST_OFFSET_MS) / DAY_MS);
  return (pacificDay + 1) * DAY_MS + 16 * HOUR_MS - PST_OFFSET_MS;
}

/**
 * The customer saved a new card: each errored charge of theirs gets error_type
 * CARD_UPDATED_NOW_PENDING_NEXT_ATTEMPT, its retry date the next day (at 16:00 PST) and its
 * attempts set to one (support.rechargepayments.com/hc/en-us/articles/360006361593 "Card declines
 * and order errors"; support.getrecharge.com/hc/en-us/articles/360008682094). It happens "by
 * default", so whether the failed-charge retries are on or not unless `cardUpdateRetry` is off.
 */
export function cardUpdated(w: RechargeWorld, customerId: number): number[] {
  const now = w.nowMs();
  const touched: number[] = [];
  if (!w.settings.cardUpdateRetry) return touched;
  for (const row of w.charges.values()) {
    if (row.doc.customer.id !== customerId || row.doc.status !== 'error') continue;
    row.doc.error_type = 'CARD_UPDATED_NOW_PENDING_NEXT_ATTEMPT';
    row.doc.error = ERROR_TEXT.CARD_UPDATED_NOW_PENDING_NEXT_ATTEMPT;
    row.doc.charge_attempts = 1;
    row.doc.updated_at = iso(now);
    planRetry(w, row, nextDayAt1600Pst(now));
    touched.push(row.doc.id);
  }
  setDunning(w, customerId);
  return touched;
}

function setDunning(w: RechargeWorld, customerId: number): void {
  const cus = w.customers.get(customerId);
  if (!cus) return;
  let dunning = false;
  for (const row of w.charges.values())
    if (row.doc.customer.id === customerId && row.doc.status === 'error') dunning = true;
  cus.has_payment_method_in_dunning = dunning;
  cus.updated_at = iso(w.nowMs());
}

/** Applies one due charge or Recharge retry (stale entries — the charge moved on — do nothing). */
export function applyDue(w: RechargeWorld, due: Due): void {
  const row = w.charges.get(due.id);
  if (!row) return;
  if (due.kind === 'charge' && row.doc.status === 'queued' && row.scheduledMs === due.at) {
    attemptCharge(w, row, 'scheduled');
  } else if (due.kind === 'retry' && row.doc.status === 'error' && row.retryMs === due.at) {
    attemptCharge(w, row, 'recharge_retry');
  }
}

/**
 * Runs everything due up to `until` in time order, moving the clock to each item's time, then
 * to `until`. `deliver` makes a due webhook redelivery (awaited: its outcome decides the next).
 */
export async function runUntil(
  w: RechargeWorld,
  until: number,
  deliver?: (id: number) => Promise<void>,
): Promise<void> {
  for (let due = w.agenda.popDue(until); due; due = w.agenda.popDue(until)) {
    if (due.at > w.nowMs()) w.clock.set(due.at);
    if (due.kind === 'delivery') await deliver?.(due.id);
    else applyDue(w, due);
  }
  if (until > w.nowMs()) w.clock.set(until);
}
