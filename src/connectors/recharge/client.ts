/**
 * A small typed client for Recharge's admin API (version 2021-11) on `fetch`: Recharge has no
 * official Node SDK for it. Every request carries `X-Recharge-Access-Token` and
 * `X-Recharge-Version: 2021-11`; lists are cursor pages (async generators); a client-side leaky
 * bucket (40 calls, draining 2/s by default: docs.getrecharge.com/docs/api-rate-limits) keeps
 * under the limit, and a 429 is waited out (Retry-After when given) and retried. Errors are typed
 * (./errors.ts). The token is never logged or put in an error.
 *
 * Never charge twice: Recharge takes no idempotency key, so a POST whose outcome is unknown (5xx,
 * timeout) is not retried here; it fails as RechargeUnavailable{ambiguous: true} and the caller
 * re-reads the charge. A 429 is retried: the bucket refused the request before processing it.
 */
import { minorFromDecimal } from '../../money.js';
import { redactText, registerSecret } from '../../redact.js';
import {
  errorText,
  NotFound,
  RechargeUnavailable,
  ScopeMissing,
  toRechargeError,
  type RechargeErrorInfo,
} from './errors.js';
import { SCOPE_PROBES, type ScopeProbeRow } from './types.js';
import type * as T from './types.js';

export const RECHARGE_API_BASE = 'https://api.rechargeapps.com';
export const RECHARGE_API_VERSION = '2021-11';

export interface RechargeClientOptions {
  token: string;
  /** Default https://api.rechargeapps.com; the emulator's URL in tests and the demo. */
  baseUrl?: string;
  /** The leaky bucket: `capacity` calls (default 40), draining `leakPerSec` (default 2; some tokens more). */
  bucket?: { capacity?: number; leakPerSec?: number };
  /** Retries after a 429 (and, for reads, a 5xx or timeout). Default 5. */
  maxRetries?: number;
  /** Per request, ms. Default 30,000. */
  timeoutMs?: number;
  /** Wall clock for the bucket, epoch ms (tests pass their own). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
}

export interface ChargeListParams {
  status?: T.RechargeCharge['status'];
  customer_id?: number;
  subscription_id?: number;
  /** ISO-8601; only charges updated at or after. */
  updated_at_min?: string;
  updated_at_max?: string;
  scheduled_at_min?: string;
  scheduled_at_max?: string;
  sort_by?: 'id-asc' | 'id-desc' | 'updated_at-asc' | 'updated_at-desc' | 'scheduled_at-asc' | 'scheduled_at-desc';
  /** Page size, 1..250 (Recharge's default 50). */
  limit?: number;
}

export interface CancelParams {
  cancellation_reason: string;
  cancellation_reason_comments?: string;
  send_email?: boolean;
}

type Query = Record<string, string | number | boolean | undefined>;

interface CallOpts {
  query?: Query;
  body?: unknown;
  /** Retrying after a 5xx/timeout cannot do anything twice (reads, deletes). */
  idempotent: boolean;
}

export class RechargeClient {
  readonly baseUrl: string;
  private readonly token: string;
  private readonly capacity: number;
  private readonly leakPerMs: number;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly fetchFn: typeof fetch;
  private level = 0;
  private levelAt = 0;
  /** Requests sent (each HTTP request, retries included). */
  requests = 0;

  constructor(o: RechargeClientOptions) {
    if (!o.token) throw new RangeError('a Recharge API token is required');
    this.token = o.token;
    registerSecret(o.token); // opaque: redacted by value everywhere (logs, errors, --json)
    this.baseUrl = (o.baseUrl ?? RECHARGE_API_BASE).replace(/\/+$/, '');
    this.capacity = o.bucket?.capacity ?? 40;
    this.leakPerMs = (o.bucket?.leakPerSec ?? 2) / 1000;
    this.maxRetries = o.maxRetries ?? 5;
    this.timeoutMs = o.timeoutMs ?? 30_000;
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.fetchFn = o.fetch ?? fetch;
  }

