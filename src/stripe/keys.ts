/**
 * What kind of Stripe API key a string is, and whether we accept it. Onboarding and
 * `createGateway` both call `assertKeyAllowed`, so the rules live in one place.
 */
import { ConfigError } from '../errors.js';
import { redactKey } from '../redact.js';

export type KeyKind = 'restricted' | 'secret' | 'publishable' | 'unknown';
export type KeyEnv = 'test' | 'live';

export interface KeyInfo {
  kind: KeyKind;
  env: KeyEnv | undefined;
}

const KEY_RE = /^(sk|rk|pk)_(test|live)_[A-Za-z0-9_]+$/;
const KIND: Record<string, KeyKind> = { sk: 'secret', rk: 'restricted', pk: 'publishable' };

export function keyInfo(key: string): KeyInfo {
  const m = KEY_RE.exec(key.trim());
  if (!m) return { kind: 'unknown', env: undefined };
  return { kind: KIND[m[1]], env: m[2] as KeyEnv };
}

export interface KeyCheckOptions {
  /** The environment chosen by the user; the key's prefix must match it. */
  env?: KeyEnv;
  /** When set (emulator or any non-Stripe host), only test keys are accepted. */
  apiBase?: string;
  /** Name used in messages, e.g. "primary key" or "--fallback-key". */
  label?: string;
}

export interface KeyCheck extends KeyInfo {
  env: KeyEnv;
  /** Set for a standard secret key: it works, but grants far more than recover needs. */
  warning?: string;
}

/**
 * Throws ConfigError (exit 2) naming the redacted key and what is accepted; returns the key's
 * kind and environment, plus a warning for a standard secret key.
 */
export function assertKeyAllowed(key: string, opts: KeyCheckOptions = {}): KeyCheck {
  const label = opts.label ?? 'API key';
  const shown = redactKey(key.trim());
  const info = keyInfo(key);
  const accepted = opts.apiBase
    ? 'rk_test_… or sk_test_… (only test keys are accepted with a custom API base)'
    : opts.env
      ? `rk_${opts.env}_… (restricted, recommended) or sk_${opts.env}_…`
      : 'rk_test_…/rk_live_… (restricted, recommended) or sk_test_…/sk_live_…';
  if (info.kind === 'unknown' || info.env === undefined) {
    throw new ConfigError(`${label} ${shown} is not a Stripe API key (accepted: ${accepted})`);
  }
  if (info.kind === 'publishable') {
    throw new ConfigError(`${label} ${shown} is a publishable key, which cannot read or change invoices (accepted: ${accepted})`);
  }
  if (opts.apiBase && info.env !== 'test') {
    throw new ConfigError(
      `${label} ${shown} is a live key, refused with a custom Stripe API base ${opts.apiBase} (accepted: ${accepted})`,
    );
  }
  if (opts.env && info.env !== opts.env) {
    throw new ConfigError(`${label} ${shown} is a ${info.env} key but the environment is ${opts.env} (accepted: ${accepted})`);
  }
  const warning =
    info.kind === 'secret'
      ? `${label} ${shown} is a standard secret key: it grants full access to the account, far more than recover needs; a restricted key (rk_${info.env}_…) is recommended`
      : undefined;
  return { kind: info.kind, env: info.env, ...(warning ? { warning } : {}) };
}
