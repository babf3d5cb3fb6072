/**
 * Builds one SDK client per key, pinned to our API version, with the SDK's own retries off
 * (the executor retries, so it controls idempotency-key reuse and key fallback).
 */
import Stripe from 'stripe';
import { ConfigError } from '../errors.js';
import { STRIPE_API_VERSION } from './types.js';

interface ApiBase {
  protocol: 'http' | 'https';
  host: string;
  port: number;
}

/** Parses `--stripe-api-base`, e.g. `http://127.0.0.1:12111`. Throws ConfigError naming the value. */
export function parseApiBase(apiBase: string): ApiBase {
  let url: URL;
  try {
    url = new URL(apiBase);
  } catch {
    throw new ConfigError(`invalid Stripe API base ${JSON.stringify(apiBase)} (accepted: a URL such as http://127.0.0.1:12111)`);
  }
  const protocol = url.protocol.replace(/:$/, '');
  if (protocol !== 'http' && protocol !== 'https') {
    throw new ConfigError(`invalid Stripe API base ${JSON.stringify(apiBase)}: protocol must be http or https`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username || url.password) {
    // The SDK always requests /v1/…; a base path, query or credentials would be silently dropped.
    throw new ConfigError(`invalid Stripe API base ${JSON.stringify(apiBase)}: give only scheme, host and port (e.g. http://127.0.0.1:12111)`);
  }
  const port = url.port ? Number(url.port) : protocol === 'https' ? 443 : 80;
  // URL keeps IPv6 hosts bracketed; node:http wants them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { protocol, host, port };
}

interface ClientOptions {
  apiBase?: ApiBase;
  /** Per-request timeout in ms. */
  timeoutMs: number;
}

export function buildClient(key: string, opts: ClientOptions): Stripe {
  return new Stripe(key, {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: 0,
    timeout: opts.timeoutMs,
    telemetry: false,
    appInfo: { name: 'recover' },
    ...(opts.apiBase ? { host: opts.apiBase.host, port: opts.apiBase.port, protocol: opts.apiBase.protocol } : {}),
  });
}

/** The SDK's webhook helpers; they need no key. */
export const sdkWebhooks = Stripe.webhooks;
