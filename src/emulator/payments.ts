import { ApiError, docUrl, invalidRequest, noSuch } from './api-error.js';
import { evaluate, type Outcome } from './behaviour.js';
import { customerZone, hasNewerPaymentMethod } from './customers.js';
import { insertCharge } from './charge-row.js';
import { isHardDecline, resolveDecline, type ResolvedDecline } from './declines.js';
import { invoiceSubscription, withNextAttempt } from './invoices.js';
import { render } from './render.js';
import { scheduleAttempt } from './smart-retries.js';
import type { Doc, Row } from './store.js';
import { refreshSubscriptionStatus } from './subscriptions.js';
import { type AccountState, type Origin, type World } from './world.js';

/**
 * One collection attempt on an invoice — `POST /v1/invoices/:id/pay`, a Smart Retry, or a
 * seeded past attempt. Like Stripe, an invoice has one PaymentIntent (and one default
 * InvoicePayment pointing at it), created on the first attempt; every attempt adds a Charge
 * to it, so `latest_charge` / `last_payment_error` describe the most recent try.
 */
export type AttemptSource = 'api' | 'smart_retry' | 'first_attempt' | 'seed';

/** An off-session charge on a card that needs 3-D Secure fails with this decline. */
export const AUTH_REQUIRED = { decline_code: 'authentication_required' };

export const NEXT_ACTION_3DS = {
  type: 'use_stripe_sdk',
  use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: 'https://hooks.stripe.com/3d_secure_2/hosted', source: 'src_emulator' },
};

export interface AttemptOptions {
  paymentMethod?: string;
  origin: Origin;
  source: AttemptSource;
  /** Overrides the payment method's behaviour (seeded history). */
  forced?: Outcome;
}

export type AttemptResult =
  | { ok: true; charge: Row | null }
  | { ok: false; charge: Row | null; pi: Row | null; pm: Row | null; decline: ResolvedDecline | null; requiresAction: boolean };

/** The payment method Stripe would charge: invoice → subscription → customer default. */
export function defaultPaymentMethod(acct: AccountState, inv: Row): string | null {
  if (inv.doc.default_payment_method) return inv.doc.default_payment_method as string;
  const subId = invoiceSubscription(inv.doc);
  const sub = subId ? acct.subscriptions.get(subId) : undefined;
  if (sub?.doc.default_payment_method) return sub.doc.default_payment_method as string;
  const cus = acct.customers.get(inv.doc.customer as string);
  return (cus?.doc.invoice_settings?.default_payment_method as string | null) ?? null;
}

