/**
 * The daemon's HTTP server (node:http): `POST /stripe/webhook`, `GET /healthz`, `GET /metrics`.
 *
 * A webhook is verified over the raw bytes with the SDK's own code (300 s tolerance against the
 * WALL clock, Date.now(), never the daemon's clock — which may be fake or follow the emulator —
 * because Stripe stamps `t=` with the time the delivery is sent; the previous secret is accepted
 * too while a rotation is under way) and inserted into the inbox — with the other requests of the
 * same event-loop turn, in one transaction (inbox-writer.ts) — before the 200 is written. A kill -9
 * after the answer therefore loses nothing; a kill before it means Stripe retries. Anything
 * rejected (400/413) stores nothing but a counter.
 *
 * A flood of unsigned requests must not cost a log line and a transaction each: rejections are
 * logged and counted one by one only up to a burst of LOG_BURST (refilled at one a second); the rest
 * are counted in memory, written to the counters table and summed up in one log line per FLUSH_MS.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import type { Store } from '../db/index.js';
import { constructEvent, DEFAULT_WEBHOOK_TOLERANCE_SEC, WebhookSignatureInvalid } from '../stripe/index.js';
import type { DaemonClock } from './clock.js';
import type { TypedEmitter } from './emitter.js';
import { eventFacts } from './event-facts.js';
import { InboxWriter } from './inbox-writer.js';
import type { DaemonMetrics } from './metrics.js';
import type { DaemonEvents, DaemonState } from './types.js';

/** Largest accepted body, bytes (Stripe's events are a few KiB; 1 MiB leaves ample room). */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;
export const WEBHOOK_PATH = '/stripe/webhook';

export interface WebhookServerDeps {
  store: Store;
  /** The daemon's clock; NOT used for signature timestamps (those are checked against Date.now()). */
  clock: DaemonClock;
  metrics: DaemonMetrics;
  events: TypedEmitter<DaemonEvents>;
  logger: Logger;
  state: () => DaemonState;
  /** The health checks (health.ts) for /healthz and the gauges. */
  health: () => { healthy: boolean } & Record<string, unknown>;
  /** A new event is in the inbox (called at most once per NOTIFY_MS, inbox-writer.ts). */
  onEvent: () => void;
  /** Secrets cache lifetime, wall ms (default SECRETS_TTL_MS). */
  secretsTtlMs?: number;
  /** A signing secret for this run only (`recover run --webhook-secret`, e.g. from `stripe listen`). */
  extraSecret?: string;
  /** The Recovery API (src/api/server.ts): every request under `/v1/` is handed to it. */
  api?: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
  /**
   * Receivers of other platforms by path (e.g. `/recharge/webhooks`): each verifies and stores the
   * delivery in the inbox before it returns, so the 200 keeps Stripe's promise (durable first).
   */
  platformRoutes?: Record<string, PlatformReceiver>;
}

export type PlatformReceiver = (
  body: Buffer,
  headers: http.IncomingHttpHeaders,
) => { ok: true; id: string; type: string; inserted: boolean } | { ok: false; reason: string; message: string };

export class TooLarge extends Error {}

/** Rejection counts are written to SQLite (and suppressed log lines summed up) this often, wall ms. */
export const FLUSH_MS = 5000;
/** Rejections logged one by one before the rest are only summed up; refilled at one per second. */
export const LOG_BURST = 10;
/** Open connections at once; more are refused by the kernel's backlog (Stripe delivers with a few). */
export const MAX_CONNECTIONS = 256;
/** Whole request (headers and body) must arrive within this, ms; headers within HEADERS_TIMEOUT_MS. */
export const REQUEST_TIMEOUT_MS = 30_000;
export const HEADERS_TIMEOUT_MS = 10_000;
/** How often Node looks for requests past those timeouts, ms. */
const TIMEOUT_SWEEP_MS = 1000;

/**
 * Rejections counted in memory: one counter write per reason per flush, and log lines from a
 * token bucket (LOG_BURST, one more each second), so a flood costs neither disk nor log volume.
 */
