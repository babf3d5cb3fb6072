/**
 * The seam between the platform-neutral core (cases, attempts, policy, the due-work engine, the
 * report) and the platform that holds the item being recovered (a Stripe Billing invoice, a
 * payment handed over through the Recovery API, a Recharge charge). The core speaks of cases,
 * attempts and outcomes; each platform implements `ChargeConnector`, chosen by `case.platform`.
 *
 * This is the charge half of the seam (what the executor needs around one attempt). Intake,
 * takeover listing, webhooks and end-of-dunning actions follow the same rule: the core calls an
 * interface here, the platform's module implements it (see docs/architecture.md).
 */
import type { Attempt, Case, Platform } from '../db/index.js';
import type { DeclineFacts } from '../decline.js';

export type { Platform } from '../db/index.js';

/**
 * The answer to "may this attempt charge now?", from a fresh read of the item (and, for the
 * Recovery API, the merchant's retry-status answer) just before the charge. Pure data: the
 * executor applies it (src/daemon/attempt-outcomes.ts `writeSkip`, or a give-back for `ask_later`).
 */
export type RetryVerdict =
  /** Charge. `amount` (minor units) lowers the amount charged when the platform allows it. */
  | { ok: true; amount?: number }
  | { ok: false; kind: 'paid'; reason: string; amountPaid: number }
  | { ok: false; kind: 'not_open'; reason: string; status: string }
  | { ok: false; kind: 'amount_changed'; reason: string; amountDue: number }
  | { ok: false; kind: 'subscription_gone'; reason: string }
  | { ok: false; kind: 'needs_customer_action'; reason: string }
  | { ok: false; kind: 'other_installation'; reason: string }
  /** The merchant said no (retry-status `{"retry": false}`): the case ends with its reason. */
  | { ok: false; kind: 'merchant_declined'; reason: string }
  /** No answer could be had (timeout, 5xx, bad JSON): no charge; the same attempt is asked again later. */
  | { ok: false; kind: 'ask_later'; reason: string; retryInMs: number };

/** What the attempt's charge did. A decline is an outcome, not an error. */
export type ChargeOutcome =
  | { ok: true; amount: number; chargeId: string | null }
  | { ok: false; decline: DeclineFacts & { chargeId: string | null; requiresAction: boolean } };

/** The platform's latest charge of an item: how an attempt interrupted beyond replay is resolved. */
export interface LatestCharge {
  chargeId: string;
  /** Epoch ms. */
  at: number;
  amount: number;
  succeeded: boolean;
  decline: DeclineFacts | null;
}

/**
 * How the executor should treat an error a connector threw (outcomes as data: never parsed from
 * the message). `in_flight`: the same idempotency key is still running at the platform;
 * `retryable`: the platform is unavailable (5xx, timeout, rate limit after retries); `operator`:
 * the credentials were refused, a person must act; `item_missing`: the item no longer exists;
 * `refused`: the platform refused this request (e.g. the invoice changed under us): decide again.
 */
export type ErrorClass = 'in_flight' | 'retryable' | 'operator' | 'item_missing' | 'refused' | 'unknown';

export interface CheckInput {
  /** A payment method arrived since the last decline. */
  newCard: boolean;
}

export interface ChargeConnector {
  readonly platform: Platform;
  /**
   * How long (ms) the platform replays an idempotent request's first answer. An attempt
   * interrupted longer ago is resolved from `latestCharge` instead of being sent again.
   * 0 = the platform has no idempotency keys: always resolve an interrupted attempt from state.
   */
  readonly replayWindowMs: number;
  /** Fresh state just before the charge (not for a resumed attempt: the call may have gone through). */
  check(c: Case, a: Attempt, input: CheckInput): Promise<RetryVerdict>;
  /** The attempt's charge, with `idempotencyKey` (the same key on every resume of the same attempt). */
  charge(c: Case, a: Attempt, p: { idempotencyKey: string; amount?: number }): Promise<ChargeOutcome>;
  /** The item's latest charge, or null. */
  latestCharge(c: Case): Promise<LatestCharge | null>;
  classify(e: unknown): ErrorClass;
}

/** The connectors of one daemon, by platform; a case of a platform with none is left alone. */
export type ConnectorFor = (platform: Platform) => ChargeConnector | undefined;
