import { invalidRequest } from './api-error.js';
import { computeNextAttempt, scheduleAttempt } from './smart-retries.js';
import type { Doc, Row } from './store.js';
import { previousAttributes, type AccountState, type Origin, type World } from './world.js';

/** Invoice creation (from the seed) and the state changes the API offers, with their events. */
export interface NewInvoice {
  id?: string;
  customer: Row;
  subscription: Row | null;
  amount: number;
  currency: string;
  collection_method: 'charge_automatically' | 'send_invoice';
  billing_reason: string;
  created: number; // epoch ms
  due_date?: number; // epoch ms
  period_start?: number; // epoch ms
  period_end?: number; // epoch ms
  auto_advance: boolean;
  description?: string;
  metadata: Record<string, string>;
  number: string;
  draft: boolean;
}

export function createInvoice(world: World, acct: AccountState, n: NewInvoice): Row {
  const id = n.id ?? world.ids.next('in');
  const created = Math.floor(n.created / 1000);
  const cus = n.customer.doc;
  const sub = n.subscription;
  const acctDoc = acct.row.doc;
  // Fields that never change once the invoice is finalized live in one shared object (`_s`),
  // so the many versions an invoice goes through (one per attempt) stay small.
  const stat: Doc = {
    account_country: acctDoc.country,
    account_name: acctDoc.business_profile?.name ?? null,
    customer_address: cus.address ?? null,
    customer_email: cus.email ?? null,
    customer_name: cus.name ?? null,
    description: n.description ?? null,
    due_date: n.due_date !== undefined ? Math.floor(n.due_date / 1000) : null,
    effective_at: n.draft ? null : created,
    ending_balance: n.draft ? null : 0,
    hosted_invoice_url: n.draft ? null : `https://invoice.stripe.com/i/${acct.id}/test_${id}`,
    invoice_pdf: n.draft ? null : `https://pay.stripe.com/invoice/${acct.id}/test_${id}/pdf`,
    number: n.draft ? null : n.number,
    parent: sub
      ? {
          quote_details: null,
          subscription_details: { metadata: sub.doc.metadata ?? {}, subscription: sub.id },
          type: 'subscription_details',
        }
      : null,
    period_end: Math.floor((n.period_end ?? n.created) / 1000),
    period_start: Math.floor((n.period_start ?? n.created) / 1000),
    subtotal: n.amount,
    subtotal_excluding_tax: n.amount,
    total: n.amount,
    total_excluding_tax: n.amount,
    webhooks_delivered_at: created,
  };
  const doc: Doc = {
    id,
    created,
    amount_due: n.amount,
    amount_paid: 0,
    amount_remaining: n.amount,
    attempt_count: 0,
    attempted: false,
    auto_advance: n.auto_advance,
    billing_reason: n.billing_reason,
    collection_method: n.collection_method,
    currency: n.currency,
    customer: cus.id,
    metadata: n.metadata,
    next_payment_attempt: null,
    status: n.draft ? 'draft' : 'open',
    status_transitions: {
      finalized_at: n.draft ? null : created,
      marked_uncollectible_at: null,
      paid_at: null,
      voided_at: null,
    },
    _s: stat,
  };
  // A draft's number is given when it is finalized.
  const meta = { firstFailedAt: null, paymentIntent: null, invoicePayment: null, number: n.number };
  return acct.invoices.insert(doc, meta);
}

/** The subscription an invoice belongs to (`parent.subscription_details.subscription`), or null. */
export function invoiceSubscription(doc: Doc): string | null {
  return (doc._s?.parent?.subscription_details?.subscription as string | undefined) ?? null;
}

/** A patch changing fields of the invoice's static part. */
export function staticPatch(doc: Doc, fields: Doc): Doc {
  return { _s: { ...doc._s, ...fields } };
}

/** Recomputes `next_payment_attempt` into `patch` for the invoice as it will be after `patch`. */
export function withNextAttempt(acct: AccountState, inv: Row, patch: Doc, nowMs: number): Doc {
  const next = computeNextAttempt(acct, { ...inv.doc, ...patch }, inv.meta, nowMs);
  return { ...patch, next_payment_attempt: next };
}

/** Patches an invoice, emits `invoice.updated` (with previous_attributes) when anything changed. */
export function updateInvoice(world: World, acct: AccountState, inv: Row, patch: Doc, origin: Origin): Doc {
  const old = acct.invoices.update(inv, patch);
  const prev = previousAttributes(old, inv.doc);
  if (Object.keys(prev).length > 0) world.emit(acct, 'invoice.updated', 'invoice', inv.doc, { prev, origin });
  if ('next_payment_attempt' in prev) scheduleAttempt(world, acct, inv);
  return prev;
}

