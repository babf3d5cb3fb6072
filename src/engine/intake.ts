/**
 * Opening a case for a failed invoice: the one path shared by takeover, the webhook handler
 * and the reconciler. `planIntake` is pure (eligibility, arm, first decision); `applyIntake`
 * writes the plan in one transaction. Pausing Stripe's retries is I/O the caller does after.
 */
import { DAY_MS } from '../clock.js';
import type { Settings } from '../config/settings.js';
import type { CardAttemptCounts, Case, CaseSource, CaseStatus, CaseUpsert, Store } from '../db/index.js';
import {
  assignArm,
  decide,
  type Arm,
  type Decision,
  type CustomerPayment,
  type LearnedStats,
} from '../policy/index.js';
import { applyDecision, recoverRetries, statusFor } from './decision.js';
import { buildPolicyInput } from './policy-input.js';
import type { ChargeFacts, InvoiceFacts } from './stripe-facts.js';
import { declineFacts, lastDeclineOf } from '../decline.js';

export const SKIP_REASONS = {
  paid: 'paid meanwhile',
  not_open: 'no longer open (void, uncollectible or draft)',
  not_automatic: 'not collected automatically',
  zero_amount: 'amount due is 0',
  not_attempted: 'no failed attempt yet',
  subscription_create: 'failure on subscription creation (not included by the settings)',
  subscription_canceled: 'subscription canceled',
  needs_customer_action: 'needs customer action (3DS)',
  past_dunning_window: 'past the dunning window',
} as const;
export type SkipReason = keyof typeof SKIP_REASONS;

export interface IntakeInput {
  invoice: InvoiceFacts;
  /** The invoice's last failed charge, when known. */
  lastCharge: ChargeFacts | null;
  customer: { timezone: string | null; country: string | null };
  subscriptionStatus?: string | null;
  existing: Case | undefined;
  cardCounts: CardAttemptCounts | null;
  settings: Settings;
  stats: LearnedStats;
  source: CaseSource;
  now: number;
  random: () => number;
  /** The customer's past charges (customer-payments.ts), for the first decision's pay-cycle belief. */
  customerPayments?: readonly CustomerPayment[];
}

export type IntakePlan =
  | { kind: 'skip'; invoiceId: string; accountId: string; reason: SkipReason }
  | { kind: 'refresh'; invoiceId: string; accountId: string; caseId: number; upsert: CaseUpsert }
  | {
      kind: 'new';
      invoiceId: string;
      accountId: string;
      upsert: CaseUpsert;
      arm: Arm;
      decision: Decision;
      pauseStripe: boolean;
      lastCharge: ChargeFacts | null;
    };

/** When the invoice first failed: its first payment, else its last failure, else its creation. */
export function firstFailedAt(inv: InvoiceFacts, lastCharge: ChargeFacts | null): number {
  return inv.firstPaymentAt ?? lastCharge?.at ?? inv.createdAt;
}

export function skipReason(
  inv: InvoiceFacts,
  i: Pick<IntakeInput, 'settings' | 'now' | 'subscriptionStatus' | 'lastCharge'>,
): SkipReason | null {
  if (inv.status === 'paid') return 'paid';
  if (inv.status !== 'open') return 'not_open';
  if (inv.collectionMethod !== 'charge_automatically') return 'not_automatic';
  if (inv.amountRemaining <= 0) return 'zero_amount';
  if (inv.billingReason === 'subscription_create' && !i.settings.includeSubscriptionCreate)
    return 'subscription_create';
  if (inv.attemptCount < 1) return 'not_attempted';
  if (i.subscriptionStatus === 'canceled' || i.subscriptionStatus === 'incomplete_expired')
    return 'subscription_canceled';
  if (inv.latestPaymentIntentStatus === 'requires_action') return 'needs_customer_action';
  if (firstFailedAt(inv, i.lastCharge) + i.settings.dunningDays * DAY_MS <= i.now) return 'past_dunning_window';
  return null;
}

