/**
 * The read step of one page: Stripe's invoices (with `payments`, `customer` and the
 * subscription expanded) plus what the store already knows, turned into plain data for the
 * planner. The last decline comes from the charges staged by the charges pass, joined by
 * PaymentIntent — no Stripe call per invoice.
 */
import { chargeFacts, customerFacts, invoiceFacts, type ChargeFacts, type InvoiceFacts } from '../../engine/stripe-facts.js';
import type { CardAttemptCounts, Case, NewHistoryCharge, StagedDecline, Store } from '../../db/index.js';
import type { Charge, Invoice } from '../../stripe/index.js';

/**
 * `expand[]` for the invoice list: each path is within Stripe's limit of 4 levels
 * (`data.parent.subscription_details.subscription` is exactly 4). The PaymentIntent behind
 * `payments` would be 5 (`data.payments.data.payment.payment_intent`), hence the charges pass.
 */
export const INVOICE_EXPAND = ['data.payments', 'data.customer', 'data.parent.subscription_details.subscription'];

/** Stripe's decline code for an off-session payment that needs the customer (3-D Secure). */
export const AUTHENTICATION_REQUIRED = 'authentication_required';

export interface InvoiceRead {
  facts: InvoiceFacts;
  customer: { timezone: string | null; country: string | null };
  subscriptionStatus: string | null;
  lastCharge: ChargeFacts | null;
  existing: Case | undefined;
  cardCounts: CardAttemptCounts | null;
}

export function readInvoices(store: Store, accountId: string, invoices: readonly Invoice[], now: number): InvoiceRead[] {
  return invoices.map((inv) => {
    const facts = invoiceFacts(inv, accountId);
    let lastCharge: ChargeFacts | null = null;
    for (const pi of facts.paymentIntentIds) {
      const staged = store.takeoverStaging.get(accountId, pi) as ChargeFacts | undefined;
      if (staged && (!lastCharge || staged.at > lastCharge.at)) lastCharge = staged;
    }
    if (lastCharge) lastCharge = { ...lastCharge, invoiceId: facts.invoiceId };
    // Without the PaymentIntent itself (one level too deep to expand), a last decline of
    // `authentication_required` is what tells us the invoice waits for the customer's 3-D Secure.
    if (facts.latestPaymentIntentStatus === null && lastCharge?.decline?.declineCode === AUTHENTICATION_REQUIRED) {
      facts.latestPaymentIntentStatus = 'requires_action';
    }
    const cus = inv.customer;
    const customer = cus && typeof cus === 'object' && !('deleted' in cus && cus.deleted) ? customerFacts(cus) : { timezone: null, country: null };
    const sub = inv.parent?.subscription_details?.subscription;
    const subscriptionStatus = sub && typeof sub === 'object' ? sub.status : null;
    const existing = store.cases.getByInvoice(facts.invoiceId, accountId);
    const card = lastCharge?.card;
    const cardCounts = card ? store.cards.attemptCounts(card.fingerprint, now, facts.amountRemaining, facts.currency) : null;
    return { facts, customer, subscriptionStatus, lastCharge, existing, cardCounts };
  });
}

export interface ChargeSplit {
  /** Failed charges with a PaymentIntent, created at or after the decline window's start. */
  declines: StagedDecline[];
  /** Settled charges at or after the history window's start (none without --history). */
  history: NewHistoryCharge[];
}

/** Sorts one page of charges into staged declines and history rows. Times in epoch ms. */
export function splitCharges(accountId: string, charges: readonly Charge[], declinesFrom: number, historyFrom: number | null): ChargeSplit {
  const out: ChargeSplit = { declines: [], history: [] };
  for (const ch of charges) {
    const f = chargeFacts(ch);
    if (f.decline && f.paymentIntentId && f.at >= declinesFrom) {
      out.declines.push({ accountId, paymentIntentId: f.paymentIntentId, chargeId: f.chargeId, at: f.at, facts: f });
    }
    if (historyFrom !== null && f.at >= historyFrom && (ch.status === 'succeeded' || ch.status === 'failed')) {
      out.history.push({
        id: f.chargeId, accountId, customerId: f.customerId, invoiceId: null, paymentIntentId: f.paymentIntentId,
        amount: f.amount, currency: f.currency, status: ch.status === 'succeeded' ? 'succeeded' : 'failed', created: f.at,
        declineCode: f.decline?.declineCode ?? null, adviceCode: f.decline?.adviceCode ?? null,
        networkAdviceCode: f.decline?.networkAdviceCode ?? null, networkDeclineCode: f.decline?.networkDeclineCode ?? null,
        outcomeReason: f.decline?.outcomeReason ?? null, cardFingerprint: f.card?.fingerprint ?? null,
        cardBrand: f.card?.brand ?? null, cardFunding: f.card?.funding ?? null, cardCountry: f.card?.country ?? null,
      });
    }
  }
  return out;
}
