/**
 * Secret redaction. Stripe keys (sk_/rk_/pk_ live/test), webhook secrets (whsec_) and
 * bearer tokens are replaced by a prefix plus their last four characters, e.g. `rk_live_…1a2b`,
 * so an operator can tell keys apart without anyone being able to use them.
 */
const SECRET_RE = /\b((?:sk|rk|pk)_(?:live|test)_|whsec_)(\w{4,})/g;

export function redactKey(key: string): string {
  const m = /^((?:sk|rk|pk)_(?:live|test)_|whsec_)/.exec(key);
  const prefix = m ? m[1] : '';
  const rest = key.slice(prefix.length);
  return `${prefix}…${rest.slice(-4)}`;
}

/**
 * Secrets with no recognisable shape (a Recharge API token or client secret is an opaque
 * string), registered by whoever loads them, and redacted by value to `…` + their last four.
 */
const KNOWN_SECRETS = new Set<string>();

/** Redacts `secret` by value from now on (ignored when shorter than 8 characters). */
export function registerSecret(secret: string): void {
  if (secret.length >= 8) KNOWN_SECRETS.add(secret);
}

/** Redacts every secret-looking token inside free text, and every registered secret. */
export function redactText(text: string): string {
  let out = text.replace(SECRET_RE, (_all, prefix: string, rest: string) => `${prefix}…${rest.slice(-4)}`);
  for (const s of KNOWN_SECRETS) if (out.includes(s)) out = out.split(s).join(`…${s.slice(-4)}`);
  return out;
}

/** Deep-redacts any JSON-like value (strings are scanned; objects/arrays are copied). */
export function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactValue(v);
    return out as T;
  }
  return value;
}