export function planIntake(i: IntakeInput): IntakePlan {
  const inv = i.invoice;
  const base = { invoiceId: inv.invoiceId, accountId: inv.accountId };
  // An existing case is refreshed even if the invoice is now paid: the event handlers close it.
  const reason = i.existing ? null : skipReason(inv, i);
  if (reason) return { kind: 'skip', ...base, reason };
  const failedAt = i.existing?.firstFailedAt ?? firstFailedAt(inv, i.lastCharge);
  const arm = i.existing?.arm ?? assignArm(inv.customerId, i.settings.controlShare);
  const c = i.lastCharge;
  const upsert: CaseUpsert = {
    platform: inv.platform ?? 'stripe',
    accountId: inv.accountId,
    invoiceId: inv.invoiceId,
    customerId: inv.customerId,
    amountDue: inv.amountRemaining,
    currency: inv.currency,
    invoiceCreatedAt: inv.createdAt,
    firstFailedAt: failedAt,
    source: i.source,
    arm,
    status: 'in_dunning',
    dunningDeadline: failedAt + i.settings.dunningDays * DAY_MS,
    subscriptionId: inv.subscriptionId,
    billingReason: inv.billingReason,
    stripeAttemptCount: inv.attemptCount,
    customerTimezone: i.customer.timezone,
    customerCountry: i.customer.country,
    paymentMethodId: c?.paymentMethodId ?? null,
    cardFingerprint: c?.card?.fingerprint ?? null,
    cardBrand: c?.card?.brand ?? null,
    cardFunding: c?.card?.funding ?? null,
    cardCountry: c?.card?.country ?? null,
    lastFailedAt: c?.decline?.at ?? null,
    ...lastDeclineOf(declineFacts(c?.decline)),
    lastChargeId: c?.chargeId ?? null,
  };
  if (i.existing) return { kind: 'refresh', ...base, caseId: i.existing.id, upsert };
  // The first decision is taken on the case as it will be stored.
  const asCase = caseFromUpsert(upsert, i.now);
  const decision = decide(
    buildPolicyInput({
      case: asCase,
      attempts: [],
      cardCounts: i.cardCounts,
      settings: i.settings,
      stats: i.stats,
      now: i.now,
      random: i.random,
      customerPayments: i.customerPayments,
    }),
  );
  upsert.status = statusFor(decision, 'in_dunning') as Exclude<CaseStatus, 'recovered'>;
  const pauseStripe = recoverRetries(arm, i.settings) && i.settings.mode === 'live' && inv.autoAdvance;
  return { kind: 'new', ...base, upsert, arm, decision, pauseStripe, lastCharge: c };
}

/** Writes a plan; returns the case id (undefined for a skip). */
export function applyIntake(store: Store, plan: IntakePlan, settings: Settings, now: number): number | undefined {
  if (plan.kind === 'skip') return undefined;
  return store.tx(() => {
    const { id, inserted } = store.cases.upsert(plan.upsert);
    if (plan.kind === 'new' && inserted) {
      const c = plan.lastCharge;
      if (c?.decline) {
        store.attempts.record({
          caseId: id,
          by: 'stripe',
          outcome: 'declined',
          at: c.at,
          chargeId: c.chargeId,
          amount: c.amount,
          currency: c.currency,
          declineCode: c.decline.declineCode,
          adviceCode: c.decline.adviceCode,
          networkAdviceCode: c.decline.networkAdviceCode,
          networkDeclineCode: c.decline.networkDeclineCode,
        });
        if (c.card) {
          store.cards.upsert(
            { fingerprint: c.card.fingerprint, brand: c.card.brand, funding: c.card.funding, country: c.card.country },
            c.at,
          );
          store.cards.recordAttempt({
            fingerprint: c.card.fingerprint,
            at: c.at,
            amount: c.amount,
            currency: c.currency,
            declined: true,
            declineCode: c.decline.declineCode,
            networkAdviceCode: c.decline.networkAdviceCode,
            chargeId: c.chargeId,
          });
        }
      }
      // The status came with the upsert; a stop's reason is recorded as applyDecision would.
      if (plan.decision.action === 'stop') store.cases.update(id, { closedReason: plan.decision.kind });
      applyDecision(store, store.cases.get(id)!, plan.decision, settings, now, { statusAlreadySet: true });
    }
    return id;
  });
}

function caseFromUpsert(u: CaseUpsert, now: number): Case {
  return {
    id: 0,
    platform: u.platform ?? 'stripe',
    accountId: u.accountId,
    invoiceId: u.invoiceId,
    customerId: u.customerId,
    subscriptionId: u.subscriptionId ?? null,
    paymentMethodId: u.paymentMethodId ?? null,
    cardFingerprint: u.cardFingerprint ?? null,
    amountDue: u.amountDue,
    currency: u.currency,
    status: u.status,
    arm: u.arm,
    source: u.source,
    billingReason: u.billingReason ?? null,
    invoiceCreatedAt: u.invoiceCreatedAt,
    firstFailedAt: u.firstFailedAt,
    dunningDeadline: u.dunningDeadline,
    stripeAttemptCount: u.stripeAttemptCount ?? 0,
    lastFailedAt: u.lastFailedAt ?? null,
    lastDeclineCode: u.lastDeclineCode ?? null,
    lastAdviceCode: u.lastAdviceCode ?? null,
    lastNetworkAdviceCode: u.lastNetworkAdviceCode ?? null,
    lastNetworkDeclineCode: u.lastNetworkDeclineCode ?? null,
    lastChargeId: u.lastChargeId ?? null,
    customerTimezone: u.customerTimezone ?? null,
    customerCountry: u.customerCountry ?? null,
    cardBrand: u.cardBrand ?? null,
    cardFunding: u.cardFunding ?? null,
    cardCountry: u.cardCountry ?? null,
    pausedStripe: false,
    recoveredAt: null,
    recoveredBy: null,
    recoveredAmount: null,
    endedAt: null,
    closedReason: null,
    upserts: 0,
    createdAt: now,
    updatedAt: now,
  };
}
