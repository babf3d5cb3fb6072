/**
 * attemptCost is in US cents and converted per invoice currency with Stripe's exponents
 * (docs.stripe.com/currencies#zero-decimal: JPY has no minor unit; #three-decimal: KWD has three),
 * so the value-aware stopping rule treats ¥3,000 like $20 and 6.150 KWD like $20, not ¥25 as 25¢.
 */
import { describe, expect, it } from 'vitest';
import { attemptCostIn, decideTreatment, type PolicyInput } from '../../src/policy/index.js';
import { makeInput } from './input.js';

/** The invoice in `currency` (amount in its minor units) with the given cost settings. */
function inputIn(currency: string, amount: number, settings: Partial<PolicyInput['settings']>): PolicyInput {
  const base = makeInput({ amount });
  const history = (base.card.history ?? []).map((e) => ({ ...e, currency }));
  return {
    ...base,
    case: { ...base.case, currency },
    card: { ...base.card, history },
    settings: { ...base.settings, ...settings },
  };
}

/** The smallest amount (minor units) at which recover still retries rather than waits. */
function retryThreshold(currency: string, settings: Partial<PolicyInput['settings']>): number {
  let lo = 1;
  let hi = 1e9;
  expect(decideTreatment(inputIn(currency, hi, settings)).action).toBe('retry');
  expect(decideTreatment(inputIn(currency, lo, settings)).action).toBe('wait');
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (decideTreatment(inputIn(currency, mid, settings)).action === 'retry') hi = mid;
    else lo = mid;
  }
  return hi;
}

describe('attemptCost across currencies', () => {
  it('converts US cents into each currency’s minor units', () => {
    expect(attemptCostIn('usd', { attemptCost: 25 })).toEqual({ minor: 25, source: 'converted' });
    // ¥150 per USD, zero-decimal: 25¢ = ¥37.5 (not ¥25).
    expect(attemptCostIn('JPY', { attemptCost: 25 }).minor).toBeCloseTo(37.5, 6);
    // 0.3075 KWD per USD, three decimals: 25¢ = 0.076875 KWD = 76.875 fils (not 25 fils).
    expect(attemptCostIn('kwd', { attemptCost: 25 }).minor).toBeCloseTo(76.875, 6);
    expect(attemptCostIn('jpy', { attemptCost: 25, attemptCostByCurrency: { JPY: 50 } })).toEqual({
      minor: 50,
      source: 'override',
    });
    expect(attemptCostIn('xyz', { attemptCost: 25 }).source).toBe('unknown_currency');
  });

  it('the stopping rule stops at the same worth in USD, JPY and KWD', () => {
    // $5 per attempt, so the threshold lies well above the 1.5 % floor for these amounts.
    const settings = { attemptCost: 500 };
    const usd = retryThreshold('usd', settings) / 100;
    const jpy = retryThreshold('jpy', settings);
    const kwd = retryThreshold('kwd', settings) / 1000;
    // The threshold is cost ÷ best estimate: in dollars it is the same invoice worth everywhere.
    expect(usd).toBeGreaterThan(5);
    expect(jpy / 150).toBeCloseTo(usd, 1);
    expect(kwd / 0.3075).toBeCloseTo(usd, 1);
    // Read as the invoice's own minor units (the old rule) the JPY threshold would be ¥usd×100.
    expect(jpy).toBeGreaterThan(usd * 100 * 1.4);
  });

  it('¥3,000 gets the decision $20 gets, and the reason prices the attempt in yen', () => {
    const at20 = (s: Partial<PolicyInput['settings']>) => [
      decideTreatment(inputIn('usd', 2000, s)),
      decideTreatment(inputIn('jpy', 3000, s)),
      decideTreatment(inputIn('kwd', 6150, s)),
    ];
    const seen = new Set<string>();
    for (const cost of [25, 100, 200, 300, 400, 500, 600, 800]) {
      const [usd, jpy, kwd] = at20({ attemptCost: cost });
      expect(jpy.action).toBe(usd.action);
      expect(kwd.action).toBe(usd.action);
      seen.add(usd.action);
    }
    // The costs span the threshold: the cheap ones retry, the dear ones wait.
    expect([...seen].sort()).toEqual(['retry', 'wait']);
    const [, jpy] = at20({ attemptCost: 25 });
    expect(jpy.reason).toContain('beats its cost (38 JPY)');
    const [, , kwd] = at20({ attemptCost: 25 });
    expect(kwd.reason).toContain('beats its cost (0.077 KWD)');
  });
});