  // ---- charges -------------------------------------------------------------------------------
  chargePages(params: ChargeListParams = {}): AsyncGenerator<T.CursorPage<T.RechargeCharge>> {
    return this.pages<T.RechargeCharge>('/charges', 'charges', { ...params });
  }
  charges(params: ChargeListParams = {}): AsyncGenerator<T.RechargeCharge> {
    return items(this.chargePages(params));
  }
  async getCharge(id: number): Promise<T.RechargeCharge> {
    return (
      await this.call<{ charge: T.RechargeCharge }>('GET', '/charges/:id', `/charges/${id}`, { idempotent: true })
    ).charge;
  }
  /** Charges a queued or errored charge now (a Pro-plan feature: PlanRequired when the store lacks it). */
  async processCharge(id: number): Promise<T.RechargeCharge> {
    const path = `/charges/${id}/process`;
    return (await this.call<{ charge: T.RechargeCharge }>('POST', '/charges/:id/process', path, { idempotent: false }))
      .charge;
  }

  // ---- subscriptions, customers, payment methods -------------------------------------------
  async getSubscription(id: number): Promise<T.RechargeSubscription> {
    const path = `/subscriptions/${id}`;
    return (
      await this.call<{ subscription: T.RechargeSubscription }>('GET', '/subscriptions/:id', path, { idempotent: true })
    ).subscription;
  }
  async cancelSubscription(id: number, p: CancelParams): Promise<T.RechargeSubscription> {
    const path = `/subscriptions/${id}/cancel`;
    // Cancelling twice leaves it cancelled: safe to retry after a 5xx.
    return (
      await this.call<{ subscription: T.RechargeSubscription }>('POST', '/subscriptions/:id/cancel', path, {
        body: p,
        idempotent: true,
      })
    ).subscription;
  }
  async getCustomer(id: number): Promise<T.RechargeCustomer> {
    const path = `/customers/${id}`;
    return (await this.call<{ customer: T.RechargeCustomer }>('GET', '/customers/:id', path, { idempotent: true }))
      .customer;
  }
  async paymentMethods(customerId: number): Promise<T.RechargePaymentMethod[]> {
    return collect(
      items(
        this.pages<T.RechargePaymentMethod>('/payment_methods', 'payment_methods', {
          customer_id: customerId,
          limit: 250,
        }),
      ),
    );
  }

  // ---- webhooks ----------------------------------------------------------------------------
  async webhooks(): Promise<T.RechargeWebhook[]> {
    return collect(items(this.pages<T.RechargeWebhook>('/webhooks', 'webhooks', { limit: 250 })));
  }
  async createWebhook(p: { address: string; topic: string; included_objects?: string[] }): Promise<T.RechargeWebhook> {
    return (
      await this.call<{ webhook: T.RechargeWebhook }>('POST', '/webhooks', '/webhooks', { body: p, idempotent: false })
    ).webhook;
  }
  async deleteWebhook(id: number): Promise<void> {
    await this.call('DELETE', '/webhooks/:id', `/webhooks/${id}`, { idempotent: true });
  }

  // ---- the token -----------------------------------------------------------------------------
  async tokenInformation(): Promise<T.TokenInformation> {
    return (
      await this.call<{ token_information: T.TokenInformation }>('GET', '/token_information', '/token_information', {
        idempotent: true,
      })
    ).token_information;
  }
  /** One cheap call per scope recover needs (both spellings where Recharge's docs disagree). */
  async probeScopes(): Promise<ScopeProbeRow[]> {
    let declared: Set<string> | null = null;
    try {
      declared = new Set((await this.tokenInformation()).scopes);
    } catch (e) {
      if (!(e instanceof ScopeMissing || e instanceof NotFound)) throw e;
    }
    const rows: ScopeProbeRow[] = [];
    for (const p of SCOPE_PROBES) {
      const has = declared ? declared.has(p.scope) : null;
      if (!p.path) {
        rows.push({
          scope: p.scope,
          status: has === null ? 'unknown' : has ? 'ok' : 'missing',
          via: 'GET /token_information',
          declared: has,
          note: p.note,
        });
        continue;
      }
      const ok = await this.allowed(p.path);
      rows.push({ scope: p.scope, status: ok ? 'ok' : 'missing', via: `GET ${p.path}`, declared: has, note: p.note });
    }
    return rows;
  }
  /** A GET for the probe: resolves true (allowed) / false (403), rethrows anything else. */
  private async allowed(path: string): Promise<boolean> {
    try {
      await this.call('GET', path, path, { query: { limit: 1 }, idempotent: true });
      return true;
    } catch (e) {
      if (e instanceof ScopeMissing) return false;
      throw e;
    }
  }

