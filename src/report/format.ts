/** Small formatting helpers shared by the text, CSV and HTML renderers. */
import type { Interval } from './types.js';

/** 0.7273 → "72.7%"; null → "—". */
export function pct(x: number | null, digits = 1): string {
  return x === null ? '—' : `${(x * 100).toFixed(digits)}%`;
}

/** A difference of rates in percentage points with a sign: 0.123 → "+12.3 pp". */
export function signedPp(x: number, digits = 1): string {
  const v = (x * 100).toFixed(digits);
  return `${x >= 0 && !v.startsWith('-') ? '+' : ''}${v} pp`;
}

/** "61.2%–79.8%" */
export function pctInterval(ci: Interval | null): string {
  return ci === null ? '—' : `${pct(ci.low)}–${pct(ci.high)}`;
}

/** 1.8333 → "1.83"; null → "—". */
export function num(x: number | null, digits = 2): string {
  return x === null ? '—' : x.toFixed(digits);
}

/** 1234567 → "1,234,567". */
export function int(n: number): string {
  return n.toLocaleString('en-US');
}
