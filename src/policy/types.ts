/**
 * The policy's input and output. The policy is a pure function of these: no I/O, no clock, no
 * global randomness. Times are UTC epoch milliseconds, money is integer minor units.
 */
import type { Settings } from '../config/settings.js';
import type { StatCategory } from './decline-codes.js';

export type Arm = 'treatment' | 'control';

/** Who made a charge attempt: Stripe's own first try / Smart Retries, recover, or the customer. */
export type AttemptBy = 'stripe' | 'recover' | 'baseline' | 'customer';

export interface AttemptRecord {
  at: number;
  outcome: 'succeeded' | 'failed';
  declineCode?: string;
  adviceCode?: string;
  /** Stripe's `network_advice_code`: Mastercard's merchant advice code (MAC) for Mastercard. */
  networkAdviceCode?: string;
  /** Stripe's `network_decline_code`: the raw issuer response code (e.g. Visa "51"). */
  networkDeclineCode?: string;
  /** Stripe's `outcome.reason`, e.g. `previously_declined_do_not_retry`. */
  outcomeReason?: string;
  by: AttemptBy;
}

/** The decline the next decision reacts to (normally the last failed attempt). */
export interface DeclineFacts {
  at: number;
  declineCode?: string;
  adviceCode?: string;
  networkAdviceCode?: string;
  networkDeclineCode?: string;
  outcomeReason?: string;
}

/** One charge attempt on a card, across all of the card's invoices (for network caps). */
export interface CardHistoryEntry {
  at: number;
  amount: number;
  currency?: string;
  declined: boolean;
  declineCode?: string;
  adviceCode?: string;
  networkAdviceCode?: string;
  networkDeclineCode?: string;
  outcomeReason?: string;
}

export interface CardFacts {
  brand: string;
  funding: 'credit' | 'debit' | 'prepaid' | 'unknown';
  country?: string;
  fingerprint: string;
  /** Attempts on this card in the 24 h / 30 days before `now`, across all cases. */
  attempts24h: number;
  attempts30d: number;
  /** Declined attempts on this card in the 24 h before `now`. */
  declines24h: number;
  /** Attempts on this card with this case's amount (and currency) in the 30 days before `now`. */
  sameAmountAttempts30d: number;
  /**
   * Optional: the card's attempts in the last 30 days with their times. When given, caps are
   * computed exactly (including when a full window frees up); without it the counts above are
   * used conservatively.
   */
  history?: readonly CardHistoryEntry[];
}

export interface CaseFacts {
  id: string;
  customerId?: string;
  amount: number;
  currency: string;
  /** First failure of the invoice. */
  failedAt: number;
  invoiceCreatedAt: number;
  /** No attempt may be scheduled at or after this instant. */
  dunningDeadline: number;
  arm: Arm;
}

/** A past charge of this customer on any invoice (`takeover --history`, `invoice.paid`, other cases). */
export interface CustomerPayment {
  at: number;
  succeeded: boolean;
  declineCode?: string;
}

export interface CustomerFacts {
  timezone?: string;
  country?: string;
  /** The customer's past charges, oldest first (optional): the pay-cycle belief learns from them. */
  payments?: readonly CustomerPayment[];
}

export type PolicySettings = Pick<Settings, 'windows' | 'dunningDays' | 'defaultTimezone' | 'controlBaseline'> &
  Partial<Pick<Settings, 'attemptCost' | 'attemptCostByCurrency'>>;

/** Learned Beta-Binomial counts by opaque key (see stats.ts for the key scheme). */
export interface StatCounts {
  successes: number;
  failures: number;
}
export type LearnedStats = ReadonlyMap<string, StatCounts>;

export interface PolicyInput {
  case: CaseFacts;
  /** Every charge attempt on this invoice so far, oldest first, including the first failure. */
  attempts: readonly AttemptRecord[];
  /** The decline to react to; defaults to the last failed attempt. */
  lastDecline?: DeclineFacts;
  /** The card that the next attempt will use (after a card update: the new card). */
  card: CardFacts;
  customer: CustomerFacts;
  /** A new payment method arrived at this time (a `payment_method.*` / `customer.updated` event). */
  cardUpdatedAt?: number;
  settings: PolicySettings;
  stats: LearnedStats;
  now: number;
  /** Seeded uniform [0,1) source, used only for bounded exploration. */
  random: () => number;
}

/** What the daemon must remember about a scheduled attempt so it can `learn()` from its outcome. */
export interface OutcomeContext {
  category: StatCategory;
  /** 1-based attempt number on the current card since the decline being reacted to. */
  attemptNumber: number;
  at: number;
  timezone: string;
  /** The decline this attempt reacts to (for the learned recovery curve). */
  declineAt?: number;
  /** The customer's most likely pay schedule (pay-schedules.ts id), when the belief was confident. */
  paySchedule?: string;
  /** A first retry's arm in the early-or-planned experiment (first-retry.ts). */
  firstRetry?: 'early' | 'planned';
  /** For the learned timing after the failure (calibration.ts): the case's failure and the estimate before it. */
  calibration?: { failedAt: number; estimate: number };
}

export type StopKind = 'hard_decline' | 'dunning_over' | 'network_cap' | 'needs_card_update';
export type WaitKind = 'needs_card_update' | 'observe';

export type Decision =
  | {
      action: 'retry';
      at: number;
      reason: string;
      /** 1-based number of this retry on the invoice (the first failure is attempt 0). */
      attemptNumber: number;
      /** Estimated success probability of this attempt, 0..1. */
      estimate?: number;
      /** Pass to `learn()` with the outcome. */
      learnAs?: OutcomeContext;
    }
  | { action: 'stop'; reason: string; kind: StopKind }
  | { action: 'wait'; reason: string; kind: WaitKind };

export type DecideFn = (input: PolicyInput) => Decision;

export interface Policy {
  /** Canonical name, e.g. `recover`, `fixed:3,5,7`, `daily:7`, `smart-like`. */
  name: string;
  decide: DecideFn;
}
