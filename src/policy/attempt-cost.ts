/**
 * What one charge attempt costs, in the invoice's own minor units. `settings.attemptCost` is in
 * one reference currency, US cents (the network retry fees it stands for are set in USD: Visa's
 * $0.10 per excessive reattempt, Mastercard's $0.50 per excessive retry), so 25 means $0.25 on a
 * USD invoice, ≈ ¥38 on a JPY one and ≈ 0.077 KWD on a KWD one, not ¥25 or 0.025 KWD.
 * `settings.attemptCostByCurrency` overrides it per currency, in that currency's minor units.
 * Minor units follow Stripe's exponents (src/money.ts: JPY zero-decimal, KWD three-decimal).
 * Pure: the rates are fixed constants, not fetched.
 */
import { currencyDecimals } from '../money.js';

export const REFERENCE_CURRENCY = 'usd';

/**
 * Major units of each currency per 1 USD, rounded (mid-market rates of 2025). The cost is an
 * estimate of fees, so being within ~10 % is enough; a merchant who needs it exact sets
 * attemptCostByCurrency. Currencies not listed get no cost (only the policy's floor applies).
 */
const PER_USD: Readonly<Record<string, number>> = {
  usd: 1,
  eur: 0.92,
  gbp: 0.79,
  chf: 0.88,
  cad: 1.37,
  aud: 1.52,
  nzd: 1.66,
  jpy: 150,
  cny: 7.2,
  hkd: 7.8,
  sgd: 1.34,
  krw: 1350,
  twd: 32,
  inr: 83,
  idr: 16000,
  thb: 35,
  myr: 4.6,
  php: 57,
  vnd: 25000,
  sek: 10.5,
  nok: 10.7,
  dkk: 6.9,
  pln: 4,
  czk: 23,
  huf: 360,
  ron: 4.6,
  bgn: 1.8,
  try: 34,
  ils: 3.7,
  aed: 3.67,
  sar: 3.75,
  qar: 3.64,
  kwd: 0.3075,
  bhd: 0.376,
  omr: 0.385,
  jod: 0.709,
  tnd: 3.1,
  egp: 48,
  zar: 18,
  ngn: 1500,
  kes: 130,
  mxn: 18,
  brl: 5.4,
  ars: 950,
  clp: 930,
  cop: 4000,
  pen: 3.75,
  uyu: 40,
  pyg: 7500,
};

export interface AttemptCostSettings {
  /** US cents per attempt (settings.attemptCost). */
  attemptCost?: number;
  /** Per currency (lower or upper case), minor units of that currency. */
  attemptCostByCurrency?: Readonly<Record<string, number>>;
}

/** Default cost per attempt, US cents (settings.attemptCost's default). */
export const DEFAULT_ATTEMPT_COST = 25;

export interface AttemptCost {
  /** Minor units of the invoice's currency (may be fractional: 0.25 ¢ is ¥0.375). */
  minor: number;
  /** Where it came from, for the reason. */
  source: 'override' | 'converted' | 'unknown_currency';
}

/** The cost of one attempt on an invoice in `currency`, in that currency's minor units. */
export function attemptCostIn(currency: string, s: AttemptCostSettings): AttemptCost {
  const cur = currency.toLowerCase();
  const map = s.attemptCostByCurrency ?? {};
  const own = map[cur] ?? map[cur.toUpperCase()];
  if (own !== undefined) return { minor: own, source: 'override' };
  const usdCents = s.attemptCost ?? DEFAULT_ATTEMPT_COST;
  const rate = PER_USD[cur];
  if (rate === undefined) return { minor: 0, source: 'unknown_currency' };
  // US cents → USD → the currency's major units → its minor units (10^exponent).
  return { minor: (usdCents / 100) * rate * 10 ** currencyDecimals(cur), source: 'converted' };
}