  // ---- plumbing ------------------------------------------------------------------------------
  /** Cursor pages: the first request carries the filters; the next ones only `cursor` and `limit`. */
  async *pages<T>(path: string, key: string, query: Query): AsyncGenerator<T.CursorPage<T>> {
    let q: Query = query;
    for (;;) {
      const body = await this.call<Record<string, unknown>>('GET', path, path, { query: q, idempotent: true });
      const page: T.CursorPage<T> = {
        items: (body[key] as T[] | undefined) ?? [],
        next_cursor: (body.next_cursor as string | null | undefined) ?? null,
        previous_cursor: (body.previous_cursor as string | null | undefined) ?? null,
      };
      yield page;
      if (!page.next_cursor) return;
      q = { cursor: page.next_cursor, limit: query.limit };
    }
  }

  private async call<T>(method: string, template: string, path: string, o: CallOpts): Promise<T> {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const info = (statusCode: number, attempts: number, detail?: string): RechargeErrorInfo => ({
      statusCode,
      method,
      path: template,
      attempts,
      detail: detail === undefined ? undefined : this.clean(detail),
    });
    for (let attempt = 1; ; attempt++) {
      await this.takeSlot();
      this.requests++;
      let res: Response;
      try {
        res = await this.fetchFn(url, {
          method,
          headers: {
            'X-Recharge-Access-Token': this.token,
            'X-Recharge-Version': RECHARGE_API_VERSION,
            Accept: 'application/json',
            ...(o.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          body: o.body === undefined ? undefined : JSON.stringify(o.body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (e) {
        if (o.idempotent && attempt <= this.maxRetries) {
          await this.sleep(backoffMs(attempt));
          continue;
        }
        const msg = `Recharge ${method} ${template}: no answer (${this.clean((e as Error).message)})`;
        throw new RechargeUnavailable(msg, info(0, attempt), !o.idempotent);
      }
      const text = await res.text();
      if (res.ok) return (text ? JSON.parse(text) : {}) as T;
      const detail = errorText(text);
      if (res.status === 429 && attempt <= this.maxRetries) {
        this.level = this.capacity; // the server's bucket is full: ours should be too
        this.levelAt = this.now();
        // Without Retry-After: back off (0.5 s, 1 s, 2 s …), never less than one call's drain time.
        const fallback = Math.max(backoffMs(attempt), Math.ceil(1 / this.leakPerMs));
        await this.sleep(retryAfterMs(res.headers.get('retry-after')) ?? fallback);
        continue;
      }
      if (res.status >= 500 && o.idempotent && attempt <= this.maxRetries) {
        await this.sleep(backoffMs(attempt));
        continue;
      }
      throw toRechargeError(res.status, info(res.status, attempt, detail), detail, !o.idempotent);
    }
  }

  /** Waits until the bucket has room for one more call, then counts it. */
  private async takeSlot(): Promise<void> {
    for (;;) {
      const t = this.now();
      this.level = Math.max(0, this.level - (t - this.levelAt) * this.leakPerMs);
      this.levelAt = t;
      if (this.level + 1 <= this.capacity) {
        this.level += 1;
        return;
      }
      await this.sleep(Math.ceil((this.level + 1 - this.capacity) / this.leakPerMs));
    }
  }

  private clean(text: string): string {
    return redactText(text);
  }
}

/** A charge's total in integer minor units of its currency. */
export function chargeAmountMinor(c: Pick<T.RechargeCharge, 'total_price' | 'currency'>): number {
  return minorFromDecimal(c.total_price, c.currency);
}

async function* items<T>(pages: AsyncGenerator<T.CursorPage<T>>): AsyncGenerator<T> {
  for await (const p of pages) yield* p.items;
}

async function collect<T>(it: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Retry-After in seconds (or an HTTP date) → ms; undefined when absent or unreadable. */
function retryAfterMs(v: string | null): number | undefined {
  if (!v) return undefined;
  const s = Number(v);
  if (Number.isFinite(s) && s >= 0) return Math.min(s * 1000, 60_000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.min(Math.max(0, at - Date.now()), 60_000) : undefined;
}

/** 0.5 s, 1 s, 2 s … capped at 8 s. */
function backoffMs(attempt: number): number {
  return Math.min(8000, 500 * 2 ** (attempt - 1));
}
