import { describe, expect, it } from 'vitest';
import { NetworkRuleChecker } from '../../src/simulate/checker.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5);

function attempt(brand: string, at: number, extra: Partial<Parameters<NetworkRuleChecker['record']>[0]> = {}) {
  return { fingerprint: 'fp', brand, at, amount: 2900, currency: 'usd', declined: true, declineCode: 'insufficient_funds', ...extra };
}

describe('independent network rule checker', () => {
  it('Visa: the 16th attempt in 30 days is a violation, the 15th is not', () => {
    const c = new NetworkRuleChecker();
    for (let i = 0; i < 15; i++) c.record(attempt('visa', T0 + i * HOUR), i > 0);
    expect(c.total).toBe(0);
    c.record(attempt('visa', T0 + 15 * HOUR));
    expect(c.violations).toEqual({ visa_attempts_30d: 1 });
    c.record(attempt('visa', T0 + 31 * DAY));
    expect(c.total).toBe(1);
  });

  it('Visa: any attempt after a category-1 decline', () => {
    const c = new NetworkRuleChecker();
    c.record(attempt('visa', T0, { declineCode: 'lost_card' }), false);
    c.record(attempt('visa', T0 + 40 * DAY));
    expect(c.violations).toEqual({ visa_category_1: 1 });
  });

  it('Mastercard: the 11th decline in 24 h, the 36th same-amount attempt in 30 days', () => {
    const c = new NetworkRuleChecker();
    for (let i = 0; i < 11; i++) c.record(attempt('mastercard', T0 + i * HOUR));
    expect(c.violations).toEqual({ mastercard_declines_24h: 1 });
    const d = new NetworkRuleChecker();
    for (let i = 0; i < 36; i++) d.record(attempt('mastercard', T0 + i * 20 * HOUR, { declined: false }));
    expect(d.violations).toEqual({ mastercard_amount_30d: 1 });
  });

  it('Mastercard advice: 03/21 stop, 24–30 wait', () => {
    const c = new NetworkRuleChecker();
    c.record(attempt('mastercard', T0, { networkAdviceCode: '21' }), false);
    c.record(attempt('mastercard', T0 + 50 * DAY));
    expect(c.violations).toEqual({ mastercard_mac_stop: 1 });
    const w = new NetworkRuleChecker();
    w.record(attempt('mastercard', T0, { networkAdviceCode: '26' }), false);
    w.record(attempt('mastercard', T0 + 2 * DAY - 1));
    w.record(attempt('mastercard', T0 + 4 * DAY));
    expect(w.violations).toEqual({ mastercard_mac_wait: 1 });
  });

  it('Stripe advice do_not_try_again', () => {
    const c = new NetworkRuleChecker();
    c.record(attempt('amex', T0, { adviceCode: 'do_not_try_again' }), false);
    c.record(attempt('amex', T0 + DAY));
    expect(c.violations).toEqual({ advice_do_not_try_again: 1 });
  });

  it('first failures are recorded but never judged', () => {
    const c = new NetworkRuleChecker();
    c.record(attempt('visa', T0, { declineCode: 'stolen_card' }), false);
    c.record(attempt('visa', T0 + HOUR), false);
    expect(c.total).toBe(0);
  });
});
