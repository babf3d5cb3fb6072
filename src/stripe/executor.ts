/**
 * Runs one gateway call: waits for a limiter token, sends it with the primary key, and on
 * failure decides between retrying and throwing a typed error.
 *
 * - 429: the limiter is penalized and the call is retried with the other key (primary → fallback
 *   after a short pause, then alternating with exponential backoff); RateLimited when the retries
 *   are used up.
 * - 5xx, 409, timeouts and connection errors: jittered exponential backoff, retried with the SAME
 *   key and the SAME idempotency key, so Stripe replays a request that did go through instead
 *   of charging twice. StripeUnavailable when the retries are used up.
 * - Anything else is mapped at once (errors.ts).
 *
 * The SDK's own retries are off (`maxNetworkRetries: 0`) so that this is the one place that
 * decides. POSTs always carry an idempotency key: the caller's, or one generated per call.
 *
 * `signal` (the daemon's, aborted when its stop grace runs out): the SDK takes no AbortSignal per
 * request (stripe 23's RequestOptions has none: node_modules/stripe/esm/lib.d.ts), so the limiter
 * wait, the request and the backoff are raced against it and the call ends with
 * StripeUnavailable('stopped'). The request may still reach Stripe: its idempotency key is kept
 * with the attempt, and the retry on the next start replays it instead of charging again.
 */
import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { redactText } from '../redact.js';
import { isRateLimit, isSdkError, isTransient, mapStripeError } from './error-map.js';
import { type CallInfo, type KeyRole, StripeUnavailable, isGatewayError } from './errors.js';
import type { TokenBucket } from './limiter.js';
import { permissionFor } from './permissions.js';
import type { CallContext } from './types.js';

/** pino-compatible subset. */
export interface GatewayLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** One HTTP request, reported for metrics. `status` is 0 when no response arrived. */
export interface CallReport {
  method: string;
  /** Path template, e.g. `/v1/invoices/:id` (bounded cardinality for metrics). */
  path: string;
  status: number;
  key: KeyRole;
  /** Wall time of the request in ms (excluding limiter waits and backoff). */
  ms: number;
  /** 1 for the first request of a call, 2 for its first retry… */
  attempt: number;
  account?: string;
}

interface CallSpec {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
}

export type SdkCall<T> = (client: Stripe, options: Stripe.RequestOptions) => Promise<T>;

interface ExecutorOptions {
  primary: Stripe;
  fallback?: Stripe;
  limiter: TokenBucket;
  /** Retries after the first request, per kind of failure (rate limits, transient errors). */
  maxRetries: number;
  /** First backoff step in ms; doubles per retry, capped at 32×. */
  backoffBaseMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1); used for jitter. */
  random: () => number;
  logger?: GatewayLogger;
  onCall?: (info: CallReport) => void;
  /** Aborted: calls in flight end at once with StripeUnavailable('stopped'), new ones never start. */
  signal?: AbortSignal;
}

/** The rejection of a wait cut by the stop signal (turned into StripeUnavailable in run()). */
const STOPPED = Symbol('stopped');

export class Executor {
  constructor(private readonly o: ExecutorOptions) {}

  get hasFallback(): boolean {
    return this.o.fallback !== undefined;
  }