export function attemptInvoice(world: World, acct: AccountState, inv: Row, opts: AttemptOptions): AttemptResult {
  const api = opts.source === 'api';
  const pmId = opts.paymentMethod ?? defaultPaymentMethod(acct, inv);
  const pm = pmId ? acct.payment_methods.get(pmId) : undefined;
  if (api && pmId && !pm) throw noSuch('PaymentMethod', pmId, 'payment_method');
  if (api && pm && pm.doc.customer !== inv.doc.customer) {
    throw invalidRequest(`The PaymentMethod provided (${pm.id}) is not attached to this Invoice's customer.`, 'payment_method');
  }
  if (api && !pm) {
    throw invalidRequest(
      'This customer has no attached payment source or default payment method. Please consider adding a default payment method. ' +
        'For more information, visit https://stripe.com/docs/billing/subscriptions/payment-methods-setting#payment-method-priority.',
    );
  }
  const now = world.nowMs();
  if (!pm) return failWithoutCharge(world, acct, inv, opts.origin);

  const cus = acct.customers.get(inv.doc.customer as string);
  const outcome =
    opts.forced ??
    evaluate(pm.meta.behaviour, { now, timezone: customerZone(acct, cus?.doc), newerPaymentMethod: hasNewerPaymentMethod(acct, pm) });
  const { pi, created: piCreated } = ensurePaymentIntent(world, acct, inv, pm);
  const amount = inv.doc.amount_remaining as number;
  const ok = outcome.kind === 'succeeded';
  const decline = outcome.kind === 'succeeded' ? null : resolveDecline(outcome.kind === 'declined' ? outcome.decline : AUTH_REQUIRED);
  const charge = insertCharge(world, acct, {
    pm,
    amount,
    currency: inv.doc.currency,
    customer: inv.doc.customer,
    paymentIntent: pi.id,
    decline,
    threeDs: outcome.kind === 'requires_action',
    origin: opts.origin,
    source: opts.source,
    invoice: inv.id,
  });
  const lastError = decline ? paymentError(decline, charge, pm) : null;
  acct.payment_intents.update(pi, {
    amount,
    amount_received: ok ? amount : 0,
    latest_charge: charge.id,
    last_payment_error: lastError,
    payment_method: pm.id,
    status: ok ? 'succeeded' : outcome.kind === 'requires_action' ? 'requires_action' : 'requires_payment_method',
    next_action: outcome.kind === 'requires_action' ? NEXT_ACTION_3DS : null,
  });
  const o = { origin: opts.origin };
  if (piCreated) world.emit(acct, 'payment_intent.created', 'payment_intent', pi.doc, o);
  world.emit(acct, ok ? 'charge.succeeded' : 'charge.failed', 'charge', charge.doc, o);
  const counts = countsAsAttempt(inv, opts.source);
  inv.meta.lastCharge = charge.id;
  // Smart Retries stop after a hard decline until another payment method is to be charged.
  inv.meta.hardDeclinedPm = decline && isHardDecline(decline) ? pm.id : null;
  if (ok) return succeed(world, acct, inv, pi, charge, opts.origin, counts);

  world.emit(acct, outcome.kind === 'requires_action' ? 'payment_intent.requires_action' : 'payment_intent.payment_failed', 'payment_intent', pi.doc, o);
  recordFailure(world, acct, inv, opts.origin, counts);
  if (outcome.kind === 'requires_action') world.emit(acct, 'invoice.payment_action_required', 'invoice', inv.doc, o);
  return { ok: false, charge, pi, pm, decline, requiresAction: outcome.kind === 'requires_action' };
}

/**
 * Whether an attempt moves the retry schedule. The SDK's `Invoice.attempt_count` doc: "Any payment
 * attempt counts as the first attempt, and subsequently only automatic retries increment the
 * attempt count. In other words, manual payment attempts after the first attempt do not affect the
 * retry schedule." So a manual `pay` after the first neither counts nor moves next_payment_attempt.
 */
function countsAsAttempt(inv: Row, source: AttemptSource): boolean {
  return source !== 'api' || (inv.doc.attempt_count as number) === 0;
}

/** The 402 Stripe answers a failed `pay` with. */
export function cardErrorFor(result: Extract<AttemptResult, { ok: false }>, requestLogUrl: string): ApiError {
  const d = result.decline!;
  return new ApiError(402, {
    type: 'card_error',
    code: d.code,
    decline_code: d.decline_code,
    ...(d.advice_code ? { advice_code: d.advice_code } : {}),
    ...(d.network_advice_code ? { network_advice_code: d.network_advice_code } : {}),
    ...(d.network_decline_code ? { network_decline_code: d.network_decline_code } : {}),
    message: d.message,
    charge: result.charge!.id,
    doc_url: docUrl(d.code),
    payment_intent: render('payment_intent', result.pi!.doc),
    payment_method: render('payment_method', result.pm!.doc),
    payment_method_type: 'card',
    request_log_url: requestLogUrl,
  });
}

export function paymentError(d: ResolvedDecline, charge: Row, pm: Row): Doc {
  return {
    type: 'card_error',
    code: d.code,
    decline_code: d.decline_code,
    advice_code: d.advice_code ?? undefined,
    network_advice_code: d.network_advice_code ?? undefined,
    network_decline_code: d.network_decline_code ?? undefined,
    message: d.message,
    charge: charge.id,
    doc_url: docUrl(d.code),
    payment_method: pm.doc,
    payment_method_type: 'card',
  };
}

