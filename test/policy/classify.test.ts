import { describe, expect, it } from 'vitest';
import { classifyDecline, DECLINE_CODES, visaCategoryOfResponseCode } from '../../src/policy/index.js';
import { DAY_MS, HOUR_MS } from '../../src/clock.js';

// Stripe's card decline codes (docs.stripe.com/declines/codes), with the category we expect.
const EXPECTED: Record<string, 'hard' | 'needs_card_update' | 'soft' | 'retry_after'> = {
  authentication_required: 'needs_card_update',
  authentication_not_handled: 'needs_card_update',
  approve_with_id: 'soft',
  call_issuer: 'soft',
  card_not_supported: 'needs_card_update',
  card_velocity_exceeded: 'soft',
  currency_not_supported: 'needs_card_update',
  do_not_honor: 'soft',
  do_not_try_again: 'hard',
  duplicate_transaction: 'retry_after',
  expired_card: 'needs_card_update',
  fraudulent: 'hard',
  generic_decline: 'soft',
  incorrect_address: 'needs_card_update',
  incorrect_cvc: 'needs_card_update',
  incorrect_number: 'needs_card_update',
  incorrect_pin: 'needs_card_update',
  incorrect_zip: 'needs_card_update',
  insufficient_funds: 'soft',
  invalid_account: 'needs_card_update',
  invalid_amount: 'needs_card_update',
  invalid_cvc: 'needs_card_update',
  invalid_expiry_month: 'needs_card_update',
  invalid_expiry_year: 'needs_card_update',
  invalid_number: 'needs_card_update',
  invalid_pin: 'needs_card_update',
  issuer_not_available: 'retry_after',
  lost_card: 'hard',
  merchant_blacklist: 'hard',
  mobile_device_authentication_required: 'needs_card_update',
  new_account_information_available: 'needs_card_update',
  no_action_taken: 'soft',
  not_permitted: 'needs_card_update',
  offline_pin_required: 'needs_card_update',
  online_or_offline_pin_required: 'needs_card_update',
  pickup_card: 'hard',
  pin_try_exceeded: 'needs_card_update',
  processing_error: 'retry_after',
  reenter_transaction: 'retry_after',
  restricted_card: 'needs_card_update',
  revocation_of_all_authorizations: 'hard',
  revocation_of_authorization: 'hard',
  security_violation: 'needs_card_update',
  service_not_allowed: 'needs_card_update',
  stolen_card: 'hard',
  stop_payment_order: 'hard',
  testmode_decline: 'hard',
  transaction_not_allowed: 'needs_card_update',
  try_again_later: 'retry_after',
  withdrawal_count_limit_exceeded: 'soft',
};

