import http from 'node:http';
import https from 'node:https';
import { signPayload } from '../stripe/webhooks.js';
import type { DeliveryFaults } from './delivery-faults.js';
import { endpointWants, renderEvent } from './events.js';
import type { Row } from './store.js';
import type { AccountState, World } from './world.js';

/**
 * Webhook delivery, like Stripe: each event is POSTed as JSON to every enabled endpoint
 * subscribed to its type (or `*`) — the account's own endpoints, and for a connected account's
 * event also the platform's `connect: true` endpoints — signed with the endpoint's secret.
 * The `Stripe-Signature` header is made by the SDK's own helper (through the gateway, the only
 * module that imports `stripe`), with the WALL-CLOCK time of the delivery as timestamp, as
 * Stripe's `t=` is when the delivery is sent: the SDK's `constructEvent` with its default
 * 300 s tolerance accepts it whatever the emulator clock says. Object timestamps (`created`,
 * periods…) follow the emulator clock.
 *
 * Deliveries to one endpoint go one at a time, in the order the events happened (endpoints are
 * served in parallel). While the clock is being advanced deliveries wait (hold()), so a receiver
 * that reads the emulator clock sees it arrived before the events made on the way. A delivery
 * fails on a non-2xx answer, a connection error or a 10 s timeout; it is retried after
 * `retryMs` × 2^(attempt-1) of WALL-CLOCK time (capped at one hour), up to `maxAttempts` attempts
 * in all, behind whatever is queued for that endpoint by then. Retries are wall-clock so they
 * happen in a long-running emulator whose clock is only advanced on demand.
 */
export interface DeliveryRecord {
  event: string;
  type: string;
  endpoint: string;
  account: string;
  attempt: number;
  /** HTTP status, or null when the connection failed. */
  status: number | null;
  error: string | null;
  ok: boolean;
  /** Wall clock, epoch ms. */
  at: number;
}

interface Delivery {
  acct: AccountState;
  /** The endpoint's account (the platform for a connect endpoint): its default API version applies. */
  owner: AccountState;
  event: Row;
  endpoint: Row;
  attempt: number;
}

const TIMEOUT_MS = 10_000;
const MAX_DELAY_MS = 3_600_000;
const LOG_LIMIT = 10_000;

export class WebhookDispatcher {
  /** Pending deliveries per endpoint id, in event order. */
  private queues = new Map<string, Delivery[]>();
  /** Endpoints with a delivery in flight (one at a time per endpoint). */
  private busy = new Set<string>();
  private pendingCount = 0;
  private inFlight = 0;
  private timers = new Set<NodeJS.Timeout>();
  private requests = new Set<http.ClientRequest>();
  private waiters: Array<() => void> = [];
  private closed = false;
  /** While > 0 (the clock is being advanced), deliveries wait: see hold(). */
  private holds = 0;
  /** Per endpoint, a delivery held back to go after the next one (reorder fault). */
  private held = new Map<string, Delivery>();
  private readonly log: DeliveryRecord[] = [];
  delivered = 0;
  failed = 0;

  constructor(
    private readonly world: World,
    private readonly opts: { retryMs: number; maxAttempts: number; concurrency: number; faults?: DeliveryFaults },
  ) {}

  /** The last LOG_LIMIT deliveries, oldest first (a copy). */
  recentLog(): DeliveryRecord[] {
    return this.log.slice(-LOG_LIMIT);
  }

  get pendingRetries(): number {
    return this.timers.size;
  }

  get queued(): number {
    return this.pendingCount + this.inFlight;
  }

  /** Queues the event for every endpoint that wants it. */
  enqueue(acct: AccountState, event: Row): void {
    const type = event.doc.type as string;
    const targets: Array<{ owner: AccountState; connect: boolean }> = [{ owner: acct, connect: false }];
    if (!acct.main) targets.push({ owner: this.world.main, connect: true });
    for (const { owner, connect } of targets) {
      for (const endpoint of owner.webhook_endpoints.all.rows) {
        if (endpoint.doc.status !== 'enabled' || endpoint.meta.connect !== connect) continue;
        if (!endpointWants(endpoint.doc.enabled_events as string[], type)) continue;
        event.meta.pending++;
        const fault = this.opts.faults?.decide();
        if (fault?.drop) continue;
        this.push({ acct, owner, event, endpoint, attempt: 1 }, fault?.reorder);
        if (fault?.duplicate) this.push({ acct, owner, event, endpoint, attempt: 1 });
      }
    }
    this.pump();
  }

