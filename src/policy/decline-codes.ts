/**
 * Every Stripe card `decline_code` (docs.stripe.com/declines/codes, "Card decline codes", 50
 * codes incl. the deprecated `do_not_try_again` / `try_again_later`), in one table:
 *
 * - category: hard (stop for good on this card), needs_card_update (no blind retries: wait for a
 *   new payment method or customer action), soft (retry later), retry_after (soft, but not
 *   sooner than `minWaitMs`).
 * - stat: which learned-statistics bucket a retry after this decline belongs to.
 * - visa: the Visa decline category of the issuer response code Stripe maps to this decline
 *   (Visa excessive-reattempt rules: 1 = issuer will never approve, 2 = cannot approve now,
 *   3 = data quality, 4 = generic). Category 1 means no reattempt on this card, ever. When Stripe
 *   gives the raw `network_decline_code`, visa-categories.ts uses it instead of this guess.
 * - next: Stripe's documented next step, paraphrased.
 */
import { HOUR_MS, DAY_MS } from '../clock.js';

export type DeclineCategory = 'hard' | 'needs_card_update' | 'soft' | 'retry_after';

/** Learned-statistics buckets: what kind of problem a retry is waiting out. */
export type StatCategory = 'funds' | 'velocity' | 'issuer' | 'technical' | 'new_card' | 'other';

export interface DeclineRule {
  category: DeclineCategory;
  stat: StatCategory;
  visa: 1 | 2 | 3 | 4;
  /** For retry_after: the minimum wait after the decline, in ms. */
  minWaitMs?: number;
  next: string;
}

const r = (category: DeclineCategory, stat: StatCategory, visa: 1 | 2 | 3 | 4, next: string, minWaitMs?: number): DeclineRule =>
  minWaitMs === undefined ? { category, stat, visa, next } : { category, stat, visa, next, minWaitMs };

const CARD_PRESENT = 'a card-present (PIN / tap) requirement that an off-session retry cannot satisfy; the customer must pay on-session or add another card';

