/**
 * Retry advice that overrides or sharpens the decline code:
 * - Stripe `advice_code` (docs.stripe.com/declines/card#retrying-issuer-declines):
 *   `try_again_later`, `do_not_try_again`, `confirm_card_data`.
 * - Mastercard Merchant Advice Codes (MAC), which Stripe passes as `network_advice_code`
 *   (Mastercard Transaction Processing Excellence / excessive-retry program; summarised by
 *   acquirers, e.g. checkout.com "When can I retry a declined transaction", Cybersource
 *   `merchantAdviceCode`). 03 and 21 forbid any further attempt on the card; 01 means new card
 *   data exists; 24–30 set a minimum wait.
 * - Visa, where processors pass the decline category as a one-digit advice value ("1".."4").
 */
import { HOUR_MS, DAY_MS } from '../clock.js';
import type { DeclineCategory } from './decline-codes.js';

export interface AdviceRule {
  category: DeclineCategory;
  /** Minimum wait after the decline before any new attempt on the card, ms. */
  minWaitMs?: number;
  meaning: string;
}

export const STRIPE_ADVICE_CODES: Readonly<Record<string, AdviceRule>> = {
  try_again_later: { category: 'retry_after', minWaitMs: HOUR_MS, meaning: 'the issuer says the decline is temporary: try again later' },
  do_not_try_again: { category: 'hard', meaning: 'the issuer says do not try again with this card' },
  confirm_card_data: { category: 'needs_card_update', meaning: 'the card details must be confirmed or updated by the customer' },
};

export const MASTERCARD_ADVICE_CODES: Readonly<Record<string, AdviceRule>> = {
  '01': { category: 'needs_card_update', meaning: 'Mastercard MAC 01: new account information available; wait for the updated card' },
  '02': { category: 'retry_after', minWaitMs: DAY_MS, meaning: 'Mastercard MAC 02: cannot approve at this time, try again later' },
  '03': { category: 'hard', meaning: 'Mastercard MAC 03: do not try again' },
  '04': { category: 'needs_card_update', meaning: 'Mastercard MAC 04: token requirements not fulfilled for this token type' },
  '21': { category: 'hard', meaning: 'Mastercard MAC 21: payment cancelled by the cardholder (recurring stop); do not try again' },
  '22': { category: 'needs_card_update', meaning: 'Mastercard MAC 22: merchant does not qualify for this product code' },
  '24': { category: 'retry_after', minWaitMs: HOUR_MS, meaning: 'Mastercard MAC 24: retry after 1 hour' },
  '25': { category: 'retry_after', minWaitMs: DAY_MS, meaning: 'Mastercard MAC 25: retry after 24 hours' },
  '26': { category: 'retry_after', minWaitMs: 2 * DAY_MS, meaning: 'Mastercard MAC 26: retry after 2 days' },
  '27': { category: 'retry_after', minWaitMs: 4 * DAY_MS, meaning: 'Mastercard MAC 27: retry after 4 days' },
  '28': { category: 'retry_after', minWaitMs: 6 * DAY_MS, meaning: 'Mastercard MAC 28: retry after 6 days' },
  '29': { category: 'retry_after', minWaitMs: 8 * DAY_MS, meaning: 'Mastercard MAC 29: retry after 8 days' },
  '30': { category: 'retry_after', minWaitMs: 10 * DAY_MS, meaning: 'Mastercard MAC 30: retry after 10 days' },
  '40': { category: 'needs_card_update', meaning: 'Mastercard MAC 40: consumer non-reloadable prepaid card' },
  '41': { category: 'needs_card_update', meaning: 'Mastercard MAC 41: consumer single-use virtual card number' },
  '42': { category: 'hard', meaning: 'Mastercard MAC 42: sanctions score exceeds threshold' },
  '43': { category: 'needs_card_update', meaning: 'Mastercard MAC 43: consumer multi-use virtual card number' },
};

/** Visa decline categories when a processor passes them as the advice value. */
export const VISA_ADVICE_CATEGORIES: Readonly<Record<string, AdviceRule>> = {
  '1': { category: 'hard', meaning: 'Visa category 1: the issuer will never approve this card' },
  '2': { category: 'soft', meaning: 'Visa category 2: the issuer cannot approve at this time' },
  '3': { category: 'needs_card_update', meaning: 'Visa category 3: data quality; correct the card data before retrying' },
  '4': { category: 'soft', meaning: 'Visa category 4: generic decline' },
};

/** Mastercard MAC codes that forbid any further attempt on the card. */
export const MAC_STOP = new Set(['03', '21']);

/** Normalise a network advice code: trim, and pad one digit to two for Mastercard ("3" → "03"). */
export function normaliseMac(code: string | undefined): string | undefined {
  if (code === undefined || code === null) return undefined;
  const c = String(code).trim();
  if (c === '') return undefined;
  return /^\d$/.test(c) ? `0${c}` : c;
}

export function isMastercard(brand: string | undefined): boolean {
  const b = (brand ?? '').toLowerCase();
  return b === 'mastercard' || b === 'mc' || b === 'maestro';
}

export function isVisa(brand: string | undefined): boolean {
  return (brand ?? '').toLowerCase() === 'visa';
}
