/**
 * How Stripe reports each card decline: the error `code` (also the charge's `failure_code`),
 * the customer-facing message, and the charge `outcome`. Values follow Stripe's decline-code
 * documentation and what its test cards return; anything can be overridden per payment method
 * in the seed (DeclineSpec).
 */
export interface DeclineSpec {
  decline_code: string;
  /** Error code / charge.failure_code; default from the catalogue (mostly `card_declined`). */
  code?: string;
  message?: string;
  /** Stripe's outcome.advice_code: try_again_later | do_not_try_again | confirm_card_data. */
  advice_code?: string | null;
  /** The card network's advice (Mastercard merchant advice code, e.g. '01', '03', '24'). */
  network_advice_code?: string | null;
  /** The issuer's raw response code (e.g. Visa '51'). */
  network_decline_code?: string | null;
  /** `blocked` = Stripe Radar refused it (not sent to the network); default per code. */
  outcome_type?: 'issuer_declined' | 'blocked';
}

interface CatalogueEntry {
  code: string;
  message: string;
  advice: string | null;
  network: string | null;
  blocked?: boolean;
}

const DECLINED = 'Your card was declined.';

const CATALOGUE: Record<string, CatalogueEntry> = {
  insufficient_funds: { code: 'card_declined', message: 'Your card has insufficient funds.', advice: 'try_again_later', network: '51' },
  generic_decline: { code: 'card_declined', message: DECLINED, advice: 'try_again_later', network: '05' },
  do_not_honor: { code: 'card_declined', message: DECLINED, advice: 'try_again_later', network: '05' },
  card_declined: { code: 'card_declined', message: DECLINED, advice: null, network: '05' },
  try_again_later: { code: 'card_declined', message: DECLINED, advice: 'try_again_later', network: '19' },
  card_velocity_exceeded: { code: 'card_declined', message: DECLINED, advice: 'try_again_later', network: '65' },
  withdrawal_count_limit_exceeded: { code: 'card_declined', message: DECLINED, advice: 'try_again_later', network: '61' },
  transaction_not_allowed: { code: 'card_declined', message: DECLINED, advice: 'do_not_try_again', network: '57' },
  not_permitted: { code: 'card_declined', message: DECLINED, advice: 'do_not_try_again', network: '57' },
  service_not_allowed: { code: 'card_declined', message: DECLINED, advice: 'do_not_try_again', network: '57' },
  card_not_supported: { code: 'card_declined', message: 'Your card does not support this type of purchase.', advice: 'do_not_try_again', network: '57' },
  currency_not_supported: { code: 'card_declined', message: 'Your card does not support this currency.', advice: 'do_not_try_again', network: null },
  call_issuer: { code: 'card_declined', message: DECLINED, advice: 'try_again_later', network: '01' },
  issuer_not_available: { code: 'card_declined', message: DECLINED, advice: 'try_again_later', network: '91' },
  reenter_transaction: { code: 'card_declined', message: DECLINED, advice: 'try_again_later', network: '19' },
  no_action_taken: { code: 'card_declined', message: DECLINED, advice: 'try_again_later', network: '05' },
  approve_with_id: { code: 'card_declined', message: DECLINED, advice: 'try_again_later', network: '08' },
  new_account_information_available: { code: 'card_declined', message: DECLINED, advice: 'confirm_card_data', network: '05' },
  invalid_account: { code: 'card_declined', message: DECLINED, advice: 'do_not_try_again', network: '14' },
  invalid_amount: { code: 'card_declined', message: DECLINED, advice: 'do_not_try_again', network: '13' },
  restricted_card: { code: 'card_declined', message: DECLINED, advice: 'do_not_try_again', network: '62' },
  security_violation: { code: 'card_declined', message: DECLINED, advice: 'do_not_try_again', network: '63' },
  stop_payment_order: { code: 'card_declined', message: DECLINED, advice: 'do_not_try_again', network: 'R0' },
  revocation_of_authorization: { code: 'card_declined', message: DECLINED, advice: 'do_not_try_again', network: 'R1' },
  revocation_of_all_authorizations: { code: 'card_declined', message: DECLINED, advice: 'do_not_try_again', network: 'R3' },
  do_not_try_again: { code: 'card_declined', message: DECLINED, advice: 'do_not_try_again', network: 'R0' },
  lost_card: { code: 'card_declined', message: DECLINED, advice: 'do_not_try_again', network: '41' },
  stolen_card: { code: 'card_declined', message: DECLINED, advice: 'do_not_try_again', network: '43' },
  pickup_card: { code: 'card_declined', message: DECLINED, advice: 'do_not_try_again', network: '04' },
  fraudulent: { code: 'card_declined', message: DECLINED, advice: 'do_not_try_again', network: null, blocked: true },
  merchant_blacklist: { code: 'card_declined', message: DECLINED, advice: 'do_not_try_again', network: null, blocked: true },
  expired_card: { code: 'expired_card', message: 'Your card has expired.', advice: 'confirm_card_data', network: '54' },
  incorrect_number: { code: 'incorrect_number', message: 'Your card number is incorrect.', advice: 'confirm_card_data', network: '14' },
  invalid_number: { code: 'incorrect_number', message: 'Your card number is incorrect.', advice: 'confirm_card_data', network: '14' },
  incorrect_cvc: { code: 'incorrect_cvc', message: "Your card's security code is incorrect.", advice: 'confirm_card_data', network: 'N7' },
  invalid_cvc: { code: 'incorrect_cvc', message: "Your card's security code is incorrect.", advice: 'confirm_card_data', network: 'N7' },
  incorrect_zip: { code: 'incorrect_zip', message: "Your card's zip code failed validation.", advice: 'confirm_card_data', network: null },
  invalid_expiry_year: { code: 'invalid_expiry_year', message: "Your card's expiration year is invalid.", advice: 'confirm_card_data', network: null },
  processing_error: { code: 'processing_error', message: 'An error occurred while processing your card. Try again in a little bit.', advice: 'try_again_later', network: '96' },
  authentication_required: { code: 'authentication_required', message: 'Your card was declined. This transaction requires authentication.', advice: 'try_again_later', network: '1A' },
  testmode_decline: { code: 'card_declined', message: 'Your card was declined. Your request was in test mode, but used a non test (live) card.', advice: null, network: null },
};

