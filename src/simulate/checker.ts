/**
 * An independent card-network rule checker for simulations. It deliberately shares no code or
 * tables with src/policy (caps.ts, classify.ts): it re-reads every attempt actually made, per
 * card fingerprint, and counts each attempt that breaks a rule. A built-in policy must score 0.
 *
 * Rules (per card, across all its invoices; the first failure counts as an attempt):
 *   visa_attempts_30d       a Visa attempt when 15 attempts were already made in the last 30 days
 *   visa_category_1         a Visa attempt after a decline Visa puts in category 1 (never approve)
 *   mastercard_declines_24h a Mastercard decline that makes more than 10 declines in 24 h
 *   mastercard_amount_30d   a Mastercard attempt making more than 35 same-amount attempts in 30 days
 *   mastercard_mac_stop     an attempt after Mastercard advice 03 or 21
 *   mastercard_mac_wait     an attempt sooner than Mastercard advice 24–30 allowed
 *   advice_do_not_try_again an attempt after Stripe advice_code do_not_try_again
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Stripe decline codes whose Visa response code is in category 1 (04, 07, 14, 41, 43, 46, 57, R0, R1, R3). */
const VISA_CAT1_CODES = new Set([
  'pickup_card', 'lost_card', 'stolen_card', 'incorrect_number', 'invalid_number', 'invalid_account',
  'transaction_not_allowed', 'not_permitted', 'service_not_allowed', 'card_not_supported',
  'currency_not_supported', 'stop_payment_order', 'revocation_of_authorization',
  'revocation_of_all_authorizations', 'do_not_try_again',
]);
const MAC_WAIT_MS: Record<string, number> = { '24': HOUR, '25': DAY, '26': 2 * DAY, '27': 4 * DAY, '28': 6 * DAY, '29': 8 * DAY, '30': 10 * DAY };

export interface CheckedAttempt {
  fingerprint: string;
  brand: string;
  at: number;
  amount: number;
  currency: string;
  declined: boolean;
  declineCode?: string;
  adviceCode?: string;
  networkAdviceCode?: string;
}

export class NetworkRuleChecker {
  private byCard = new Map<string, CheckedAttempt[]>();
  readonly violations: Record<string, number> = {};

  get total(): number {
    return Object.values(this.violations).reduce((a, b) => a + b, 0);
  }

  /**
   * Record an attempt after it happened (its outcome known) and count any rule it broke.
   * `byPolicy` false (an invoice's first failure, made by Stripe) records without judging.
   */
  record(a: CheckedAttempt, byPolicy = true): void {
    const prior = this.byCard.get(a.fingerprint) ?? [];
    if (!byPolicy) {
      prior.push(a);
      this.byCard.set(a.fingerprint, prior);
      return;
    }
    const brand = a.brand.toLowerCase();
    const mac = (code: string | undefined) => (code === undefined ? undefined : code.trim().padStart(2, '0'));
    if (brand === 'visa') {
      if (prior.filter((p) => p.at > a.at - 30 * DAY).length >= 15) this.count('visa_attempts_30d');
      if (prior.some((p) => p.declined && p.declineCode !== undefined && VISA_CAT1_CODES.has(p.declineCode))) this.count('visa_category_1');
    }
    if (brand === 'mastercard') {
      if (a.declined && prior.filter((p) => p.declined && p.at > a.at - DAY).length + 1 > 10) this.count('mastercard_declines_24h');
      if (prior.filter((p) => p.amount === a.amount && p.currency === a.currency && p.at > a.at - 30 * DAY).length + 1 > 35)
        this.count('mastercard_amount_30d');
      if (prior.some((p) => p.declined && (mac(p.networkAdviceCode) === '03' || mac(p.networkAdviceCode) === '21'))) this.count('mastercard_mac_stop');
      const waits = prior.filter((p) => p.declined && MAC_WAIT_MS[mac(p.networkAdviceCode) ?? ''] !== undefined);
      if (waits.some((p) => a.at < p.at + MAC_WAIT_MS[mac(p.networkAdviceCode)!])) this.count('mastercard_mac_wait');
    }
    if (prior.some((p) => p.declined && p.adviceCode === 'do_not_try_again')) this.count('advice_do_not_try_again');
    prior.push(a);
    this.byCard.set(a.fingerprint, prior);
  }

  private count(rule: string): void {
    this.violations[rule] = (this.violations[rule] ?? 0) + 1;
  }
}