  /**
   * Holds deliveries while the clock is moved forward, then sends them once it has arrived, so a
   * receiver that dates what it does by the emulator clock never sees an event "from the future".
   * Returns the release function.
   */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.pump();
    };
  }

  /** Resolves once every queued delivery has been made (or has failed its current attempt). */
  flush(): Promise<void> {
    // A delivery held back for reordering goes now: no later event may come.
    for (const [id, d] of this.held) {
      this.held.delete(id);
      this.queueOf(id).push(d);
    }
    this.pump();
    if (this.pendingCount === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drops what is queued, cancels retries and aborts deliveries in flight. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queues.clear();
    this.held.clear();
    this.pendingCount = 0;
    for (const r of this.requests) r.destroy(new Error('emulator closed'));
    this.settle();
    await this.flush();
  }

  /** Queues a delivery; `holdBack` keeps it to go right after the endpoint's next one. */
  private push(d: Delivery, holdBack = false): void {
    const id = d.endpoint.id;
    const held = this.held.get(id);
    this.pendingCount++;
    if (holdBack && !held) {
      this.held.set(id, d);
      return;
    }
    const q = this.queueOf(id);
    q.push(d);
    if (held) {
      this.held.delete(id);
      q.push(held);
    }
  }

  private queueOf(id: string): Delivery[] {
    let q = this.queues.get(id);
    if (!q) {
      q = [];
      this.queues.set(id, q);
    }
    return q;
  }

  private pump(): void {
    if (this.closed || this.holds > 0) return;
    for (const [id, q] of this.queues) {
      if (this.inFlight >= this.opts.concurrency) break;
      if (this.busy.has(id)) continue;
      const d = q.shift() as Delivery;
      if (q.length === 0) this.queues.delete(id);
      this.pendingCount--;
      this.busy.add(id);
      this.inFlight++;
      void this.deliver(d).finally(() => {
        this.busy.delete(id);
        this.inFlight--;
        this.pump();
        this.settle();
      });
    }
  }

  private settle(): void {
    if (this.pendingCount === 0 && this.inFlight === 0 && this.waiters.length > 0) {
      const w = this.waiters;
      this.waiters = [];
      for (const resolve of w) resolve();
    }
  }

  private async deliver(d: Delivery): Promise<void> {
    const { endpoint, event } = d;
    if (endpoint.meta.deleted || endpoint.doc.status !== 'enabled') return;
    const version = (endpoint.doc.api_version as string | null) ?? d.owner.apiVersion;
    const payload = JSON.stringify(renderEvent(event, version), null, 2);
    const signature = signPayload(payload, endpoint.meta.secret as string, Math.floor(Date.now() / 1000));
    const result = await post(endpoint.doc.url as string, payload, signature, this.requests);
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    this.record(d, result.status, result.error, ok);
    if (ok) {
      event.meta.pending = Math.max(0, event.meta.pending - 1);
      this.delivered++;
      return;
    }
    this.failed++;
    if (d.attempt < this.opts.maxAttempts && !this.closed) {
      const delay = Math.min(MAX_DELAY_MS, this.opts.retryMs * 2 ** (d.attempt - 1));
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.push({ ...d, attempt: d.attempt + 1 });
        this.pump();
      }, delay);
      timer.unref();
      this.timers.add(timer);
    }
  }

  private record(d: Delivery, status: number | null, error: string | null, ok: boolean): void {
    this.log.push({
      event: d.event.id,
      type: d.event.doc.type as string,
      endpoint: d.endpoint.id,
      account: d.acct.id,
      attempt: d.attempt,
      status,
      error,
      ok,
      at: Date.now(),
    });
    // Trimmed by a tenth at a time, not by one at every delivery past the limit (a 10,000-entry
    // move per webhook: issue 18); recentLog() gives the last LOG_LIMIT.
    if (this.log.length > LOG_LIMIT * 1.1) this.log.splice(0, this.log.length - LOG_LIMIT);
  }
}

function post(url: string, payload: string, signature: string, active: Set<http.ClientRequest>): Promise<{ status: number | null; error: string | null }> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ status: null, error: 'invalid url' });
      return;
    }
    const lib = target.protocol === 'https:' ? https : http;
    const req = lib.request(
      target,
      {
        method: 'POST',
        timeout: TIMEOUT_MS,
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(payload),
          'Stripe-Signature': signature,
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'Cache-Control': 'no-cache',
          Accept: '*/*; q=0.5, application/xml',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? null, error: null }));
        res.on('error', (e) => resolve({ status: res.statusCode ?? null, error: e.message }));
      },
    );
    active.add(req);
    req.on('close', () => active.delete(req));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: null, error: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end(payload);
  });
}
