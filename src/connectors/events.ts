/**
 * What a verified platform webhook means for a case, in the core's words (docs/architecture.md,
 * "the connector seam"). Every connector's `normalise` returns these; the core never reads a
 * platform's payload. Times are epoch ms, amounts integer minor units of `currency` (lower case).
 */
import type { Platform } from '../db/types.js';

/** The case an event is about: (platform, account, external id) is its key in `cases`. */
export interface CaseRef {
  platform: Platform;
  accountId: string;
  /** The platform's id of the failed item (a Stripe invoice, a Recharge charge), as a string. */
  externalId: string;
}

export interface FailedItem extends CaseRef {
  customerId: string;
  subscriptionId: string | null;
  amount: number;
  currency: string;
  /** The platform's code mapped to the core's decline vocabulary (src/policy/decline-codes.ts). */
  declineCode: string | null;
  /** The platform's own code, kept for `explain` (e.g. Recharge's CARD_DECLINED). */
  platformCode: string | null;
  /** Attempts the platform made before recover (Recharge's charge_attempts). */
  platformAttempts: number;
  /** When the platform plans to retry on its own; null = it does not (its retries are off). */
  platformRetryAt: number | null;
  createdAt: number;
  failedAt: number;
}

export type CaseEvent =
  | ({ kind: 'failed' } & FailedItem)
  | (CaseRef & { kind: 'paid'; amount: number; currency: string; at: number })
  | (CaseRef & { kind: 'closed'; reason: string; at: number })
  | (CaseRef & { kind: 'retries_exhausted'; at: number })
  | { kind: 'subscription_canceled'; platform: Platform; accountId: string; subscriptionId: string; at: number }
  | { kind: 'card_updated'; platform: Platform; accountId: string; customerId: string; at: number };
