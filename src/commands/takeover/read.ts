/**
 * The read step of one page: Stripe's invoices (with `payments`, `customer` and the
 * subscription expanded) plus what the store already knows, turned into plain data for the
 * planner. The last decline and the PaymentIntent's status come from the PaymentIntents staged
 * by the first pass, joined locally by PaymentIntent id — no Stripe call per invoice.
 */
import { customerPayments } from '../../engine/customer-payments.js';
import type { CustomerPayment } from '../../policy/index.js';
import { chargeFacts, customerFacts, historyCharge, invoiceFacts, type ChargeFacts, type InvoiceFacts } from '../../engine/stripe-facts.js';
import type { CardAttemptCounts, Case, NewHistoryCharge, StagedDecline, StagedIntentInvoice, Store } from '../../db/index.js';
import type { Charge, Invoice, InvoicePayment, PaymentIntent } from '../../stripe/index.js';

/**
 * `expand[]` for the invoice list: each path is within Stripe's limit of 4 levels
 * (`data.parent.subscription_details.subscription` is exactly 4). The PaymentIntent behind
 * `payments` would be 5 (`data.payments.data.payment.payment_intent`), hence the separate
 * PaymentIntent pass.
 */
export const INVOICE_EXPAND = ['data.payments', 'data.customer', 'data.parent.subscription_details.subscription'];
/** `expand[]` for the PaymentIntent list: its last charge carries the decline and the card. */
export const INTENT_EXPAND = ['data.latest_charge'];

/** What a PaymentIntent tells about its invoice, staged between the two passes. */
export interface IntentFacts {
  status: string;
  /** Its latest charge, when that one failed. */
  lastFailure: ChargeFacts | null;
}

/** Staging rows for one page of PaymentIntents (settled ones are of no use to the join). */
export function stageIntents(accountId: string, intents: readonly PaymentIntent[]): StagedDecline[] {
  const rows: StagedDecline[] = [];
  for (const pi of intents) {
    if (pi.status === 'succeeded' || pi.status === 'canceled') continue;
    const ch = pi.latest_charge && typeof pi.latest_charge === 'object' ? (pi.latest_charge as Charge) : null;
    const lastFailure = ch && ch.status === 'failed' ? chargeFacts(ch) : null;
    const facts: IntentFacts = { status: pi.status, lastFailure };
    rows.push({ accountId, paymentIntentId: pi.id, chargeId: ch?.id ?? null, at: (ch?.created ?? pi.created) * 1000, facts });
  }
  return rows;
}

export interface InvoiceRead {
  facts: InvoiceFacts;
  customer: { timezone: string | null; country: string | null };
  subscriptionStatus: string | null;
  lastCharge: ChargeFacts | null;
  existing: Case | undefined;
  cardCounts: CardAttemptCounts | null;
  /** The customer's past charges (`--history`, earlier runs), for a new case's first decision. */
  payments: readonly CustomerPayment[];
}

/** One page: two queries for the whole page (staged PaymentIntents, existing cases), then per invoice. */
export function readInvoices(store: Store, accountId: string, invoices: readonly Invoice[], now: number): InvoiceRead[] {
  const all = invoices.map((inv) => invoiceFacts(inv, accountId));
  const intents = store.takeoverStaging.getMany(accountId, all.flatMap((f) => f.paymentIntentIds));
  const cases = store.cases.getByInvoices(accountId, all.map((f) => f.invoiceId));
  return invoices.map((inv, i) => {
    const facts = all[i];
    let lastCharge: ChargeFacts | null = null;
    let latest: IntentFacts | undefined;
    // paymentIntentIds are oldest first: the last one staged is the invoice's current PaymentIntent.
    for (const pi of facts.paymentIntentIds) {
      const staged = intents.get(pi) as IntentFacts | undefined;
      if (!staged) continue;
      latest = staged;
      const f = staged.lastFailure;
      if (f && (!lastCharge || f.at > lastCharge.at)) lastCharge = f;
    }
    if (lastCharge) lastCharge = { ...lastCharge, invoiceId: facts.invoiceId };
    facts.latestPaymentIntentStatus ??= latest?.status ?? null;
    const cus = inv.customer;
    const customer = cus && typeof cus === 'object' && !('deleted' in cus && cus.deleted) ? customerFacts(cus) : { timezone: null, country: null };
    const sub = inv.parent?.subscription_details?.subscription;
    const subscriptionStatus = sub && typeof sub === 'object' ? sub.status : null;
    const existing = cases.get(facts.invoiceId);
    const card = lastCharge?.card;
    const cardCounts = card ? store.cards.attemptCounts(card.fingerprint, now, facts.amountRemaining, facts.currency) : null;
    const payments = existing ? [] : customerPayments(store, accountId, facts.customerId, now);
    return { facts, customer, subscriptionStatus, lastCharge, existing, cardCounts, payments };
  });
}

/** PaymentIntent → invoice pairs from one page of invoice payments (--history). */
export function stageInvoicePayments(accountId: string, payments: readonly InvoicePayment[]): StagedIntentInvoice[] {
  const rows: StagedIntentInvoice[] = [];
  for (const p of payments) {
    const pi = p.payment?.payment_intent;
    const invoice = typeof p.invoice === 'string' ? p.invoice : p.invoice?.id;
    if (pi && invoice) rows.push({ accountId, paymentIntentId: typeof pi === 'string' ? pi : pi.id, invoiceId: invoice });
  }
  return rows;
}

/**
 * History rows (--history) for one page of charges: settled charges at or after `from` (epoch
 * ms), with their invoice found through the staged invoice payments (null for a charge that
 * paid no invoice).
 */
export function historyRows(accountId: string, charges: readonly Charge[], from: number, invoiceOf: (pi: string) => string | undefined): NewHistoryCharge[] {
  const out: NewHistoryCharge[] = [];
  for (const ch of charges) {
    if (ch.created * 1000 < from) continue;
    const pi = typeof ch.payment_intent === 'string' ? ch.payment_intent : ch.payment_intent?.id;
    const row = historyCharge(accountId, ch, (pi && invoiceOf(pi)) || null);
    if (row) out.push(row);
  }
  return out;
}
