/**
 * The request pipeline: control endpoints (`/_emulator/*`, no auth) → token (401) →
 * `X-Recharge-Version` (the emulator speaks 2021-11 only: 400 otherwise) → the token's leaky
 * bucket (429) → route (404) → scope (403, before any lookup, so a write to a missing id is still
 * a 403) → handler. Errors have Recharge's `{"errors": …}` body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { matchRoute } from './routes.js';
import type { RechargeWorld, TokenRow } from './world.js';

export type ControlHandler = (
  method: string,
  path: string,
  query: URLSearchParams,
  body: string,
) => Promise<{ status: number; body: unknown }>;

export interface RequestRecord {
  /** Wall clock, epoch ms. */
  at: number;
  method: string;
  path: string;
  /** Route template, e.g. "POST /charges/:id/process" ("" when none matched). */
  route: string;
  status: number;
  /** The token's last four characters only. */
  tokenTail: string | null;
}

const MAX_BODY = 1024 * 1024;
const LOG_LIMIT = 10_000;

export class RechargeApi {
  readonly log: RequestRecord[] = [];
  readonly byRoute = new Map<string, number>();
  /** Per token: bucket level (calls) and when it was last drained (wall ms). */
  private buckets = new Map<string, { level: number; at: number }>();
  /** Sends `Retry-After` (seconds) on 429 — Recharge's docs do not promise it, so off by default. */
  retryAfter = false;
  /**
   * Injected 500s: the next `failNext` routed API requests are answered 500 — before the handler
   * runs, or after it (`failAfter`: the work is done but the answer is lost, the case a client must
   * not retry blindly).
   */
  failNext = 0;
  failAfter = false;

  constructor(
    private readonly w: RechargeWorld,
    private readonly control: ControlHandler,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname.startsWith('/_emulator/')) {
      const out = await this.control(method, url.pathname, url.searchParams, text);
      return send(res, out.status, out.body);
    }
    const tokenValue = header(req, 'x-recharge-access-token');
    const token = tokenValue ? this.w.tokens.get(tokenValue) : undefined;
    const found = matchRoute(method, url.pathname);
    const record = (status: number) =>
      this.record({
        at: Date.now(),
        method,
        path: url.pathname,
        route: found ? `${method} ${found.route.template}` : '',
        status,
        tokenTail: tokenValue ? tokenValue.slice(-4) : null,
      });
    const fail = (status: number, errors: unknown, headers: Record<string, string> = {}) => {
      record(status);
      return send(res, status, { errors }, headers);
    };
    if (!token) return fail(401, 'A valid API token is required (X-Recharge-Access-Token)');
    const version = header(req, 'x-recharge-version');
    if (version !== '2021-11') {
      return fail(400, `this emulator speaks X-Recharge-Version 2021-11 only (got ${JSON.stringify(version ?? null)})`);
    }
    const wait = this.overflow(tokenValue!, token);
    if (wait !== null) {
      const headers: Record<string, string> = this.retryAfter
        ? { 'Retry-After': String(Math.max(1, Math.ceil(wait / 1000))) }
        : {};
      return fail(429, 'Too many requests: the leaky bucket for this token is full', headers);
    }
    if (!found) return fail(404, `No route for ${method} ${url.pathname}`);
    let body: Record<string, unknown> = {};
    if (text) {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return fail(400, 'the body must be JSON');
      }
    }
    const ctx = { w: this.w, id: found.id, query: url.searchParams, body, token };
    const scopes = typeof found.route.scopes === 'function' ? found.route.scopes(ctx) : found.route.scopes;
    if (scopes.length && !scopes.some((s) => token.scopes.has(s))) {
      return fail(403, `Token does not have the required scope: ${scopes.join(' or ')}`);
    }
    const inject = this.failNext > 0;
    if (inject) this.failNext--;
    if (inject && !this.failAfter) return fail(500, 'emulator: injected server error (before processing)');
    const out = found.route.handle(ctx);
    if (inject) return fail(500, 'emulator: injected server error (after processing)');
    record(out.status);
    return send(res, out.status, out.status === 204 ? undefined : out.body);
  }

  setBucketLevel(token: string, level: number): void {
    this.buckets.set(token, { level, at: Date.now() });
  }

  /** null when the call fits in the token's bucket (and is counted); else ms until it would. */
  private overflow(key: string, token: TokenRow): number | null {
    if (!token.bucket) return null;
    const now = Date.now();
    const b = this.buckets.get(key) ?? { level: 0, at: now };
    const leakPerMs = token.bucket.leakPerSec / 1000;
    b.level = Math.max(0, b.level - (now - b.at) * leakPerMs);
    b.at = now;
    this.buckets.set(key, b);
    if (b.level + 1 > token.bucket.capacity) return (b.level + 1 - token.bucket.capacity) / leakPerMs;
    b.level += 1;
    return null;
  }

  private record(r: RequestRecord): void {
    this.log.push(r);
    if (r.route) this.byRoute.set(r.route, (this.byRoute.get(r.route) ?? 0) + 1);
    if (this.log.length > LOG_LIMIT * 1.1) this.log.splice(0, this.log.length - LOG_LIMIT);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { 'Content-Type': 'application/json' } : {}), ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