/** The refusal Stripe gives for a state change on an invoice that is not open. */
function notOpen(): never {
  throw invalidRequest("You can only pass in open invoices. This invoice isn't open.");
}

export function markUncollectible(world: World, acct: AccountState, inv: Row, origin: Origin): void {
  if (inv.doc.status === 'uncollectible') throw invalidRequest('This invoice has already been marked uncollectible.');
  if (inv.doc.status !== 'open') notOpen();
  updateInvoice(
    world,
    acct,
    inv,
    {
      status: 'uncollectible',
      auto_advance: false,
      next_payment_attempt: null,
      status_transitions: { ...inv.doc.status_transitions, marked_uncollectible_at: world.nowSec() },
    },
    origin,
  );
  world.emit(acct, 'invoice.marked_uncollectible', 'invoice', inv.doc, { origin });
}

export function voidInvoice(world: World, acct: AccountState, inv: Row, origin: Origin): void {
  if (inv.doc.status === 'paid') throw invalidRequest('Invoices with `paid` payments cannot be voided.');
  if (inv.doc.status !== 'open') notOpen();
  updateInvoice(
    world,
    acct,
    inv,
    {
      status: 'void',
      auto_advance: false,
      next_payment_attempt: null,
      status_transitions: { ...inv.doc.status_transitions, voided_at: world.nowSec() },
    },
    origin,
  );
  world.emit(acct, 'invoice.voided', 'invoice', inv.doc, { origin });
  cancelOpenPayment(world, acct, inv, origin);
}

/** Voiding cancels the invoice's payment intent and its open invoice payment. */
function cancelOpenPayment(world: World, acct: AccountState, inv: Row, origin: Origin): void {
  const pi = inv.meta.paymentIntent ? acct.payment_intents.get(inv.meta.paymentIntent as string) : undefined;
  if (pi && pi.doc.status !== 'succeeded' && pi.doc.status !== 'canceled') {
    acct.payment_intents.update(pi, { status: 'canceled', canceled_at: world.nowSec(), cancellation_reason: 'void_invoice', next_action: null });
    world.emit(acct, 'payment_intent.canceled', 'payment_intent', pi.doc, { origin });
  }
  const ip = inv.meta.invoicePayment ? acct.invoice_payments.get(inv.meta.invoicePayment as string) : undefined;
  if (ip && ip.doc.status === 'open') {
    acct.invoice_payments.update(ip, { status: 'canceled', status_transitions: { ...ip.doc.status_transitions, canceled_at: world.nowSec() } });
  }
}

/** `pay` with `paid_out_of_band: true`: paid, no charge, `attempted` unchanged. */
export function payOutOfBand(world: World, acct: AccountState, inv: Row, origin: Origin): void {
  const now = world.nowSec();
  updateInvoice(
    world,
    acct,
    inv,
    {
      status: 'paid',
      amount_paid: inv.doc.amount_due,
      amount_paid_off_stripe: inv.doc.amount_remaining,
      amount_remaining: 0,
      auto_advance: false,
      next_payment_attempt: null,
      status_transitions: { ...inv.doc.status_transitions, paid_at: now },
    },
    origin,
  );
  world.emit(acct, 'invoice.paid', 'invoice', inv.doc, { origin });
}

/** Draft → open (`invoice.finalized`), with Stripe's number, URLs and next_payment_attempt. */
export function finalizeInvoice(
  world: World, acct: AccountState, inv: Row, origin: Origin, autoAdvance?: boolean,
): void {
  const now = world.nowSec();
  const patch: Doc = {
    status: 'open',
    ...staticPatch(inv.doc, {
      number: inv.doc._s.number ?? inv.meta.number ?? `${inv.id.slice(3, 11).toUpperCase()}-0001`,
      effective_at: now,
      ending_balance: 0,
      hosted_invoice_url: `https://invoice.stripe.com/i/${acct.id}/test_${inv.id}`,
      invoice_pdf: `https://pay.stripe.com/invoice/${acct.id}/test_${inv.id}/pdf`,
    }),
    status_transitions: { ...inv.doc.status_transitions, finalized_at: now },
  };
  if (autoAdvance !== undefined) patch.auto_advance = autoAdvance;
  updateInvoice(world, acct, inv, withNextAttempt(acct, inv, patch, world.nowMs()), origin);
  world.emit(acct, 'invoice.finalized', 'invoice', inv.doc, { origin });
}
