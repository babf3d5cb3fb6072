import { DAY_MS, HOUR_MS } from '../clock.js';
import { createInvoice, finalizeInvoice } from './invoices.js';
import { render } from './render.js';
import type { Row } from './store.js';
import { AUTOMATIC, type AccountState, type World } from './world.js';

/**
 * Subscription renewals on the emulator clock, in Stripe's order: at the end of a period the
 * subscription rolls over to the next one (`items.data[].current_period_start/end` — the period
 * lives on the items in this API version, see SubscriptionItem in the SDK types) and a draft
 * invoice is created (`invoice.created`, `billing_reason: subscription_cycle`, parent
 * subscription_details); about an hour later it is finalized (`invoice.finalized`) and the first
 * payment attempt follows (Invoice.attempted doc: "An invoice is not attempted until 1 hour
 * after the `invoice.created` webhook"), with the payment events of its payment method. A
 * subscription whose card keeps failing goes past_due (payments.ts). Subscriptions that are
 * canceled, or end at this period's end, do not renew.
 */
export type Interval = 'day' | 'week' | 'month' | 'year';

/** Draft → open after this long, ms (Stripe: "about an hour"). */
export const FINALIZE_AFTER_MS = HOUR_MS;

/** The k-th period boundary from `anchor` (epoch ms; months clamp the day, like Stripe's anchors). */
export function periodBoundary(anchor: number, interval: Interval, k: number): number {
  if (interval === 'day') return anchor + k * DAY_MS;
  if (interval === 'week') return anchor + k * 7 * DAY_MS;
  const d = new Date(anchor);
  const months = interval === 'month' ? k : 12 * k;
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
}

/** The period (epoch ms) that contains `at`, stepping from `anchor`. */
export function currentPeriod(anchor: number, interval: Interval, at: number): [number, number] {
  if (anchor > at) return [anchor, periodBoundary(anchor, interval, 1)];
  const approx = { day: DAY_MS, week: 7 * DAY_MS, month: 28 * DAY_MS, year: 365 * DAY_MS }[interval];
  let k = Math.max(0, Math.floor((at - anchor) / approx) - 2);
  while (periodBoundary(anchor, interval, k + 1) <= at) k++;
  return [periodBoundary(anchor, interval, k), periodBoundary(anchor, interval, k + 1)];
}

/** Puts the subscription's next renewal (its current period's end) on the timeline. */
export function scheduleRenewal(world: World, acct: AccountState, sub: Row): void {
  if (sub.doc.status === 'canceled' || !sub.doc._item) return;
  world.scheduler.add(sub.doc._item.period_end * 1000, { kind: 'renewal', account: acct.id, subscription: sub.id });
}

/** Runs a due renewal; false when stale (canceled, ending now, or already renewed). */
export function renew(world: World, acct: AccountState, sub: Row, atMs: number): boolean {
  const item = sub.doc._item;
  if (!item || sub.doc.status === 'canceled' || item.period_end * 1000 !== atMs) return false;
  if (sub.doc.cancel_at !== null && sub.doc.cancel_at * 1000 <= atMs) return false;
  const anchor = sub.doc.billing_cycle_anchor * 1000;
  const [start, end] = currentPeriod(anchor, item.interval as Interval, atMs);
  const old = sub.doc;
  const cus = acct.customers.get(sub.doc.customer as string)!;
  const inv = createInvoice(world, acct, {
    customer: cus,
    subscription: sub,
    amount: item.price,
    currency: item.currency,
    collection_method: 'charge_automatically',
    billing_reason: 'subscription_cycle',
    created: atMs,
    // Stripe's subscription_cycle invoice covers the period that just ended (its lines the new one).
    period_start: item.period_start * 1000,
    period_end: atMs,
    auto_advance: true,
    metadata: {},
    number: `${cus.doc.invoice_prefix}-${String(acct.invoices.size + 1).padStart(4, '0')}`,
    draft: true,
  });
  acct.subscriptions.update(sub, {
    latest_invoice: inv.id,
    _item: { ...item, period_start: Math.floor(start / 1000), period_end: Math.floor(end / 1000) },
  });
  const prev = { items: render('subscription', old).items, latest_invoice: old.latest_invoice ?? null };
  world.emit(acct, 'customer.subscription.updated', 'subscription', sub.doc, { prev });
  world.emit(acct, 'invoice.created', 'invoice', inv.doc);
  world.scheduler.add(atMs + FINALIZE_AFTER_MS, { kind: 'finalize', account: acct.id, invoice: inv.id });
  scheduleRenewal(world, acct, sub);
  return true;
}

/** The automatic finalization of a renewal draft (its first attempt is then due at once). */
export function autoFinalize(world: World, acct: AccountState, inv: Row | undefined): boolean {
  if (!inv || inv.doc.status !== 'draft' || inv.doc.auto_advance !== true) return false;
  finalizeInvoice(world, acct, inv, AUTOMATIC);
  return true;
}