describe('classifyDecline: every Stripe decline code', () => {
  it('the table covers exactly the 50 documented card decline codes', () => {
    expect(Object.keys(DECLINE_CODES).sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(Object.keys(EXPECTED)).toHaveLength(50);
  });

  it.each(Object.entries(EXPECTED))('%s → %s', (code, category) => {
    const c = classifyDecline({ declineCode: code, brand: 'amex' });
    expect(c.category).toBe(category);
    expect(c.explanation).toContain(code);
    expect(c.label).toMatch(new RegExp(`^${code} \\(`));
  });

  it('an unknown or missing code is a generic soft decline', () => {
    expect(classifyDecline({ declineCode: 'brand_new_code' }).category).toBe('soft');
    expect(classifyDecline({}).code).toBe('unknown');
  });

  it('technical codes carry a minimum wait', () => {
    expect(classifyDecline({ declineCode: 'processing_error' }).retryNotBeforeMs).toBe(HOUR_MS);
    expect(classifyDecline({ declineCode: 'duplicate_transaction' }).retryNotBeforeMs).toBe(DAY_MS);
  });
});

describe('classifyDecline: Stripe advice codes', () => {
  it.each([
    ['do_not_try_again', 'hard'],
    ['confirm_card_data', 'needs_card_update'],
    ['try_again_later', 'retry_after'],
  ] as const)('advice %s on insufficient_funds → %s', (advice, category) => {
    expect(classifyDecline({ declineCode: 'insufficient_funds', adviceCode: advice, brand: 'visa' }).category).toBe(category);
  });

  it('do_not_try_again bans the card for every invoice', () => {
    expect(classifyDecline({ declineCode: 'generic_decline', adviceCode: 'do_not_try_again' }).bansCard).toBe(true);
  });

  it('try_again_later never softens a hard code', () => {
    expect(classifyDecline({ declineCode: 'stolen_card', adviceCode: 'try_again_later' }).category).toBe('hard');
  });
});

describe('classifyDecline: Mastercard merchant advice codes (network_advice_code)', () => {
  const mc = (mac: string, declineCode = 'do_not_honor') => classifyDecline({ declineCode, networkAdviceCode: mac, brand: 'mastercard' });
  it.each(['03', '21'])('MAC %s stops and bans the card', (mac) => {
    expect(mc(mac).category).toBe('hard');
    expect(mc(mac).bansCard).toBe(true);
  });
  it('MAC 01 waits for new card data', () => expect(mc('01').category).toBe('needs_card_update'));
  it('MAC 02 retries later (≥ 24 h)', () => {
    expect(mc('02').category).toBe('retry_after');
    expect(mc('02').retryNotBeforeMs).toBe(DAY_MS);
  });
  it.each([
    ['24', HOUR_MS],
    ['25', DAY_MS],
    ['26', 2 * DAY_MS],
    ['27', 4 * DAY_MS],
    ['28', 6 * DAY_MS],
    ['29', 8 * DAY_MS],
    ['30', 10 * DAY_MS],
  ])('MAC %s → not sooner than %d ms', (mac, wait) => {
    expect(mc(mac).category).toBe('retry_after');
    expect(mc(mac).retryNotBeforeMs).toBe(wait);
  });
  it('a one-digit code is padded ("3" = MAC 03)', () => expect(mc('3').category).toBe('hard'));
  it('the longest wait wins when several apply', () => {
    expect(classifyDecline({ declineCode: 'processing_error', networkAdviceCode: '27', brand: 'mastercard' }).retryNotBeforeMs).toBe(4 * DAY_MS);
  });
  it('a MAC on a Visa card is not read as Mastercard advice', () => {
    expect(classifyDecline({ declineCode: 'insufficient_funds', networkAdviceCode: '03', brand: 'visa' }).category).toBe('soft');
  });
});

describe('classifyDecline: Visa categories', () => {
  it.each([
    ['04', 1], ['07', 1], ['12', 1], ['14', 1], ['15', 1], ['41', 1], ['43', 1], ['46', 1], ['57', 1], ['R0', 1], ['R1', 1], ['R3', 1],
    ['51', 2], ['61', 2], ['65', 2], ['91', 2], ['96', 2], ['N4', 2],
    ['54', 3], ['55', 3], ['N7', 3], ['1A', 3],
    ['05', 4], ['01', 4],
  ] as const)('response code %s → category %d', (code, cat) => {
    expect(visaCategoryOfResponseCode(code)).toBe(cat);
  });

  it('a category-1 raw code makes an otherwise soft Visa decline hard', () => {
    const c = classifyDecline({ declineCode: 'generic_decline', networkDeclineCode: '46', brand: 'visa' });
    expect(c.category).toBe('hard');
    expect(c.bansCard).toBe(true);
  });

  it('Stripe codes that map to category 1 ban a Visa card even when they only need a card update', () => {
    const c = classifyDecline({ declineCode: 'incorrect_number', brand: 'visa' });
    expect(c.category).toBe('needs_card_update');
    expect(c.bansCard).toBe(true);
    expect(classifyDecline({ declineCode: 'incorrect_number', brand: 'amex' }).bansCard).toBe(false);
  });

  it('a one-digit Visa advice category 1 stops', () => {
    expect(classifyDecline({ declineCode: 'do_not_honor', networkAdviceCode: '1', brand: 'visa' }).category).toBe('hard');
  });
});

describe('classifyDecline: Stripe outcome reasons', () => {
  it.each(['previously_declined_do_not_retry', 'highest_risk_level'])('%s stops', (reason) => {
    const c = classifyDecline({ declineCode: 'generic_decline', outcomeReason: reason });
    expect(c.category).toBe('hard');
    expect(c.bansCard).toBe(true);
  });
});