  async run<T>(spec: CallSpec, ctx: CallContext | undefined, fn: SdkCall<T>): Promise<T> {
    const o = this.o;
    // Every endpoint must declare its permission: the required list is derived from that table.
    permissionFor(spec.method, spec.path);
    const account = ctx?.account;
    const idempotencyKey = spec.method === 'POST' ? ctx?.idempotencyKey ?? `recover-auto-${randomUUID()}` : undefined;
    let role: KeyRole = 'primary';
    let attempt = 0;
    let rateLimited = 0;
    let transient = 0;
    for (;;) {
      await this.untilStopped(spec, account, attempt, () => o.limiter.take());
      attempt += 1;
      const client = role === 'fallback' && o.fallback ? o.fallback : o.primary;
      const started = performance.now();
      try {
        const result = await this.race(withoutCallSite(() => fn(client, { stripeAccount: account, idempotencyKey })));
        const status = (result as { lastResponse?: { statusCode?: number } } | null)?.lastResponse?.statusCode ?? 200;
        this.report({ ...spec, status, key: role, ms: performance.now() - started, attempt, account });
        return result;
      } catch (e) {
        const ms = performance.now() - started;
        if (e === STOPPED) {
          this.report({ ...spec, status: 0, key: role, ms, attempt, account });
          throw this.stopped(spec, account, attempt);
        }
        const status = isSdkError(e) ? e.statusCode ?? 0 : 0;
        this.report({ ...spec, status, key: role, ms, attempt, account });
        if (isSdkError(e) && isRateLimit(e) && rateLimited < o.maxRetries) {
          rateLimited += 1;
          o.limiter.penalize();
          const next: KeyRole = o.fallback ? (role === 'primary' ? 'fallback' : 'primary') : 'primary';
          // Switching to a fresh key needs only a short pause; hitting the limit again needs real backoff.
          const delay = rateLimited === 1 && next === 'fallback' ? this.jitter(o.backoffBaseMs / 5) : this.backoff(rateLimited);
          this.warn(spec, account, attempt, status, role, next, delay, e.message);
          role = next;
          await this.untilStopped(spec, account, attempt, () => o.sleep(delay));
          continue;
        }
        if (isSdkError(e) && !isRateLimit(e) && isTransient(e) && transient < o.maxRetries) {
          transient += 1;
          const delay = this.backoff(transient);
          this.warn(spec, account, attempt, status, role, role, delay, e.message);
          await this.untilStopped(spec, account, attempt, () => o.sleep(delay));
          continue;
        }
        const err = mapStripeError(e);
        if (isGatewayError(err)) err.call = { ...spec, account, key: role, attempts: attempt } satisfies CallInfo;
        o.logger?.debug(
          { method: spec.method, path: spec.path, account, status, key: role, attempts: attempt, err: redactText(err.message) },
          'stripe call failed',
        );
        throw err;
      }
    }
  }

  /** `p`, or a rejection with STOPPED as soon as the signal is aborted (`p` is then left to settle). */
  private race<T>(p: Promise<T>): Promise<T> {
    const signal = this.o.signal;
    if (!signal) return p;
    if (signal.aborted) {
      p.catch(() => undefined);
      return Promise.reject(STOPPED);
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(STOPPED);
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** A wait (limiter, backoff) that the stop signal cuts short: the call ends there. */
  private async untilStopped(spec: CallSpec, account: string | undefined, attempt: number, wait: () => Promise<void>) {
    if (this.o.signal?.aborted) throw this.stopped(spec, account, attempt);
    try {
      await this.race(wait());
    } catch (e) {
      throw e === STOPPED ? this.stopped(spec, account, attempt) : e;
    }
  }

  private stopped(spec: CallSpec, account: string | undefined, attempts: number): StripeUnavailable {
    const err = new StripeUnavailable(`${spec.method} ${spec.path} cut by the stop before Stripe answered`,
      { statusCode: 0 }, 'stopped');
    err.call = { ...spec, account, key: 'primary', attempts } satisfies CallInfo;
    return err;
  }

  /** Exponential: base, 2×base, 4×base… capped at 32×base, each jittered into [½, 1]. */
  private backoff(n: number): number {
    return this.jitter(this.o.backoffBaseMs * 2 ** Math.min(n - 1, 5));
  }

  private jitter(ms: number): number {
    return ms * (0.5 + 0.5 * this.o.random());
  }

  private report(info: CallReport): void {
    this.o.logger?.debug({ ...info, ms: Math.round(info.ms) }, 'stripe call');
    try {
      this.o.onCall?.(info);
    } catch {
      // Metrics must never break a Stripe call.
    }
  }

  private warn(spec: CallSpec, account: string | undefined, attempt: number, status: number, from: KeyRole, to: KeyRole, delay: number, message: string): void {
    this.o.logger?.warn(
      { method: spec.method, path: spec.path, account, status, attempt, key: from, retryKey: to, delayMs: Math.round(delay), err: redactText(message) },
      `stripe ${status || 'connection error'} on ${spec.method} ${spec.path}; retrying with the ${to} key in ${Math.round(delay)} ms`,
    );
  }
}

/**
 * Starts an SDK call with V8's stack capture off. The SDK formats `new Error().stack` on every
 * request, to append the caller's frames to an error it may later throw (StripeResource.js,
 * "Capture the caller's stack trace"): ~15 µs per request, about 1 s of CPU over the 52,000 requests
 * of a demo (issue 18).
 * Errors reach recover through mapStripeError, which builds its own typed error (with its own
 * stack, and the call in `err.call`), so the SDK's call site is not needed. Only the synchronous
 * start runs without frames; the limit is restored before any other code runs.
 */
function withoutCallSite<T>(start: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return start();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