/**
 * Declines after which Stripe's Smart Retries do not retry the same payment method (Stripe's
 * "non-retryable decline codes", docs.stripe.com/billing/revenue-recovery/smart-retries: "Stripe
 * doesn't retry payments if … the issuer returned a hard decline code"). The list is the one that
 * page gives as we recall it (the page's table was not in the search tool's corpus), plus
 * Stripe's advice_code `do_not_try_again`.
 */
const HARD_DECLINES = new Set([
  'incorrect_number', 'lost_card', 'pickup_card', 'stolen_card', 'revocation_of_authorization',
  'revocation_of_all_authorizations', 'highest_risk_level', 'do_not_try_again',
]);

export function isHardDecline(d: { decline_code: string; advice_code: string | null }): boolean {
  return HARD_DECLINES.has(d.decline_code) || d.advice_code === 'do_not_try_again';
}

/** A decline fully resolved: every field the charge, payment intent and error need. */
export interface ResolvedDecline {
  decline_code: string;
  code: string;
  message: string;
  advice_code: string | null;
  network_advice_code: string | null;
  network_decline_code: string | null;
  outcome: {
    advice_code: string | null;
    network_advice_code: string | null;
    network_decline_code: string | null;
    network_status: string;
    reason: string;
    risk_level: string;
    risk_score: number;
    seller_message: string;
    type: string;
  };
}

export function knownDeclineCode(code: string): boolean {
  return code in CATALOGUE;
}

/** Resolved once per spec object: the many attempts on one card share the result. */
const resolved = new WeakMap<DeclineSpec, ResolvedDecline>();

export function resolveDecline(spec: DeclineSpec): ResolvedDecline {
  let r = resolved.get(spec);
  if (!r) {
    r = resolveFresh(spec);
    resolved.set(spec, r);
  }
  return r;
}

function resolveFresh(spec: DeclineSpec): ResolvedDecline {
  const entry: CatalogueEntry = CATALOGUE[spec.decline_code] ?? { code: 'card_declined', message: DECLINED, advice: null, network: null };
  const blocked = spec.outcome_type ? spec.outcome_type === 'blocked' : entry.blocked === true;
  const advice = spec.advice_code !== undefined ? spec.advice_code : entry.advice;
  const networkAdvice = spec.network_advice_code ?? null;
  const networkDecline = blocked ? null : spec.network_decline_code !== undefined ? spec.network_decline_code : entry.network;
  const outcome = blocked
    ? {
        network_status: 'not_sent_to_network',
        reason: 'highest_risk_level',
        risk_level: 'highest',
        risk_score: 89,
        seller_message: 'Stripe blocked this payment as too risky.',
        type: 'blocked',
      }
    : {
        network_status: 'declined_by_network',
        reason: spec.decline_code,
        risk_level: 'normal',
        risk_score: 28,
        seller_message:
          spec.decline_code === 'generic_decline'
            ? 'The bank did not return any further details with this decline.'
            : `The bank returned the decline code \`${spec.decline_code}\`.`,
        type: 'issuer_declined',
      };
  return {
    decline_code: spec.decline_code,
    code: spec.code ?? entry.code,
    message: spec.message ?? entry.message,
    advice_code: advice,
    network_advice_code: networkAdvice,
    network_decline_code: networkDecline,
    outcome: { advice_code: advice, network_advice_code: networkAdvice, network_decline_code: networkDecline, ...outcome },
  };
}

export const SUCCESS_OUTCOME = {
  advice_code: null,
  network_advice_code: null,
  network_decline_code: null,
  network_status: 'approved_by_network',
  reason: null,
  risk_level: 'normal',
  risk_score: 21,
  seller_message: 'Payment complete.',
  type: 'authorized',
};
