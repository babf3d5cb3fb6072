import { ApiError, invalidRequest } from './api-error.js';
import { TEST_CARD_NUMBERS, TEST_PAYMENT_METHODS } from './cards.js';
import { attachPaymentMethod, createPaymentMethod } from './customers.js';
import { resolveDecline } from './declines.js';
import { render } from './render.js';
import type { Doc, Row } from './store.js';
import { setupCustomerDetails } from './templates-intents.js';
import { AUTOMATIC, type AccountState, type Origin, type World } from './world.js';

/**
 * Checkout Sessions in `setup` mode: the hosted page where a customer saves a new card. Held to Stripe's
 * "Set up future payments" guide (docs.stripe.com/payments/save-and-reuse?platform=checkout): the
 * session's SetupIntent is created during the session, the new PaymentMethod is attached to the
 * `customer` given at creation, and completion fires `checkout.session.completed` (whose `setup_intent`
 * names the SetupIntent holding `payment_method`); `{CHECKOUT_SESSION_ID}` in `success_url` is replaced
 * by the session id. The SDK's Session docs: `expires_at` is 30 minutes to 24 hours after creation
 * (default 24 hours); `url` "is only present when the session is active".
 */
export const MIN_EXPIRY_S = 30 * 60;
export const MAX_EXPIRY_S = 24 * 60 * 60;

export interface NewSetupSession {
  customer: Row | null;
  currency: string | null;
  successUrl: string | null;
  cancelUrl: string | null;
  /** Epoch seconds. */
  expiresAt: number;
  metadata: Record<string, string>;
  clientReferenceId: string | null;
  customerEmail: string | null;
  allowedTypes: string[] | null;
  setupIntentData: { metadata: Record<string, string>; description: string | null };
}

export function createSetupSession(world: World, acct: AccountState, s: NewSetupSession): Row {
  const id = world.ids.next('cs_test', 58);
  const row = acct.checkout_sessions.insert(
    {
      id,
      created: world.nowSec(),
      mode: 'setup',
      customer: s.customer?.id ?? null,
      customer_email: s.customerEmail,
      client_reference_id: s.clientReferenceId,
      currency: s.currency,
      success_url: s.successUrl,
      cancel_url: s.cancelUrl,
      expires_at: s.expiresAt,
      metadata: s.metadata,
      allowed_payment_method_types: s.allowedTypes,
      status: 'open',
      url: `${world.baseUrl}/_emulator/checkout/${id}`,
    },
    { setupIntentData: s.setupIntentData },
  );
  world.scheduler.add(s.expiresAt * 1000, { kind: 'checkout_expire', account: acct.id, session: id });
  return row;
}

/** Expires an open session (`checkout.session.expired`); false when it was no longer open. */
export function expireSession(world: World, acct: AccountState, row: Row, origin: Origin = AUTOMATIC): boolean {
  if (row.doc.status !== 'open') return false;
  acct.checkout_sessions.update(row, { status: 'expired', url: null });
  world.emit(acct, 'checkout.session.expired', 'checkout.session', row.doc, { origin });
  return true;
}

/** The session and its account, whichever account holds it (the hosted page carries no Stripe-Account). */
export function findSession(world: World, id: string): { acct: AccountState; row: Row } | undefined {
  for (const acct of world.accounts.values()) {
    const row = acct.checkout_sessions.get(id);
    if (row) return { acct, row };
  }
  return undefined;
}

/** A test card by Stripe's test id (`pm_card_visa`) or test number (`4242424242424242`). */
export function testCard(card: string): (typeof TEST_PAYMENT_METHODS)[string] | undefined {
  return TEST_PAYMENT_METHODS[card] ?? TEST_PAYMENT_METHODS[TEST_CARD_NUMBERS[card.replace(/\s/g, '')] ?? ''];
}

export interface Completion {
  session: Doc;
  setup_intent: Doc;
  payment_method: Doc;
}

/**
 * The customer submits the hosted page with `card`. A card the issuer declines fails the SetupIntent
 * (`setup_intent.setup_failed`, 402 with the decline) and leaves the session open for another try; any
 * other card (a 3-D Secure one included: the customer is on the page to authenticate) completes it.
 */
export function completeSession(world: World, acct: AccountState, row: Row, card: string): Completion {
  if (row.doc.status === 'open' && world.nowSec() >= row.doc.expires_at) expireSession(world, acct, row);
  if (row.doc.status !== 'open') {
    throw invalidRequest(`This Checkout Session is no longer active (status ${row.doc.status}).`, 'checkout_session');
  }
  const test = testCard(card);
  if (!test)
    throw invalidRequest(`Unknown test card ${card}: use a pm_card_… id or a Stripe test card number.`, 'card');
  const cus = row.doc.customer ? acct.customers.get(row.doc.customer as string) : undefined;
  const pm = createPaymentMethod(world, acct, {
    card: test.card,
    behaviour: test.behaviour,
    created: world.nowMs(),
    customer: null,
    billingName: cus?.doc.name ?? null,
    billingEmail: cus?.doc.email ?? row.doc.customer_email ?? null,
  });
  const data = row.meta.setupIntentData as NewSetupSession['setupIntentData'];
  const siId = world.ids.next('seti');
  const si = acct.setup_intents.insert({
    id: siId,
    client_secret: `${siId}_secret_${siId.slice(5, 29)}`,
    created: world.nowSec(),
    customer: row.doc.customer,
    description: data.description,
    metadata: data.metadata,
    payment_method: pm.id,
    allowed_payment_method_types: row.doc.allowed_payment_method_types,
    status: 'requires_confirmation',
  });
  world.emit(acct, 'setup_intent.created', 'setup_intent', si.doc);
  const b = test.behaviour;
  if (b.type === 'decline') {
    const d = resolveDecline(b);
    const error = { type: 'card_error' as const, code: d.code, decline_code: d.decline_code, message: d.message };
    acct.setup_intents.update(si, {
      status: 'requires_payment_method',
      payment_method: null,
      last_setup_error: { ...error, payment_method: render('payment_method', pm.doc), payment_method_type: 'card' },
    });
    world.emit(acct, 'setup_intent.setup_failed', 'setup_intent', si.doc);
    throw new ApiError(402, { ...error, setup_intent: render('setup_intent', si.doc) });
  }
  if (cus) attachPaymentMethod(world, acct, pm, cus.id, AUTOMATIC);
  acct.setup_intents.update(si, { status: 'succeeded' });
  world.emit(acct, 'setup_intent.succeeded', 'setup_intent', si.doc);
  acct.checkout_sessions.update(row, {
    status: 'complete',
    url: null,
    setup_intent: si.id,
    customer_details: setupCustomerDetails(cus?.doc.email ?? row.doc.customer_email ?? null, cus?.doc.name ?? null),
  });
  world.emit(acct, 'checkout.session.completed', 'checkout.session', row.doc);
  return {
    session: render('checkout.session', row.doc),
    setup_intent: render('setup_intent', si.doc),
    payment_method: render('payment_method', pm.doc),
  };
}

/** Where the hosted page sends the customer after completion: `{CHECKOUT_SESSION_ID}` filled in. */
export function successRedirect(doc: Doc): string | null {
  const url = doc.success_url as string | null;
  return url ? url.replace(/\{CHECKOUT_SESSION_ID\}/g, doc.id as string) : null;
}
