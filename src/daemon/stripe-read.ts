/**
 * The daemon's reads from Stripe, each as few calls as the API allows:
 * - an invoice with its payments' PaymentIntents, customer and subscription expanded (1 call),
 *   plus the latest charge of its latest PaymentIntent (1 call) — all that intake needs;
 * - the latest charge of an invoice through /v1/invoice_payments (1 call), for attempts that
 *   Stripe or the customer made.
 */
import {
  chargeFacts,
  customerFacts,
  invoiceFacts,
  type ChargeFacts,
  type InvoiceFacts,
} from '../engine/stripe-facts.js';
import type { Account } from '../db/index.js';
import type {
  CallContext,
  Charge,
  Customer,
  Invoice,
  PaymentIntent,
  StripeGateway,
  Subscription,
} from '../stripe/index.js';

/** The Stripe-Account context for a stored account (none for the main account). */
export function callContext(accountId: string, accounts: readonly Account[]): CallContext | undefined {
  const a = accounts.find((x) => x.id === accountId);
  return a?.kind === 'connected' ? { account: accountId } : undefined;
}

export const INVOICE_EXPAND = [
  'payments.data.payment.payment_intent',
  'customer',
  'parent.subscription_details.subscription',
];

export interface InvoiceContext {
  invoice: Invoice;
  facts: InvoiceFacts;
  lastCharge: ChargeFacts | null;
  customer: { timezone: string | null; country: string | null };
  subscriptionStatus: string | null;
}

function latestPaymentIntent(inv: Invoice): PaymentIntent | null {
  const payments = [...(inv.payments?.data ?? [])].sort((a, b) => a.created - b.created);
  const pi = payments[payments.length - 1]?.payment?.payment_intent;
  return pi && typeof pi === 'object' ? (pi as PaymentIntent) : null;
}

export function subscriptionOf(inv: Invoice): Subscription | null {
  const s = inv.parent?.subscription_details?.subscription;
  return s && typeof s === 'object' ? (s as Subscription) : null;
}

export async function readInvoice(
  gw: StripeGateway,
  invoiceId: string,
  ctx: CallContext | undefined,
): Promise<Invoice> {
  return gw.invoices.retrieve(invoiceId, { expand: INVOICE_EXPAND }, ctx);
}

/**
 * Everything `planIntake` needs about an invoice read with readInvoice: 1 more Stripe call, for
 * the latest charge (none when it never had a payment).
 */
export async function readInvoiceContext(
  gw: StripeGateway,
  invoice: Invoice,
  accountId: string,
  ctx: CallContext | undefined,
): Promise<InvoiceContext> {
  const pi = latestPaymentIntent(invoice);
  let lastCharge: ChargeFacts | null = null;
  const chargeId = pi ? (typeof pi.latest_charge === 'string' ? pi.latest_charge : pi.latest_charge?.id) : undefined;
  if (pi && chargeId) {
    const full = await gw.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] }, ctx);
    const ch = full.latest_charge;
    if (ch && typeof ch === 'object') lastCharge = chargeFacts(ch as Charge);
  }
  const customer =
    typeof invoice.customer === 'object' &&
    invoice.customer &&
    !('deleted' in invoice.customer && invoice.customer.deleted)
      ? (invoice.customer as Customer)
      : null;
  return {
    invoice,
    facts: invoiceFacts(invoice, accountId),
    lastCharge,
    customer: customerFacts(customer),
    subscriptionStatus: subscriptionOf(invoice)?.status ?? null,
  };
}

/** The latest charge on an invoice (newest InvoicePayment's PaymentIntent's latest charge), or null. */
export async function readLatestCharge(
  gw: StripeGateway,
  invoiceId: string,
  ctx: CallContext | undefined,
): Promise<ChargeFacts | null> {
  const list = await gw.invoicePayments.list(
    { invoice: invoiceId, limit: 10, expand: ['data.payment.payment_intent.latest_charge'] },
    ctx,
  );
  const payments = [...list.data].sort((a, b) => a.created - b.created);
  const pi = payments[payments.length - 1]?.payment?.payment_intent;
  const ch = pi && typeof pi === 'object' ? (pi as PaymentIntent).latest_charge : null;
  return ch && typeof ch === 'object' ? chargeFacts(ch as Charge) : null;
}

/** The invoice a PaymentIntent pays, through /v1/invoice_payments (1 call), or null. */
export async function invoiceOfPaymentIntent(
  gw: StripeGateway,
  paymentIntentId: string,
  ctx: CallContext | undefined,
): Promise<string | null> {
  const list = await gw.invoicePayments.list(
    { payment: { type: 'payment_intent', payment_intent: paymentIntentId }, limit: 1 },
    ctx,
  );
  const inv = list.data[0]?.invoice;
  return inv ? (typeof inv === 'string' ? inv : inv.id) : null;
}

/** PaymentIntent status of the invoice's latest payment (expanded by readInvoice), or null. */
export function latestPaymentIntentStatus(inv: Invoice): string | null {
  return latestPaymentIntent(inv)?.status ?? null;
}
