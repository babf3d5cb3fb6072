/**
 * Money in the report: integer minor units per currency, formatted with the number of decimals
 * Stripe uses for that currency (docs.stripe.com/currencies#zero-decimal): zero-decimal
 * currencies (JPY, KRW, …) are whole units, the three-decimal ones (BHD, JOD, KWD, OMR, TND)
 * have three, everything else two. Formatting is fixed to the en-US locale so output is stable.
 */
import type { Amounts } from './types.js';

const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** Decimal places of a currency's minor unit, as Stripe counts them. */
export function currencyDecimals(currency: string): number {
  const c = currency.toLowerCase();
  if (ZERO_DECIMAL.has(c)) return 0;
  if (THREE_DECIMAL.has(c)) return 3;
  return 2;
}

/** Minor units → major units as a number (1234 usd → 12.34; 1234 jpy → 1234). */
export function toMajor(minor: number, currency: string): number {
  return minor / 10 ** currencyDecimals(currency);
}

/** Minor units → a plain decimal string without grouping (for CSV): "12.34", "1234", "1.500". */
export function majorString(minor: number, currency: string): string {
  const d = currencyDecimals(currency);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(Math.round(minor));
  if (d === 0) return `${sign}${abs}`;
  const s = String(abs).padStart(d + 1, '0');
  return `${sign}${s.slice(0, -d)}.${s.slice(-d)}`;
}

const formatters = new Map<string, Intl.NumberFormat | null>();
function formatter(currency: string): Intl.NumberFormat | null {
  let f = formatters.get(currency);
  if (f === undefined) {
    const d = currencyDecimals(currency);
    try {
      f = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase(), minimumFractionDigits: d, maximumFractionDigits: d });
    } catch {
      f = null; // not an ISO code Intl knows
    }
    formatters.set(currency, f);
  }
  return f;
}

/** "$1,234.56", "¥1,235", "€19.00", "BHD 1.500", "XYZ 12.34"; a code Intl rejects falls back to "12.34 XY". */
export function formatMoney(minor: number, currency: string): string {
  const f = formatter(currency.toLowerCase());
  if (!f) return `${majorString(minor, currency)} ${currency.toUpperCase()}`;
  return f.format(toMajor(minor, currency)).replace(/\u00a0/g, ' ');
}

/** "$1,234.56 + €19.00" (currencies in alphabetical order), or "—" when empty. */
export function formatAmounts(amounts: Amounts, empty = '—'): string {
  const keys = Object.keys(amounts).sort();
  if (keys.length === 0) return empty;
  return keys.map((c) => formatMoney(amounts[c], c)).join(' + ');
}

/** Adds `minor` to `amounts[currency]` in place. */
export function addAmount(amounts: Amounts, currency: string, minor: number): void {
  amounts[currency] = (amounts[currency] ?? 0) + minor;
}

/** A copy with keys in alphabetical order and zero entries dropped. */
export function sortAmounts(amounts: Amounts): Amounts {
  const out: Amounts = {};
  for (const k of Object.keys(amounts).sort()) if (amounts[k] !== 0) out[k] = amounts[k];
  return out;
}
