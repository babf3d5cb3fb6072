/**
 * `POST /v1/recoveries`: a failed payment from the merchant's own billing becomes a case through
 * the engine's shared intake (planIntake/applyIntake, as takeover and Stripe webhooks use), so it
 * gets the same arm, first decision and explanation, network caps and report as a Stripe Billing
 * case. The case, its API facts, its result event and the idempotent answer are written in one
 * transaction before the answer is sent: a 202 is durable.
 */
import type { Settings } from '../config/settings.js';
import type { Store } from '../db/index.js';
import { applyIntake, planIntake, SKIP_REASONS } from '../engine/intake.js';
import type { ChargeFacts, InvoiceFacts } from '../engine/stripe-facts.js';
import type { CustomerPayment, LearnedStats } from '../policy/index.js';
import { ApiError } from './errors.js';
import { recordDecision } from '../outbox/events.js';
import type { CreateRecoveryBody } from './schemas.js';
import { buildView } from './view.js';

/** Account of every API case: the merchant's own (the one its Stripe key belongs to). */
export const API_ACCOUNT = 'self';

/** What the intake needs of the daemon's policy context. */
export interface IntakePolicy {
  readonly learned: LearnedStats;
  randomFor(accountId: string, invoiceId: string, now: number): () => number;
}

export interface CardFacts {
  fingerprint: string;
  brand: string;
  funding: 'credit' | 'debit' | 'prepaid' | 'unknown';
  country: string | null;
}

export interface IntakeRequest {
  body: CreateRecoveryBody;
  apiKeyId: number;
  idempotencyKey: string | null;
  /** The PaymentMethod's card, when Stripe could tell (for the network caps across cases). */
  card: CardFacts | null;
  settings: Settings;
  policy: IntakePolicy;
  now: number;
  /** The customer's past charges (customer-payments.ts), for the pay-cycle belief. */
  customerPayments?: readonly CustomerPayment[];
  /** Customer present: lease the first attempt in this transaction; returns its id if leased. */
  claimNow?(attemptId: number): number | undefined;
  /** Written in the same transaction (the idempotent answer). */
  remember(status: number, body: unknown, caseId: number | null): void;
}

export interface IntakeAnswer {
  status: number;
  body: unknown;
  caseId: number | null;
}

export function invoiceFactsOf(b: CreateRecoveryBody, now: number): InvoiceFacts {
  return {
    accountId: API_ACCOUNT,
    invoiceId: b.invoiceId,
    // The merchant's customer id: what the arm, the result webhooks and `explain` show
    // (the Stripe customer is in api_recoveries).
    customerId: b.customerId,
    subscriptionId: null,
    status: 'open',
    collectionMethod: 'charge_automatically',
    amountDue: b.amount,
    amountRemaining: b.amount,
    currency: b.currency,
    attemptCount: 1,
    billingReason: null,
    createdAt: now,
    nextPaymentAttempt: null,
    autoAdvance: false,
    managedByRecover: true,
    paymentIntentIds: [],
    latestPaymentIntentStatus: null,
    firstPaymentAt: now,
  };
}

export function chargeFactsOf(b: CreateRecoveryBody, card: CardFacts | null, now: number): ChargeFacts {
  return {
    chargeId: '',
    paymentIntentId: null,
    invoiceId: b.invoiceId,
    customerId: b.paymentMethod.customer,
    paymentMethodId: b.paymentMethod.token,
    at: now,
    amount: b.amount,
    currency: b.currency,
    succeeded: false,
    decline: {
      at: now,
      declineCode: b.declineCode,
      adviceCode: b.adviceCode,
      networkAdviceCode: b.networkAdviceCode,
    },
    card,
  };
}

export function acceptRecovery(store: Store, r: IntakeRequest): IntakeAnswer {
  const { body: b, now } = r;
  return store.tx(() => {
    const existing = store.cases.getByInvoice(b.invoiceId, API_ACCOUNT);
    if (existing) {
      // The same payment handed over again under another Idempotency-Key: the recovery it already is.
      if (existing.platform !== 'api') {
        throw new ApiError(
          409,
          'invalid_request_error',
          'invoice_taken',
          `invoiceId ${b.invoiceId} belongs to a ${existing.platform} case`,
          'invoiceId',
        );
      }
      const view = buildView(store, existing, store.apiRecoveries.get(existing.id));
      r.remember(200, view, existing.id);
      return { status: 200, body: view, caseId: existing.id };
    }
    const lastCharge = chargeFactsOf(b, r.card, now);
    const fp = r.card?.fingerprint;
    const plan = planIntake({
      invoice: invoiceFactsOf(b, now),
      lastCharge,
      customer: { timezone: null, country: r.card?.country ?? null },
      existing: undefined,
      cardCounts: fp ? store.cards.attemptCounts(fp, now, b.amount, b.currency) : null,
      settings: r.settings,
      stats: r.policy.learned,
      source: 'webhook',
      now,
      random: r.policy.randomFor(API_ACCOUNT, b.invoiceId, now),
      customerPayments: r.customerPayments,
    });
    if (plan.kind !== 'new') {
      throw new ApiError(
        400,
        'invalid_request_error',
        'not_recoverable',
        `not taken: ${plan.kind === 'skip' ? SKIP_REASONS[plan.reason] : 'already known'}`,
      );
    }
    plan.upsert.platform = 'api';
    // The failed charge is the merchant's: no Stripe charge id is known for it.
    plan.lastCharge = { ...lastCharge, chargeId: null as unknown as string };
    const caseId = applyIntake(store, plan, r.settings, now)!;
    store.apiRecoveries.insert({
      caseId,
      customerId: b.customerId,
      stripeCustomer: b.paymentMethod.customer,
      paymentMethod: b.paymentMethod.token,
      customerPresent: b.customerPresent ?? false,
      metadata: b.metadata ?? null,
      idempotencyKey: r.idempotencyKey,
      apiKeyId: r.apiKeyId,
      createdAt: now,
    });
    let c = store.cases.get(caseId)!;
    const pending = store.attempts.pendingForCase(caseId);
    if (r.claimNow && pending && c.status === 'in_dunning' && r.claimNow(pending.id) !== undefined) {
      // Charged within the call, at once: the event says so (present.ts answers the outcome).
      const d = plan.decision.action === 'retry' ? { ...plan.decision, at: now } : plan.decision;
      recordDecision(store, caseId, d, now, true);
      return { status: 102, body: null, caseId };
    }
    recordDecision(store, caseId, plan.decision, now, true); // recovery.scheduled / recovery.blocked
    c = store.cases.get(caseId)!;
    const blocked = c.status === 'hard_declined' || c.status === 'lost';
    const view = buildView(store, c, store.apiRecoveries.get(caseId));
    const status = blocked ? 200 : 202;
    r.remember(status, view, caseId);
    return { status, body: view, caseId };
  });
}
