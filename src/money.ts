/**
 * Money, one home: amounts are integer minor units of their currency, and a currency's minor
 * unit has as many decimals as Stripe says (docs.stripe.com/currencies#zero-decimal and
 * #three-decimal): zero-decimal currencies (JPY, KRW, …) are whole units, the three-decimal
 * ones (BHD, JOD, KWD, OMR, TND) have three, every other currency two. Pure (no I/O).
 */

// https://docs.stripe.com/currencies#zero-decimal
const ZERO_DECIMAL: ReadonlySet<string> = new Set(
  ['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf'],
);
// https://docs.stripe.com/currencies#three-decimal
const THREE_DECIMAL: ReadonlySet<string> = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** Decimal places of a currency's minor unit, as Stripe counts them. */
export function currencyDecimals(currency: string): number {
  const c = currency.toLowerCase();
  if (ZERO_DECIMAL.has(c)) return 0;
  if (THREE_DECIMAL.has(c)) return 3;
  return 2;
}

/** Minor units → major units as a number (1234 usd → 12.34; 1234 jpy → 1234; 1500 bhd → 1.5). */
export function toMajor(minor: number, currency: string): number {
  return minor / 10 ** currencyDecimals(currency);
}

/** Minor units → a plain decimal string without grouping: "12.34", "1234", "1.500". */
export function majorString(minor: number, currency: string): string {
  const d = currencyDecimals(currency);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(Math.round(minor));
  if (d === 0) return `${sign}${abs}`;
  const s = String(abs).padStart(d + 1, '0');
  return `${sign}${s.slice(0, -d)}.${s.slice(-d)}`;
}

/** The form of decision reasons, logs and `explain`: "50.00 USD", "3000 JPY", "1.500 BHD". */
export function formatMinor(minor: number, currency: string): string {
  return `${majorString(minor, currency)} ${currency.toUpperCase()}`;
}

/**
 * A decimal string in major units ("12.5", "12.50", "1234", "-3.00") → integer minor units of
 * `currency`, by string arithmetic (no floating point). More decimals than the currency has are
 * accepted only when they are zeros ("12.500" usd); anything else is a RangeError naming the value.
 */
export function minorFromDecimal(value: string, currency: string): number {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) throw new RangeError(`not a decimal amount: ${JSON.stringify(value)} (expected e.g. "12.50")`);
  const d = currencyDecimals(currency);
  const frac = m[3] ?? '';
  if (frac.length > d && /[^0]/.test(frac.slice(d))) {
    throw new RangeError(`${JSON.stringify(value)} has more than ${d} decimals for ${currency.toUpperCase()}`);
  }
  const minor = Number(m[2] + frac.slice(0, d).padEnd(d, '0'));
  if (!Number.isSafeInteger(minor)) throw new RangeError(`amount out of range: ${JSON.stringify(value)}`);
  return m[1] && minor !== 0 ? -minor : minor;
}
