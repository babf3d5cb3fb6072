/**
 * Money in the report: integer minor units per currency, formatted with the decimals of
 * src/money.ts (Stripe's zero- and three-decimal currencies), as currency symbols. Formatting
 * is fixed to the en-US locale so output is stable.
 */
import { currencyDecimals, majorString, toMajor } from '../money.js';
import type { Amounts } from './types.js';

export { currencyDecimals, majorString, toMajor } from '../money.js';

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

/**
 * For a narrow table cell: the main currency's amount and how many other currencies there are,
 * "$4,567.00 + 7 more" — eight currencies listed in full made a 12-line row at 80 columns. Without the
 * main currency among them, the largest count of minor units is not comparable, so the first code.
 */
export function compactAmounts(amounts: Amounts, main: string | null, empty = '—'): { text: string; more: number } {
  const keys = Object.keys(amounts).sort();
  if (keys.length === 0) return { text: empty, more: 0 };
  const first = main && keys.includes(main) ? main : keys[0];
  const more = keys.length - 1;
  return { text: formatMoney(amounts[first], first) + (more ? ` + ${more} more` : ''), more };
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
