/**
 * The Stripe Billing side of the charge seam: a case is an open invoice; the check is a fresh
 * read of the invoice (src/daemon/retry-check.ts), the charge is `invoices.pay` with the attempt's
 * idempotency key (Stripe replays the first answer for 24 h), the latest charge comes from the
 * invoice's payments.
 */
import type { Case } from '../../db/index.js';
import { checkRetryable } from '../../daemon/retry-check.js';
import { readInvoice, readLatestCharge } from '../../daemon/stripe-read.js';
import { declineOf } from '../../daemon/attempt-outcomes.js';
import {
  IdempotencyConflict,
  InvalidRequest,
  isRetryable,
  needsOperator,
  NotFound,
  type CallContext,
  type Invoice,
  type PaymentIntent,
  type StripeGateway,
} from '../../stripe/index.js';
import type { ChargeConnector, ErrorClass } from '../types.js';
import { declineFacts } from '../../decline.js';

/** Stripe keeps an idempotency key 24 h; one hour less leaves room for clock skew (ms). */
export const STRIPE_REPLAY_WINDOW_MS = 23 * 3_600_000;

/** Expanded on `pay` so the charge id comes back with the invoice. Constant: a resumed call sends the same. */
const PAY_EXPAND = ['payments.data.payment.payment_intent'];

export interface StripeBillingDeps {
  gw: StripeGateway;
  ctxFor(accountId: string): CallContext | undefined;
  /** Ours; an invoice whose metadata names another installation is never charged. */
  installationId?: string;
}

function chargeIdOf(inv: Invoice): string | null {
  const payments = [...(inv.payments?.data ?? [])].sort((a, b) => a.created - b.created);
  const pi = payments[payments.length - 1]?.payment?.payment_intent;
  if (!pi || typeof pi !== 'object') return null;
  const ch = (pi as PaymentIntent).latest_charge;
  return ch ? (typeof ch === 'string' ? ch : ch.id) : null;
}

/** Stripe's typed gateway errors as the executor's error classes. */
export function classifyStripeError(e: unknown): ErrorClass {
  if (e instanceof IdempotencyConflict && e.retryable) return 'in_flight';
  if (isRetryable(e)) return 'retryable';
  if (needsOperator(e)) return 'operator';
  if (e instanceof NotFound) return 'item_missing';
  if (e instanceof InvalidRequest) return 'refused';
  return 'unknown';
}

export function stripeBillingConnector(d: StripeBillingDeps): ChargeConnector {
  const ctx = (c: Case) => d.ctxFor(c.accountId);
  return {
    platform: 'stripe',
    replayWindowMs: STRIPE_REPLAY_WINDOW_MS,
    async check(c, _a, input) {
      const inv = await readInvoice(d.gw, c.invoiceId, ctx(c));
      return checkRetryable(c, inv, { newCard: input.newCard, installationId: d.installationId });
    },
    async charge(c, _a, p) {
      // Stripe pays an invoice's whole amount remaining: `p.amount` cannot lower it.
      const r = await d.gw.invoices.pay(c.invoiceId, { idempotencyKey: p.idempotencyKey, expand: PAY_EXPAND }, ctx(c));
      if (r.ok) return { ok: true, amount: r.invoice.amount_paid || c.amountDue, chargeId: chargeIdOf(r.invoice) };
      return { ok: false, decline: declineOf(r.decline) };
    },
    async latestCharge(c) {
      const ch = await readLatestCharge(d.gw, c.invoiceId, ctx(c));
      return (
        ch && {
          chargeId: ch.chargeId,
          at: ch.at,
          amount: ch.amount,
          succeeded: ch.succeeded,
          decline: ch.decline && declineFacts(ch.decline),
        }
      );
    },
    classify: classifyStripeError,
  };
}
