/**
 * The case row: its TypeScript shape, its column mapping, and the inputs that create or change
 * it. Times are epoch ms, amounts minor units of `currency`.
 */
import { selectList, type ColumnMap } from './columns.js';
import type { Arm, CardFunding, CaseSource, CaseStatus, Platform, RecoveredBy } from './types.js';

export interface Case {
  id: number;
  /** Which integration holds the item: a Stripe Billing invoice, a Recovery API payment, a Recharge charge. */
  platform: Platform;
  accountId: string;
  /** The item's id on its platform (for `api`: the merchant's invoice id). */
  invoiceId: string;
  customerId: string;
  subscriptionId: string | null;
  paymentMethodId: string | null;
  cardFingerprint: string | null;
  /** Minor units of `currency`. */
  amountDue: number;
  currency: string;
  status: CaseStatus;
  arm: Arm;
  source: CaseSource;
  billingReason: string | null;
  invoiceCreatedAt: number;
  firstFailedAt: number;
  dunningDeadline: number;
  /** Stripe's invoice.attempt_count when the case opened (attempts made before recover); never refreshed. */
  stripeAttemptCount: number;
  lastFailedAt: number | null;
  lastDeclineCode: string | null;
  lastAdviceCode: string | null;
  lastNetworkAdviceCode: string | null;
  lastNetworkDeclineCode: string | null;
  lastChargeId: string | null;
  customerTimezone: string | null;
  customerCountry: string | null;
  cardBrand: string | null;
  cardFunding: CardFunding | null;
  cardCountry: string | null;
  pausedStripe: boolean;
  recoveredAt: number | null;
  recoveredBy: RecoveredBy | null;
  recoveredAmount: number | null;
  /** When the case reached a terminal status; null while active. */
  endedAt: number | null;
  closedReason: string | null;
  /** 1 on insert, +1 per re-import. */
  upserts: number;
  createdAt: number;
  updatedAt: number;
}

export const CASE_COLUMNS: ColumnMap<Case> = {
  id: 'id',
  platform: 'platform',
  accountId: 'account_id',
  invoiceId: 'invoice_id',
  customerId: 'customer_id',
  subscriptionId: 'subscription_id',
  paymentMethodId: 'payment_method_id',
  cardFingerprint: 'card_fingerprint',
  amountDue: 'amount_due',
  currency: 'currency',
  status: 'status',
  arm: 'arm',
  source: 'source',
  billingReason: 'billing_reason',
  invoiceCreatedAt: 'invoice_created_at',
  firstFailedAt: 'first_failed_at',
  dunningDeadline: 'dunning_deadline',
  stripeAttemptCount: 'stripe_attempt_count',
  lastFailedAt: 'last_failed_at',
  lastDeclineCode: 'last_decline_code',
  lastAdviceCode: 'last_advice_code',
  lastNetworkAdviceCode: 'last_network_advice_code',
  lastNetworkDeclineCode: 'last_network_decline_code',
  lastChargeId: 'last_charge_id',
  customerTimezone: 'customer_timezone',
  customerCountry: 'customer_country',
  cardBrand: 'card_brand',
  cardFunding: 'card_funding',
  cardCountry: 'card_country',
  pausedStripe: 'paused_stripe',
  recoveredAt: 'recovered_at',
  recoveredBy: 'recovered_by',
  recoveredAmount: 'recovered_amount',
  endedAt: 'ended_at',
  closedReason: 'closed_reason',
  upserts: 'upserts',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};
export const CASE_SELECT = selectList(CASE_COLUMNS, 'c');

export type CaseRow = Omit<Case, 'pausedStripe'> & { pausedStripe: 0 | 1 };
export function caseFromRow(row: CaseRow): Case {
  return { ...row, pausedStripe: row.pausedStripe === 1 };
}

/** What the importer/webhook knows about a failed invoice. Optional facts default to null. */
export interface CaseUpsert {
  /** Insert only. Default 'stripe'. */
  platform?: Platform;
  /** Must already exist in `accounts` (foreign key): call `accounts.upsert` first. */
  accountId: string;
  invoiceId: string;
  customerId: string;
  amountDue: number;
  currency: string;
  invoiceCreatedAt: number;
  firstFailedAt: number;
  source: CaseSource;
  /** Used on insert only: a re-import never changes these. */
  arm: Arm;
  status: Exclude<CaseStatus, 'recovered'>;
  dunningDeadline: number;
  pausedStripe?: boolean;
  /** Refreshed on re-import (a null/absent value keeps what is stored). */
  subscriptionId?: string | null;
  paymentMethodId?: string | null;
  cardFingerprint?: string | null;
  billingReason?: string | null;
  stripeAttemptCount?: number;
  customerTimezone?: string | null;
  customerCountry?: string | null;
  cardBrand?: string | null;
  cardFunding?: CardFunding | null;
  cardCountry?: string | null;
  /** The last decline; replaces the stored one only if `lastFailedAt` is not older. */
  lastFailedAt?: number | null;
  lastDeclineCode?: string | null;
  lastAdviceCode?: string | null;
  lastNetworkAdviceCode?: string | null;
  lastNetworkDeclineCode?: string | null;
  lastChargeId?: string | null;
}

/** Fields `update` may change. Status goes through setStatus/markRecovered; arm never changes. */
export type CasePatch = Partial<
  Pick<
    Case,
    | 'subscriptionId'
    | 'paymentMethodId'
    | 'cardFingerprint'
    | 'amountDue'
    | 'currency'
    | 'dunningDeadline'
    | 'stripeAttemptCount'
    | 'lastFailedAt'
    | 'lastDeclineCode'
    | 'lastAdviceCode'
    | 'lastNetworkAdviceCode'
    | 'lastNetworkDeclineCode'
    | 'lastChargeId'
    | 'customerTimezone'
    | 'customerCountry'
    | 'cardBrand'
    | 'cardFunding'
    | 'cardCountry'
    | 'pausedStripe'
    | 'closedReason'
  >
>;
export const PATCHABLE = new Set<string>([
  'subscriptionId', 'paymentMethodId', 'cardFingerprint', 'amountDue', 'currency', 'dunningDeadline',
  'stripeAttemptCount', 'lastFailedAt', 'lastDeclineCode', 'lastAdviceCode', 'lastNetworkAdviceCode',
  'lastNetworkDeclineCode', 'lastChargeId', 'customerTimezone', 'customerCountry', 'cardBrand',
  'cardFunding', 'cardCountry', 'pausedStripe', 'closedReason',
] satisfies (keyof CasePatch)[]);