class RejectionTally {
  private pending = new Map<string, number>();
  private suppressed = new Map<string, number>();
  private tokens = LOG_BURST;
  private refilledAt = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly store: Store, private readonly logger: Logger) {
    this.timer = setInterval(() => this.flush(), FLUSH_MS).unref();
  }

  /**
   * Counts one rejection; returns whether it may be logged on its own line. While the bucket has
   * tokens (no flood) the count is written at once; in a flood it waits for the next flush.
   */
  count(reason: string): boolean {
    const t = performance.now();
    this.tokens = Math.min(LOG_BURST, this.tokens + (t - this.refilledAt) / 1000);
    this.refilledAt = t;
    if (this.tokens >= 1) {
      this.tokens--;
      this.write([[reason, 1]]);
      return true;
    }
    this.pending.set(reason, (this.pending.get(reason) ?? 0) + 1);
    this.suppressed.set(reason, (this.suppressed.get(reason) ?? 0) + 1);
    return false;
  }

  private write(counts: Iterable<[string, number]>): void {
    try {
      for (const [reason, n] of counts) this.store.counters.recordWebhookRejection(reason, n);
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'could not count rejected webhooks');
    }
  }

  flush(): void {
    const pending = this.pending;
    this.pending = new Map();
    this.write(pending);
    if (this.suppressed.size === 0) return;
    const byReason = Object.fromEntries(this.suppressed);
    const total = [...this.suppressed.values()].reduce((a, b) => a + b, 0);
    this.suppressed = new Map();
    this.logger.warn({ status: 400, byReason, total }, `webhook rejected ${total} more times (not logged one by one)`);
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

/** How long the signing secrets are cached by default, wall ms: a removed secret stops working within this. */
export const SECRETS_TTL_MS = 1000;

export class WebhookServer {
  private readonly server: http.Server;
  private secretsCache: { at: number; values: string[] } | undefined;
  private readonly tally: RejectionTally;
  private readonly inbox: InboxWriter;

  constructor(private readonly d: WebhookServerDeps) {
    this.tally = new RejectionTally(d.store, d.logger);
    this.inbox = new InboxWriter(d.store, d.onEvent);
    // The timeouts below are enforced by a sweep every connectionsCheckingInterval (Node's default 30 s).
    this.server = http.createServer({ connectionsCheckingInterval: TIMEOUT_SWEEP_MS }, (req, res) => {
      this.route(req, res).catch((e: unknown) => {
        d.logger.error({ err: (e as Error).message }, 'http handler failed');
        if (!res.headersSent) send(res, 500, { error: 'internal error' });
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 65_000; // longer than common proxies' idle timeouts
    // A slow or idle client cannot hold a socket for ever, nor can a crowd of them exhaust file descriptors.
    this.server.maxConnections = MAX_CONNECTIONS;
    this.server.requestTimeout = REQUEST_TIMEOUT_MS;
    this.server.headersTimeout = HEADERS_TIMEOUT_MS;
  }

  listen(port: number, host: string): Promise<{ host: string; port: number; url: string }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const a = this.server.address() as AddressInfo;
        const h = host.includes(':') ? `[${host}]` : host;
        resolve({ host, port: a.port, url: `http://${h}:${a.port}` });
      });
    });
  }

  /** Stops accepting; waits for requests being answered, then drops idle keep-alive sockets. */
  close(): Promise<void> {
    this.tally.close();
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve(this.inbox.close());
      this.server.close(() => resolve(this.inbox.close()));
      this.server.closeIdleConnections();
      setTimeout(() => this.server.closeAllConnections(), 2000).unref();
    });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (this.d.api && path.startsWith('/v1/')) return this.d.api(req, res);
    if (path === WEBHOOK_PATH) {
      if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' }, { Allow: 'POST' });
      return this.webhook(req, res);
    }
    const platform = this.d.platformRoutes?.[path];
    if (platform) {
      if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' }, { Allow: 'POST' });
      return this.platformWebhook(req, res, platform);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, { error: 'method not allowed' }, { Allow: 'GET' });
    if (path === '/healthz') {
      const state = this.d.state();
      const h = this.d.health();
      return send(res, state === 'running' && h.healthy ? 200 : 503, { state, ...h });
    }
    if (path === '/metrics') {
      this.d.health(); // refreshes the recover_health_check gauges
      const text = await this.d.metrics.text();
      res.writeHead(200, { 'Content-Type': this.d.metrics.contentType });
      res.end(text);
      return;
    }
    send(res, 404, { error: 'not found' });
  }

  private async webhook(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const body = await this.body(req, res);
    if (!body) return;
    const header = req.headers['stripe-signature'];
    if (Array.isArray(header))
      return this.reject(res, 400, 'header_malformed', 'more than one Stripe-Signature header');
    const secrets = this.secrets();
    if (secrets.length === 0)
      return this.reject(res, 400, 'no_secret', 'no webhook signing secret configured (run recover onboard stripe)');
    // Decoded once here: the SDK signs and parses the decoded text anyway (node_modules/stripe/cjs/
    // Webhooks.js parseEventDetails, parsePayload), and given bytes it decoded them twice per secret.
    const text = body.toString('utf8');
    let raw: unknown;
    try {
      raw = this.verify(text, header, secrets);
    } catch (e) {
      if (!(e instanceof WebhookSignatureInvalid)) throw e;
      if (e.reason === 'signature_mismatch' && this.secretsCache) {
        // A secret rotated within the cache's lifetime: read them again before refusing.
        this.secretsCache = undefined;
        try {
          raw = this.verify(text, header, this.secrets());
        } catch (e2) {
          if (!(e2 instanceof WebhookSignatureInvalid)) throw e2;
          return this.reject(res, 400, e2.reason, e2.message);
        }
      } else {
        return this.reject(res, 400, e.reason, e.message);
      }
    }
    const f = eventFacts(raw);
    if (!f.id.startsWith('evt_') || f.type === '')
      return this.reject(res, 400, 'payload_not_event', 'not a Stripe event');
    // Stored (committed with its group) before answering: the 200 promises Stripe that the event is durable.
    const inserted = await this.inbox.add({
      id: f.id,
      type: f.type,
      accountId: f.account,
      objectId: f.objectId,
      created: f.created,
      raw: text,
    });
    this.ack(res, started, { id: f.id, type: f.type, inserted });
  }

  private async platformWebhook(req: http.IncomingMessage, res: http.ServerResponse, receive: PlatformReceiver) {
    const started = performance.now();
    const body = await this.body(req, res);
    if (!body) return;
    const r = receive(body, req.headers);
    if (!r.ok) return this.reject(res, 400, r.reason, r.message);
    this.ack(res, started, r);
  }

  /** The raw body, or null once a 413 has been sent for one over MAX_WEBHOOK_BYTES. */
  private async body(req: http.IncomingMessage, res: http.ServerResponse): Promise<Buffer | null> {
    try {
      return await readBody(req, MAX_WEBHOOK_BYTES);
    } catch (e) {
      if (!(e instanceof TooLarge)) throw e;
      this.reject(res, 413, 'payload_too_large', `body over ${MAX_WEBHOOK_BYTES} bytes`, true);
      return null;
    }
  }

  /** The 200 for an event already stored in the inbox, with its metrics and report. */
  private ack(res: http.ServerResponse, started: number, e: { id: string; type: string; inserted: boolean }): void {
    send(res, 200, { received: true, duplicate: !e.inserted });
    this.d.metrics.ackSeconds.observe((performance.now() - started) / 1000);
    if (e.inserted) {
      this.d.metrics.received.inc({ type: e.type });
      this.inbox.notify(); // the loop is told once per NOTIFY_MS, not per event
    } else {
      this.d.metrics.duplicates.inc();
    }
    this.d.events.emit('webhook', { id: e.id, type: e.type, duplicate: !e.inserted });
  }

  /** The current and (during a rotation) previous signing secret, re-read at most once a second. */
  private secrets(): string[] {
    const t = performance.now();
    if (!this.secretsCache || t - this.secretsCache.at > (this.d.secretsTtlMs ?? SECRETS_TTL_MS)) {
      const { secrets } = this.d.store;
      const saved = [secrets.get('webhook_secret'), secrets.get('webhook_secret_previous')];
      this.secretsCache = { at: t, values: [this.d.extraSecret, ...saved].filter((s): s is string => Boolean(s)) };
    }
    return this.secretsCache.values;
  }

  private verify(body: string, header: string | undefined, secrets: string[]): unknown {
    // Wall clock on purpose: the signature's `t=` is when Stripe sent it, not the account's time.
    return constructEvent(body, header, secrets, DEFAULT_WEBHOOK_TOLERANCE_SEC, Math.floor(Date.now() / 1000));
  }

  private reject(res: http.ServerResponse, status: 400 | 413, reason: string, message: string, close = false): void {
    this.d.metrics.rejected.inc({ reason });
    if (this.tally.count(reason)) this.d.logger.warn({ status, reason }, `webhook rejected: ${message}`);
    send(res, status, { error: reason }, close ? { Connection: 'close' } : {});
    this.d.events.emit('rejected', { reason, status });
  }
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Reads the raw body; throws TooLarge as soon as it passes `max` bytes (without buffering the rest). */
export function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    req.resume(); // discard, so the 413 can be written
    return Promise.reject(new TooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > max) {
        done = true;
        req.resume();
        reject(new TooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks, size));
    });
    req.on('error', (e) => {
      if (!done) reject(e);
    });
  });
}
