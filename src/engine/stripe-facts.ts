/**
 * Plain facts out of Stripe objects (API 2026-10-28.endive), so that the rest of the engine
 * never reads Stripe's shapes directly. Times become epoch ms; ids stay Stripe's.
 */
import type { Charge, Customer, Invoice, PaymentIntent } from '../stripe/index.js';
import type { CardFunding, NewHistoryCharge, Platform } from '../db/index.js';
import type { DeclineFacts } from '../policy/index.js';

const ms = (sec: number | null | undefined): number | null => (sec === null || sec === undefined ? null : sec * 1000);
const idOf = (v: string | { id: string } | null | undefined): string | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? v : v.id;

export interface InvoiceFacts {
  /** Default 'stripe'; a connector's item in the same form (src/connectors/recharge/facts.ts) names its own. */
  platform?: Platform;
  accountId: string;
  invoiceId: string;
  customerId: string;
  subscriptionId: string | null;
  status: string | null;
  collectionMethod: string;
  amountDue: number;
  amountRemaining: number;
  currency: string;
  attemptCount: number;
  billingReason: string | null;
  createdAt: number;
  /** When Stripe will retry by itself (Smart Retries), or null. */
  nextPaymentAttempt: number | null;
  autoAdvance: boolean;
  managedByRecover: boolean;
  /** PaymentIntents of the invoice's payments, oldest first (expanded `payments` needed). */
  paymentIntentIds: string[];
  /** Status of the latest PaymentIntent, when it was expanded. */
  latestPaymentIntentStatus: string | null;
  /** Earliest payment creation (≈ first attempt), when payments were expanded. */
  firstPaymentAt: number | null;
}

export function invoiceFacts(inv: Invoice, accountId: string): InvoiceFacts {
  const payments = [...(inv.payments?.data ?? [])].sort((a, b) => a.created - b.created);
  const pis = payments.map((p) => p.payment?.payment_intent).filter((p): p is NonNullable<typeof p> => Boolean(p));
  const latest = pis[pis.length - 1];
  return {
    accountId,
    invoiceId: inv.id,
    customerId: idOf(inv.customer) ?? '',
    subscriptionId: idOf(inv.parent?.subscription_details?.subscription ?? null),
    status: inv.status,
    collectionMethod: inv.collection_method,
    amountDue: inv.amount_due,
    amountRemaining: inv.amount_remaining,
    currency: inv.currency,
    attemptCount: inv.attempt_count,
    billingReason: inv.billing_reason,
    createdAt: inv.created * 1000,
    nextPaymentAttempt: ms(inv.next_payment_attempt),
    autoAdvance: inv.auto_advance ?? false,
    managedByRecover: inv.metadata?.recover_managed === 'true',
    paymentIntentIds: pis.map((p) => idOf(p)!).filter(Boolean),
    latestPaymentIntentStatus: latest && typeof latest !== 'string' ? (latest as PaymentIntent).status : null,
    firstPaymentAt: payments.length ? payments[0].created * 1000 : null,
  };
}

export interface CardInfo {
  fingerprint: string;
  brand: string;
  funding: CardFunding;
  country: string | null;
}

export interface ChargeFacts {
  chargeId: string;
  paymentIntentId: string | null;
  invoiceId: string | null;
  customerId: string | null;
  paymentMethodId: string | null;
  at: number;
  amount: number;
  currency: string;
  succeeded: boolean;
  /** Present for a failed charge. */
  decline: DeclineFacts | null;
  card: CardInfo | null;
}

/**
 * Stripe puts an issuer decline's code in `outcome.reason` (e.g. `insufficient_funds`); a
 * Radar block has its reason there too; `failure_code` is the coarse error code
 * (`card_declined`, `expired_card`, `incorrect_number`…).
 */
export function declineCodeOf(charge: Pick<Charge, 'outcome' | 'failure_code'>): string | undefined {
  const o = charge.outcome;
  if (o?.type === 'issuer_declined' && o.reason) return o.reason;
  if (charge.failure_code && charge.failure_code !== 'card_declined') return charge.failure_code;
  return o?.reason ?? charge.failure_code ?? undefined;
}

export function chargeFacts(charge: Charge): ChargeFacts {
  const card = charge.payment_method_details?.card;
  const o = charge.outcome;
  const failed = charge.status === 'failed';
  return {
    chargeId: charge.id,
    paymentIntentId: idOf(charge.payment_intent),
    invoiceId: null,
    customerId: idOf(charge.customer),
    paymentMethodId: charge.payment_method ?? null,
    at: charge.created * 1000,
    amount: charge.amount,
    currency: charge.currency,
    succeeded: charge.status === 'succeeded',
    decline: failed
      ? {
          at: charge.created * 1000,
          declineCode: declineCodeOf(charge),
          adviceCode: o?.advice_code ?? undefined,
          networkAdviceCode: o?.network_advice_code ?? undefined,
          networkDeclineCode: o?.network_decline_code ?? undefined,
          outcomeReason: o?.reason ?? undefined,
        }
      : null,
    card: card?.fingerprint
      ? {
          fingerprint: card.fingerprint,
          brand: card.brand ?? 'unknown',
          funding: fundingOf(card.funding),
          country: card.country ?? null,
        }
      : null,
  };
}

function fundingOf(f: string | null | undefined): CardFunding {
  return f === 'credit' || f === 'debit' || f === 'prepaid' ? f : 'unknown';
}

/**
 * Stripe has no customer timezone field; recover reads `metadata.timezone` (an IANA name the
 * merchant may set) and the address country. The policy falls back to the configured default.
 */
export function customerFacts(c: Customer | null | undefined): { timezone: string | null; country: string | null } {
  if (!c) return { timezone: null, country: null };
  return {
    timezone: c.metadata?.timezone ?? null,
    country: c.address?.country ?? c.shipping?.address?.country ?? null,
  };
}

/**
 * A settled charge as a row of the payment history (`history_charges`): what `takeover --history`
 * imports and what the daemon adds as charges succeed, for the report's baseline and the policy's
 * pay-cycle belief. Null for a charge that is not settled (pending).
 */
export function historyCharge(accountId: string, ch: Charge, invoiceId: string | null): NewHistoryCharge | null {
  if (ch.status !== 'succeeded' && ch.status !== 'failed') return null;
  const f = chargeFacts(ch);
  const d = f.decline;
  return {
    id: f.chargeId,
    accountId,
    customerId: f.customerId,
    invoiceId,
    paymentIntentId: f.paymentIntentId,
    amount: f.amount,
    currency: f.currency,
    status: ch.status === 'succeeded' ? 'succeeded' : 'failed',
    created: f.at,
    declineCode: d?.declineCode ?? null,
    adviceCode: d?.adviceCode ?? null,
    networkAdviceCode: d?.networkAdviceCode ?? null,
    networkDeclineCode: d?.networkDeclineCode ?? null,
    outcomeReason: d?.outcomeReason ?? null,
    cardFingerprint: f.card?.fingerprint ?? null,
    cardBrand: f.card?.brand ?? null,
    cardFunding: f.card?.funding ?? null,
    cardCountry: f.card?.country ?? null,
  };
}
