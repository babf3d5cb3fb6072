/**
 * The Stripe gateway: the only module of the project that imports 'stripe'.
 *
 *   const stripe = createGateway({ primaryKey, fallbackKey, apiBase });
 *   for await (const { page, lastId } of stripe.invoices.listAll({ status: 'open' }, { account })) …
 *
 * See gateway.ts for the method surface, executor.ts for limiting/retries, errors.ts for errors.
 */
import { ConfigError } from '../errors.js';
import { buildClient, parseApiBase } from './client.js';
import { Executor, type CallReport, type GatewayLogger } from './executor.js';
import { buildSurface, type StripeGateway } from './gateway.js';
import { assertKeyAllowed } from './keys.js';
import { TokenBucket, defaultSleep } from './limiter.js';

export interface GatewayOptions {
  primaryKey: string;
  /** Used only for a call the primary key got a 429 for. */
  fallbackKey?: string;
  /** e.g. `http://127.0.0.1:12111` (the emulator). When set, only `rk_test_`/`sk_test_` keys are accepted. */
  apiBase?: string;
  /** Requests per second for all calls together. Default 20 with test keys, 80 with live keys (Stripe allows 25/100). */
  rateLimitPerSec?: number;
  /** Retries after a 5xx/409/timeout/connection error, and separately after 429s. Default 4. */
  maxRetries?: number;
  /** Per-request timeout in ms. Default 30 000. */
  timeoutMs?: number;
  /** First backoff step in ms (doubles per retry, jittered into [½, 1]). Default 500. */
  backoffBaseMs?: number;
  /** Used for backoff and limiter waits. Default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1), for jitter. Default Math.random. */
  random?: () => number;
  /** Monotonic ms for the limiter. Default performance.now. */
  now?: () => number;
  logger?: GatewayLogger;
  /** Called after every HTTP request (including retries), e.g. for metrics. */
  onCall?: (info: CallReport) => void;
  /** Aborted: calls in flight end with StripeUnavailable('stopped'), and no new one starts (executor.ts). */
  signal?: AbortSignal;
}

export const DEFAULT_RATE_TEST = 20;
export const DEFAULT_RATE_LIVE = 80;
export const DEFAULT_MAX_RETRIES = 4;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_BACKOFF_BASE_MS = 500;

export function createGateway(opts: GatewayOptions): StripeGateway {
  const primary = assertKeyAllowed(opts.primaryKey, { apiBase: opts.apiBase, label: 'primary key' });
  if (opts.fallbackKey !== undefined) {
    assertKeyAllowed(opts.fallbackKey, { apiBase: opts.apiBase, env: primary.env, label: 'fallback key' });
  }
  const apiBase = opts.apiBase ? parseApiBase(opts.apiBase) : undefined;
  const rate = opts.rateLimitPerSec ?? (primary.env === 'live' ? DEFAULT_RATE_LIVE : DEFAULT_RATE_TEST);
  if (!(rate > 0) || !Number.isFinite(rate)) throw new ConfigError(`invalid Stripe rate limit ${rate} (accepted: a number of requests per second > 0)`);
  const maxRetries = opts.maxRetries ?? DEFAULT_MAX_RETRIES;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new ConfigError(`invalid maxRetries ${maxRetries} (accepted: an integer ≥ 0)`);
  const timeoutMs = Math.round(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const sleep = opts.sleep ?? defaultSleep;
  const executor = new Executor({
    primary: buildClient(opts.primaryKey.trim(), { apiBase, timeoutMs }),
    fallback: opts.fallbackKey !== undefined ? buildClient(opts.fallbackKey.trim(), { apiBase, timeoutMs }) : undefined,
    limiter: new TokenBucket({ ratePerSec: rate, sleep, now: opts.now }),
    maxRetries,
    backoffBaseMs: opts.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS,
    sleep,
    random: opts.random ?? Math.random,
    logger: opts.logger,
    onCall: opts.onCall,
    signal: opts.signal,
  });
  return buildSurface(executor, { env: primary.env, rateLimitPerSec: rate });
}

export type { StripeGateway } from './gateway.js';
export type { CallReport, GatewayLogger } from './executor.js';
export * from './errors.js';
export { mapStripeError } from './error-map.js';
export * from './keys.js';
export * from './types.js';
export { constructEvent, signPayload, WebhookSignatureInvalid, DEFAULT_WEBHOOK_TOLERANCE_SEC, type WebhookRejection } from './webhooks.js';
export { probePermissions, PROBE_IDS, type PermissionProbe, type ProbeResult } from './probe.js';
export { TokenBucket } from './limiter.js';
export { parseApiBase } from './client.js';