function ensurePaymentIntent(world: World, acct: AccountState, inv: Row, pm: Row): { pi: Row; created: boolean } {
  const existing = inv.meta.paymentIntent ? acct.payment_intents.get(inv.meta.paymentIntent as string) : undefined;
  if (existing) return { pi: existing, created: false };
  const id = world.ids.next('pi');
  const pi = acct.payment_intents.insert({
    id,
    created: world.nowSec(),
    amount: inv.doc.amount_remaining,
    currency: inv.doc.currency,
    customer: inv.doc.customer,
    description: invoiceSubscription(inv.doc) ? 'Subscription update' : 'Payment for Invoice',
    payment_method: pm.id,
    status: 'requires_payment_method',
  });
  const ip = acct.invoice_payments.insert({
    id: world.ids.next('inpay'),
    created: world.nowSec(),
    amount_requested: inv.doc.amount_remaining,
    currency: inv.doc.currency,
    invoice: inv.id,
    is_default: true,
    payment: { payment_intent: id, type: 'payment_intent' },
    status: 'open',
    status_transitions: { canceled_at: null, paid_at: null },
  });
  inv.meta.paymentIntent = pi.id;
  inv.meta.invoicePayment = ip.id;
  return { pi, created: true };
}

function succeed(
  world: World, acct: AccountState, inv: Row, pi: Row, charge: Row, origin: Origin, counts: boolean,
): AttemptResult {
  const now = world.nowSec();
  const o = { origin };
  world.emit(acct, 'payment_intent.succeeded', 'payment_intent', pi.doc, o);
  const ip = acct.invoice_payments.get(inv.meta.invoicePayment as string);
  if (ip) {
    acct.invoice_payments.update(ip, { status: 'paid', amount_paid: charge.doc.amount, status_transitions: { canceled_at: null, paid_at: now } });
    world.emit(acct, 'invoice_payment.paid', 'invoice_payment', ip.doc, o);
  }
  applyToInvoice(world, acct, inv, {
    attempt_count: (inv.doc.attempt_count as number) + (counts ? 1 : 0),
    attempted: true,
    _pay: payRefs(inv),
    status: 'paid',
    // Stripe stops automatic collection of a paid invoice.
    auto_advance: false,
    amount_paid: inv.doc.amount_due,
    amount_remaining: 0,
    next_payment_attempt: null,
    status_transitions: { ...inv.doc.status_transitions, paid_at: now },
  }, origin);
  world.emit(acct, 'invoice.paid', 'invoice', inv.doc, o);
  world.emit(acct, 'invoice.payment_succeeded', 'invoice', inv.doc, o);
  refreshSubscriptionStatus(world, acct, invoiceSubscription(inv.doc), false, origin);
  return { ok: true, charge };
}

function recordFailure(world: World, acct: AccountState, inv: Row, origin: Origin, counts = true): void {
  if (inv.meta.firstFailedAt === null) inv.meta.firstFailedAt = world.nowMs();
  // A manual retry after the first attempt leaves attempt_count and next_payment_attempt alone.
  const base = { attempted: true, _pay: payRefs(inv) };
  const count = { ...base, attempt_count: (inv.doc.attempt_count as number) + 1 };
  const patch = counts ? withNextAttempt(acct, inv, count, world.nowMs()) : base;
  applyToInvoice(world, acct, inv, patch, origin);
  world.emit(acct, 'invoice.payment_failed', 'invoice', inv.doc, { origin });
  refreshSubscriptionStatus(world, acct, invoiceSubscription(inv.doc), true, origin);
}

/** The invoice's payment intent and latest charge, which API versions before 2025-03-31.basil show on it. */
function payRefs(inv: Row): Doc {
  const pi = (inv.meta.paymentIntent as string | null) ?? null;
  return { pi, ch: (inv.meta.lastCharge as string | undefined) ?? null };
}

/** An automatic attempt with no payment method at all: counted and reported, no charge. */
function failWithoutCharge(world: World, acct: AccountState, inv: Row, origin: Origin): AttemptResult {
  recordFailure(world, acct, inv, origin);
  return { ok: false, charge: null, pi: null, pm: null, decline: null, requiresAction: false };
}

function applyToInvoice(world: World, acct: AccountState, inv: Row, patch: Doc, origin: Origin): void {
  const old = acct.invoices.update(inv, patch);
  const prev: Doc = {};
  for (const k of Object.keys(patch)) if (!k.startsWith('_') && old[k] !== inv.doc[k]) prev[k] = old[k] ?? null;
  if (Object.keys(prev).length > 0) world.emit(acct, 'invoice.updated', 'invoice', inv.doc, { prev, origin });
  if (inv.doc.next_payment_attempt !== null && old.next_payment_attempt !== inv.doc.next_payment_attempt) {
    scheduleAttempt(world, acct, inv);
  }
}
