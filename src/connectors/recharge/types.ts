/**
 * Recharge admin API objects, version 2021-11, as far as recover reads them (fields recover does
 * not use are left out). Sources: Recharge's storefront SDK types (storefront.getrecharge.com/client/
 * docs/types/interfaces/Charge: charge_attempts, error, error_type, customer{id,email,hash}), the
 * charges guide (docs.rechargepayments.com/docs/charges), and src/emulators/recharge/README.md,
 * which lists each fact with its source or marks it an assumption.
 *
 * Ids are integers; times are ISO-8601 strings; amounts are decimal strings in the major unit
 * ("12.50") — the client converts them with `src/money.ts`, never with floating point.
 */

/** Charge statuses of 2021-11 (lower case in 2021-11; upper case was 2021-01). */
export type ChargeStatus =
  'success' | 'error' | 'queued' | 'skipped' | 'refunded' | 'partially_refunded' | 'pending_manual_payment' | 'pending';

export interface RechargeCharge {
  id: number;
  address_id: number;
  customer: { id: number; email: string; external_customer_id?: { ecommerce?: string | null } | null; hash?: string };
  status: ChargeStatus;
  /** Processor text, e.g. "Customer needs to update credit card". */
  error: string | null;
  /** Structured reason, upper case, e.g. CARD_DECLINED, INSUFFICIENT_FUNDS, CUSTOMER_NEEDS_TO_UPDATE_CARD. */
  error_type: string | null;
  /** Attempts made on this charge so far. */
  charge_attempts: number;
  /** When Recharge itself retries next (null: no retry planned by Recharge). */
  retry_date: string | null;
  scheduled_at: string;
  processed_at: string | null;
  created_at: string;
  updated_at: string;
  currency: string;
  /** Decimal string, major units. */
  total_price: string;
  subtotal_price: string;
  line_items: Array<{ subscription_id: number | null; title: string; quantity: number; price: string }>;
  /** The processor behind the store (stripe, braintree, …). */
  payment_processor: string | null;
  external_transaction_id: { payment_processor?: string | null } | null;
}

export type SubscriptionStatus = 'active' | 'cancelled' | 'expired';

export interface RechargeSubscription {
  id: number;
  address_id: number;
  customer_id: number;
  status: SubscriptionStatus;
  cancellation_reason: string | null;
  cancellation_reason_comments: string | null;
  cancelled_at: string | null;
  next_charge_scheduled_at: string | null;
  /** Decimal string, major units. */
  price: string;
  quantity: number;
  product_title: string;
  presentment_currency: string;
  order_interval_frequency: number;
  order_interval_unit: 'day' | 'week' | 'month';
  charge_interval_frequency: number;
  created_at: string;
  updated_at: string;
}

export interface RechargeCustomer {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  hash: string;
  external_customer_id: { ecommerce: string | null };
  has_payment_method_in_dunning: boolean;
  has_valid_payment_method: boolean;
  subscriptions_active_count: number;
  created_at: string;
  updated_at: string;
}

export interface RechargeAddress {
  id: number;
  customer_id: number;
  payment_method_id: number | null;
  address1: string;
  city: string;
  province: string | null;
  zip: string;
  country_code: string;
  created_at: string;
  updated_at: string;
}

