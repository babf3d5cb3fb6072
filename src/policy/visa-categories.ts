/**
 * Visa's decline categories for raw issuer response codes (Stripe's `network_decline_code` on a
 * Visa card), from Visa's excessive-reattempt rules as published by acquirers (e.g. payway.com
 * "Visa Excessive Reattempts Rule & Fees", TabaPay "Excessive Retry Rules", Evolve "Visa's
 * Processing Integrity Fee Program"):
 *   1 issuer will never approve: no reattempt, ever;
 *   2 issuer cannot approve at this time; 3 data quality (correct, then retry);
 *   4 everything else (generic). Categories 2–4 share the 15-reattempts-in-30-days limit.
 * Code 15 ("no such issuer") is being moved out of category 1 by Visa; we keep it in category 1,
 * the stricter reading.
 */

const CATEGORY_1 = new Set(['04', '07', '12', '14', '15', '41', '43', '46', '57', 'R0', 'R1', 'R3']);
const CATEGORY_2 = new Set(['03', '19', '39', '51', '52', '53', '59', '61', '62', '65', '75', '78', '86', '91', '93', '96', 'N3', 'N4']);
const CATEGORY_3 = new Set(['54', '55', '6P', '70', '82', '1A', 'N7']);

export type VisaCategory = 1 | 2 | 3 | 4;

export function visaCategoryOfResponseCode(code: string | undefined): VisaCategory | undefined {
  if (code === undefined || code === null) return undefined;
  const c = String(code).trim().toUpperCase();
  if (c === '') return undefined;
  const padded = /^\d$/.test(c) ? `0${c}` : c;
  if (CATEGORY_1.has(padded)) return 1;
  if (CATEGORY_2.has(padded)) return 2;
  if (CATEGORY_3.has(padded)) return 3;
  return 4;
}