export const DECLINE_CODES: Readonly<Record<string, DeclineRule>> = {
  authentication_required: r('needs_card_update', 'other', 3, 'the issuer requires 3D Secure; an off-session retry declines again, the customer must authenticate'),
  authentication_not_handled: r('needs_card_update', 'other', 3, 'authentication was required and not performed; the customer must authenticate'),
  approve_with_id: r('soft', 'issuer', 4, 'the payment could not be authorized; retry, and if it still fails the customer contacts the issuer'),
  call_issuer: r('soft', 'issuer', 4, 'declined for an unknown reason; the customer should contact the issuer'),
  card_not_supported: r('needs_card_update', 'other', 1, 'the card does not support this type of purchase; the customer needs another card'),
  card_velocity_exceeded: r('soft', 'velocity', 2, 'the balance, credit limit or transaction limit was exceeded; retry after the limit resets'),
  currency_not_supported: r('needs_card_update', 'other', 1, 'the card does not support this currency; the customer needs another card'),
  do_not_honor: r('soft', 'issuer', 4, 'declined for an unknown reason; the customer should contact the issuer'),
  do_not_try_again: r('hard', 'other', 1, 'the issuer says do not try again (deprecated code, now an advice code)'),
  duplicate_transaction: r('retry_after', 'technical', 4, 'an identical payment was submitted very recently; check for it before retrying', DAY_MS),
  expired_card: r('needs_card_update', 'other', 3, 'the card has expired; the customer must update it (or the network account updater will)'),
  fraudulent: r('hard', 'other', 2, 'declined as suspected fraud; never retry, never tell the customer the reason'),
  generic_decline: r('soft', 'issuer', 4, 'declined for an unknown reason (or blocked by Radar / Adaptive Acceptance)'),
  incorrect_address: r('needs_card_update', 'other', 3, 'the address is incorrect; the customer must correct the card details'),
  incorrect_cvc: r('needs_card_update', 'other', 3, 'the CVC is incorrect; the customer must correct the card details'),
  incorrect_number: r('needs_card_update', 'other', 1, 'the card number is incorrect; the customer must enter a correct card'),
  incorrect_pin: r('needs_card_update', 'other', 3, CARD_PRESENT),
  incorrect_zip: r('needs_card_update', 'other', 3, 'the postal code is incorrect; the customer must correct the card details'),
  insufficient_funds: r('soft', 'funds', 2, 'insufficient funds; retry when money is likely to be in the account'),
  invalid_account: r('needs_card_update', 'other', 1, 'the card or its account is invalid (e.g. closed); the customer needs another card'),
  invalid_amount: r('needs_card_update', 'other', 4, 'the amount exceeds what the card allows; the customer must ask the issuer or use another card'),
  invalid_cvc: r('needs_card_update', 'other', 3, 'the CVC is incorrect; the customer must correct the card details'),
  invalid_expiry_month: r('needs_card_update', 'other', 3, 'the expiry month is invalid; the customer must correct the card details'),
  invalid_expiry_year: r('needs_card_update', 'other', 3, 'the expiry year is invalid; the customer must correct the card details'),
  invalid_number: r('needs_card_update', 'other', 1, 'the card number is incorrect; the customer must enter a correct card'),
  invalid_pin: r('needs_card_update', 'other', 3, CARD_PRESENT),
  issuer_not_available: r('retry_after', 'technical', 2, 'the issuer could not be reached; retry shortly', HOUR_MS),
  lost_card: r('hard', 'other', 1, 'the card is reported lost; never retry it, ask for another card'),
  merchant_blacklist: r('hard', 'other', 4, "the payment matches the merchant's own block list; never retry"),
  mobile_device_authentication_required: r('needs_card_update', 'other', 3, CARD_PRESENT),
  new_account_information_available: r('needs_card_update', 'other', 3, 'the issuer has new account details; wait for the updated card'),
  no_action_taken: r('soft', 'issuer', 4, 'declined for an unknown reason; the customer should contact the issuer'),
  not_permitted: r('needs_card_update', 'other', 1, 'the payment is not permitted on this card; the customer needs another card'),
  offline_pin_required: r('needs_card_update', 'other', 3, CARD_PRESENT),
  online_or_offline_pin_required: r('needs_card_update', 'other', 3, CARD_PRESENT),
  pickup_card: r('hard', 'other', 1, 'the issuer asks to pick up the card (possibly lost or stolen); never retry'),
  pin_try_exceeded: r('needs_card_update', 'other', 2, CARD_PRESENT),
  processing_error: r('retry_after', 'technical', 2, 'an error occurred while processing the card; retry shortly', HOUR_MS),
  reenter_transaction: r('retry_after', 'technical', 2, 'the issuer could not process the payment; retry shortly', HOUR_MS),
  restricted_card: r('needs_card_update', 'other', 2, 'the card cannot be used for this payment (possibly lost or stolen); ask for another card'),
  revocation_of_all_authorizations: r('hard', 'other', 1, 'the cardholder revoked all recurring authorizations; never retry'),
  revocation_of_authorization: r('hard', 'other', 1, 'the cardholder revoked the authorization for this merchant; never retry'),
  security_violation: r('needs_card_update', 'other', 4, 'the issuer reports a security violation; ask the customer to contact the issuer or use another card'),
  service_not_allowed: r('needs_card_update', 'other', 1, 'the card does not allow this service; the customer needs another card'),
  stolen_card: r('hard', 'other', 1, 'the card is reported stolen; never retry it'),
  stop_payment_order: r('hard', 'other', 1, 'the cardholder placed a stop-payment order; never retry'),
  testmode_decline: r('hard', 'other', 4, 'a Stripe test card was used; it can never be charged'),
  transaction_not_allowed: r('needs_card_update', 'other', 1, 'the card does not allow this transaction; the customer needs another card'),
  try_again_later: r('retry_after', 'technical', 2, 'a temporary decline (deprecated code, now an advice code); retry later', HOUR_MS),
  withdrawal_count_limit_exceeded: r('soft', 'velocity', 2, 'the balance or credit limit was exceeded; retry after the limit resets'),
};

/** Used for a decline code Stripe adds after this table was written, or a missing code. */
export const UNKNOWN_DECLINE: DeclineRule = r('soft', 'other', 4, 'an unrecognised decline; treated as a generic soft decline');

/**
 * Stripe `outcome.reason` values that mean "do not retry" regardless of the decline code:
 * Stripe blocked the payment itself (excessive retries, Radar).
 */
export const BLOCKING_OUTCOME_REASONS: Readonly<Record<string, string>> = {
  previously_declined_do_not_retry: 'Stripe blocked the payment because this card was already declined with a do-not-retry response',
  highest_risk_level: 'Stripe Radar blocked the payment as highest risk',
  elevated_risk_level: 'Stripe Radar blocked the payment as elevated risk',
};