export interface RechargePaymentMethod {
  id: number;
  customer_id: number;
  default: boolean;
  payment_type: 'credit_card' | 'paypal' | 'apple_pay' | 'google_pay' | 'sepa_debit';
  processor_name: string;
  processor_customer_token: string | null;
  processor_payment_method_token: string | null;
  payment_details: { brand: string; last4: string; exp_month: number; exp_year: number } | null;
  /** valid | empty | unvalidated */
  status: 'valid' | 'empty' | 'unvalidated';
  status_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface RechargeWebhook {
  id: number;
  address: string;
  topic: string;
  included_objects: string[];
  version: '2021-11';
}

export interface TokenInformation {
  contact_email: string | null;
  name: string;
  scopes: string[];
}

/** One cursor page: the 2021-11 body carries `next_cursor` / `previous_cursor` (null at the ends). */
export interface CursorPage<T> {
  items: T[];
  next_cursor: string | null;
  previous_cursor: string | null;
}

/** The webhook topics recover subscribes to (one topic per webhook). */
export const RECOVER_TOPICS = [
  'charge/failed',
  'charge/paid',
  'charge/max_retries_reached',
  'charge/refunded',
  'subscription/cancelled',
  'customer/payment_method_updated',
] as const;
export type RecoverTopic = (typeof RECOVER_TOPICS)[number];

/** Charge errors that are about the order, not the card: not recover's to retry. */
export const NON_PAYMENT_ERROR_PREFIXES = ['INVENTORY_', 'SHIPPING_', 'ADDRESS_', 'PRODUCT_', 'VARIANT_'] as const;

/** Whether a charge's error_type is about payment (the card), as opposed to inventory, shipping… */
export function isPaymentError(errorType: string | null): boolean {
  if (!errorType) return false;
  return !NON_PAYMENT_ERROR_PREFIXES.some((p) => errorType.startsWith(p)) && errorType !== 'SHIPPING_RATE_ERROR';
}

const CHARGES_NOTE =
  "charges are guarded by *_orders in the API reference's scope list, *_charges in the charges guide";

/**
 * The scopes recover asks for (Butter's list: orders read/write, discounts read, subscriptions
 * read/write, payments read/write, payment methods read, customers read, products read), with the
 * `*_charges` spellings beside `*_orders`. A `path` is probed by `GET path?limit=1`; the others
 * (writes: no harmless call exists) are read from `GET /token_information`.
 */
export const SCOPE_PROBES: ReadonlyArray<{ scope: string; path?: string; note?: string }> = [
  { scope: 'read_orders', path: '/orders' },
  { scope: 'read_charges', path: '/charges', note: CHARGES_NOTE },
  { scope: 'write_orders' },
  { scope: 'write_charges', note: CHARGES_NOTE },
  { scope: 'process_charge', note: 'the charges guide names it for processing queued charges' },
  { scope: 'read_discounts', path: '/discounts' },
  { scope: 'read_subscriptions', path: '/subscriptions' },
  { scope: 'write_subscriptions', note: 'needed only when recover cancels at the end of dunning' },
  { scope: 'read_payments' },
  { scope: 'write_payments' },
  { scope: 'read_payment_methods', path: '/payment_methods' },
  { scope: 'read_customers', path: '/customers' },
  { scope: 'read_products', path: '/products' },
];

/** One row of the scope probe. */
export interface ScopeProbeRow {
  scope: string;
  /** ok: allowed; missing: Recharge refused (or the token does not list it); unknown: could not tell. */
  status: 'ok' | 'missing' | 'unknown';
  /** How it was checked: a cheap `GET /x?limit=1`, or the token's own scope list. */
  via: string;
  /** Whether GET /token_information lists the scope (null: that call was refused). */
  declared: boolean | null;
  note?: string;
}

/** One thing recover needs from the token, satisfied by any one of its spellings. */
export interface ScopeNeed {
  need: string;
  anyOf: string[];
  why: string;
  /** For an optional feature (cancel at the end of dunning), or in Butter's list but unused by recover's calls. */
  optional?: boolean;
}

/** What recover's Recharge calls need (the emulator guards each route by the same spellings). */
export const SCOPE_NEEDS: readonly ScopeNeed[] = [
  {
    need: 'charges read',
    anyOf: ['read_orders', 'read_charges'],
    why: 'list failed charges, re-read one before a retry',
  },
  {
    need: 'charges process',
    anyOf: ['write_orders', 'write_charges', 'process_charge'],
    why: 'retry a charge (POST /charges/{id}/process)',
  },
  { need: 'subscriptions read', anyOf: ['read_subscriptions'], why: 'is the subscription still alive?' },
  {
    need: 'subscriptions write',
    anyOf: ['write_subscriptions'],
    why: 'cancel at the end of dunning',
    optional: true,
  },
  { need: 'customers read', anyOf: ['read_customers'], why: 'the customer and their addresses' },
  { need: 'payment methods read', anyOf: ['read_payment_methods', 'read_payments'], why: 'card facts, card updates' },
  { need: 'discounts read', anyOf: ['read_discounts'], why: "Butter's list", optional: true },
  { need: 'products read', anyOf: ['read_products'], why: "Butter's list", optional: true },
  { need: 'payments write', anyOf: ['write_payments'], why: "Butter's list (refunds)", optional: true },
];

/** For each need, whether the probe found one of its spellings allowed, and which. */
export function scopeVerdicts(rows: readonly ScopeProbeRow[]): Array<ScopeNeed & { ok: boolean; via: string | null }> {
  return SCOPE_NEEDS.map((n) => {
    const hit = rows.find((r) => n.anyOf.includes(r.scope) && r.status === 'ok');
    return { ...n, ok: !!hit, via: hit ? `${hit.scope} (${hit.via})` : null };
  });
}
