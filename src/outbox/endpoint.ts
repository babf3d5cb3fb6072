/**
 * The merchant's result-webhook endpoint: its URL (setting `resultWebhookUrl`), its signing
 * secret (secrets table, `result_webhook_secret`) and whether a `410 Gone` disabled it (meta
 * `result_webhook_disabled`, JSON; cleared by `recover webhooks enable`).
 */
import type { Settings } from '../config/settings.js';
import type { Store } from '../db/index.js';

const DISABLED_KEY = 'result_webhook_disabled';

export interface Disabled {
  /** When (epoch ms, the daemon's clock) and by which message's answer. */
  at: number;
  messageId: string;
  status: number;
}

export interface Endpoint {
  url: string | null;
  secret: string | null;
  disabled: Disabled | null;
}

export function endpointOf(store: Store, settings: Settings): Endpoint {
  return {
    url: settings.resultWebhookUrl ?? null,
    secret: store.secrets.get('result_webhook_secret') ?? null,
    disabled: disabledOf(store),
  };
}

export function disabledOf(store: Store): Disabled | null {
  const raw = store.meta.get(DISABLED_KEY);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as Disabled;
  } catch {
    return null;
  }
}

export function disableEndpoint(store: Store, d: Disabled): void {
  store.meta.set(DISABLED_KEY, JSON.stringify(d));
}

/** Returns whether it was disabled. */
export function enableEndpoint(store: Store): boolean {
  const was = disabledOf(store) !== null;
  // The meta repo has no delete; an empty value reads as "enabled".
  store.meta.set(DISABLED_KEY, '');
  return was;
}

/** Hosts only a local receiver answers on (what Stripe refuses for its own webhooks). */
export function isLocalHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    h === '::1' ||
    /^127\./.test(h) ||
    /^10\./.test(h) ||
    /^192\.168\./.test(h) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(h) ||
    h === '0.0.0.0'
  );
}

export const ENDPOINT_ACCEPTED =
  'an https:// URL without credentials (http:// and local addresses only with --allow-local-webhooks)';

/** The reason a URL is refused, or null when it is acceptable. */
export function endpointProblem(raw: string, allowLocal: boolean): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (u.username || u.password) return 'credentials in the URL';
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `scheme ${u.protocol}`;
  const local = isLocalHost(u.hostname);
  if (local && !allowLocal) return 'a local address';
  if (u.protocol === 'http:' && !(local && allowLocal)) return 'plain http';
  return null;
}
