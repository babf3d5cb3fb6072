import type { RuntimeBehaviour } from './behaviour.js';
import type { Doc } from './store.js';

/** The card facts a payment method carries. */
export interface CardSpec {
  brand: string;
  funding: string;
  country: string;
  last4?: string;
  exp_month?: number;
  exp_year?: number;
  fingerprint?: string;
}

const DEFAULT_LAST4: Record<string, string> = {
  visa: '4242',
  mastercard: '4444',
  amex: '0005',
  discover: '1117',
  jcb: '0000',
  diners: '0004',
  unionpay: '0005',
};

/** A stable 16-character fingerprint derived from a seed string (same card → same fingerprint). */
export function fingerprintFor(seed: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < seed.length; i++) {
    const c = seed.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  let x = h1;
  let y = h2;
  for (let i = 0; i < 16; i++) {
    out += chars[(i % 2 ? x : y) % 62];
    x = Math.imul(x ^ (x >>> 13), 0x5bd1e995) >>> 0;
    y = Math.imul(y ^ (y >>> 15), 0x27d4eb2d) >>> 0;
  }
  return out;
}

/** The `card` hash of a PaymentMethod. */
export function cardDetails(card: CardSpec, id: string, defaultExpYear: number): Doc {
  return {
    brand: card.brand,
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
    country: card.country,
    display_brand: card.brand === 'amex' ? 'american_express' : card.brand,
    exp_month: card.exp_month ?? 12,
    exp_year: card.exp_year ?? defaultExpYear,
    fingerprint: card.fingerprint ?? fingerprintFor(id),
    funding: card.funding,
    generated_from: null,
    last4: card.last4 ?? DEFAULT_LAST4[card.brand] ?? '4242',
    networks: { available: [card.brand], preferred: null },
    regulated_status: card.funding === 'debit' ? 'regulated' : 'unregulated',
    three_d_secure_usage: { supported: true },
    wallet: null,
  };
}

/** `payment_method_details` of a charge made with a payment method whose card is `card`. */
export function chargeCardDetails(card: Doc, amount: number, ok: boolean, threeDs: boolean): Doc {
  return {
    card: {
      amount_authorized: ok ? amount : null,
      authorization_code: ok ? '123456' : null,
      brand: card.brand,
      checks: card.checks,
      country: card.country,
      exp_month: card.exp_month,
      exp_year: card.exp_year,
      extended_authorization: { status: 'disabled' },
      fingerprint: card.fingerprint,
      funding: card.funding,
      incremental_authorization: { status: 'unavailable' },
      installments: null,
      last4: card.last4,
      mandate: null,
      multicapture: { status: 'unavailable' },
      network: card.brand,
      network_token: { used: false },
      network_transaction_id: ok ? '123456789012345' : null,
      overcapture: { maximum_amount_capturable: amount, status: 'unavailable' },
      regulated_status: card.regulated_status,
      three_d_secure: threeDs ? { authentication_flow: null, result: 'attempt_acknowledged', result_reason: null, version: '2.2.0' } : null,
      wallet: null,
    },
    type: 'card',
  };
}

interface TestCard {
  card: CardSpec;
  behaviour: RuntimeBehaviour;
}

const visa = (funding = 'credit'): CardSpec => ({ brand: 'visa', funding, country: 'US' });
const decline = (decline_code: string): RuntimeBehaviour => ({ type: 'decline', decline_code });

/**
 * Stripe's test payment methods (`pm_card_…`, attachable by id, each attach makes a new copy)
 * and test card numbers (for `POST /v1/payment_methods` with `card[number]`).
 */
export const TEST_PAYMENT_METHODS: Record<string, TestCard> = {
  pm_card_visa: { card: { ...visa(), last4: '4242' }, behaviour: { type: 'succeed' } },
  pm_card_visa_debit: { card: { ...visa('debit'), last4: '5556' }, behaviour: { type: 'succeed' } },
  pm_card_mastercard: { card: { brand: 'mastercard', funding: 'credit', country: 'US', last4: '4444' }, behaviour: { type: 'succeed' } },
  pm_card_mastercard_debit: { card: { brand: 'mastercard', funding: 'debit', country: 'US', last4: '8210' }, behaviour: { type: 'succeed' } },
  pm_card_amex: { card: { brand: 'amex', funding: 'credit', country: 'US', last4: '8431' }, behaviour: { type: 'succeed' } },
  pm_card_chargeDeclined: { card: { ...visa(), last4: '0341' }, behaviour: decline('generic_decline') },
  pm_card_chargeDeclinedInsufficientFunds: { card: { ...visa(), last4: '9995' }, behaviour: decline('insufficient_funds') },
  pm_card_chargeDeclinedLostCard: { card: { ...visa(), last4: '9987' }, behaviour: decline('lost_card') },
  pm_card_chargeDeclinedStolenCard: { card: { ...visa(), last4: '9979' }, behaviour: decline('stolen_card') },
  pm_card_chargeDeclinedExpiredCard: { card: { ...visa(), last4: '0069' }, behaviour: decline('expired_card') },
  pm_card_chargeDeclinedIncorrectCvc: { card: { ...visa(), last4: '0127' }, behaviour: decline('incorrect_cvc') },
  pm_card_chargeDeclinedProcessingError: { card: { ...visa(), last4: '0119' }, behaviour: decline('processing_error') },
  pm_card_chargeDeclinedFraudulent: { card: { ...visa(), last4: '0019' }, behaviour: decline('fraudulent') },
  pm_card_chargeDeclinedVelocityLimitExceeded: { card: { ...visa(), last4: '6975' }, behaviour: decline('card_velocity_exceeded') },
  pm_card_authenticationRequired: { card: { ...visa(), last4: '3184' }, behaviour: { type: 'requires_action' } },
};

export const TEST_CARD_NUMBERS: Record<string, string> = {
  '4242424242424242': 'pm_card_visa',
  '4000056655665556': 'pm_card_visa_debit',
  '5555555555554444': 'pm_card_mastercard',
  '5200828282828210': 'pm_card_mastercard_debit',
  '378282246310005': 'pm_card_amex',
  '4000000000000002': 'pm_card_chargeDeclined',
  '4000000000000341': 'pm_card_chargeDeclined',
  '4000000000009995': 'pm_card_chargeDeclinedInsufficientFunds',
  '4000000000009987': 'pm_card_chargeDeclinedLostCard',
  '4000000000009979': 'pm_card_chargeDeclinedStolenCard',
  '4000000000000069': 'pm_card_chargeDeclinedExpiredCard',
  '4000000000000127': 'pm_card_chargeDeclinedIncorrectCvc',
  '4000000000000119': 'pm_card_chargeDeclinedProcessingError',
  '4100000000000019': 'pm_card_chargeDeclinedFraudulent',
  '4000000000006975': 'pm_card_chargeDeclinedVelocityLimitExceeded',
  '4000002760003184': 'pm_card_authenticationRequired',
};
