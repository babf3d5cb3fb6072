/**
 * Parsers for flag values. Each throws a UsageError naming the flag, the bad value and what is
 * accepted, which commander lets through to `main()` (exit 2).
 */
import { badValue } from '../errors.js';

/** Plain decimals only (12, 0.5, .5): Number() alone would also take 0x10, 1e1, 0b1 and Infinity. */
const PLAIN_NUMBER = /^-?(?:\d+(?:\.\d+)?|\.\d+)$/;

/** The number a plain decimal spells, else NaN (which every range check refuses). */
export function plainNumber(raw: string): number {
  return PLAIN_NUMBER.test(raw.trim()) ? Number(raw) : NaN;
}

export function intFlag(flag: string, min: number, max: number = Number.MAX_SAFE_INTEGER) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || n < min || n > max) throw badValue(flag, raw, `an integer from ${min} to ${max}`);
    return n;
  };
}

export function numberFlag(flag: string, min: number, max: number) {
  return (raw: string): number => {
    const n = plainNumber(raw);
    if (!Number.isFinite(n) || n < min || n > max) throw badValue(flag, raw, `a number from ${min} to ${max}`);
    return n;
  };
}

export function enumFlag<T extends string>(flag: string, values: readonly T[]) {
  return (raw: string): T => {
    if (!(values as readonly string[]).includes(raw)) throw badValue(flag, raw, values.join(' | '));
    return raw as T;
  };
}

/** For repeatable flags: `--key a --key b` → ['a', 'b']. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * `http(s)://host[:port]` without a path; used for --stripe-api-base. A path, query, fragment
 * or credentials are refused rather than cut off: the SDK would silently drop them.
 */
export function urlFlag(flag: string) {
  return (raw: string): string => {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw badValue(flag, raw, 'a URL such as http://127.0.0.1:12111');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw badValue(flag, raw, 'an http:// or https:// URL');
    const shown = u.username || u.password ? `${u.protocol}//…@${u.host}${u.pathname}` : raw;
    if (u.username || u.password || u.pathname !== '/' || u.search || u.hash) {
      throw badValue(flag, shown, 'http(s)://host[:port] only, without credentials, path, query or fragment');
    }
    return u.origin;
  };
}

const DURATION_RE = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/;

/** `2d6h`, `90d`, `30m` → milliseconds. */
export function parseDuration(flag: string, raw: string): number {
  const m = DURATION_RE.exec(raw.trim());
  if (!m || raw.trim() === '') throw badValue(flag, raw, 'a duration such as 90d, 2d6h or 30m');
  const [, d, h, min] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000;
}

/** The shape of a Stripe signing secret (`whsec_` + base64-ish), as `stripe listen` prints it. */
const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/=]{16,}$/;

/** `--webhook-secret` / RECOVER_WEBHOOK_SECRET; checked at parse time, before the database is looked at. */
export function webhookSecretFlag(flag: string) {
  return (raw: string): string => {
    if (WEBHOOK_SECRET.test(raw)) return raw;
    // Never echo a secret, even a malformed one: its first characters and length are enough.
    const shown = `${raw.slice(0, 6)}… (${raw.length} characters)`;
    throw badValue(flag, shown, 'a Stripe signing secret whsec_… as stripe listen prints it');
  };
}
