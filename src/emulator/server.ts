import type { IncomingMessage, ServerResponse } from 'node:http';
import qs from 'qs';
import {
  ApiError,
  accountAccessError,
  authError,
  idempotencyInFlight,
  idempotencyMismatch,
  injectedServerError,
  invalidRequest,
  permissionError,
  rateLimitError,
  unknownRoute,
} from './api-error.js';
import type { Faults } from './faults.js';
import { IdempotencyStore } from './idempotency.js';
import { IdGen } from './ids.js';
import { canonical, type Params } from './params.js';
import { matchRoute, requiredPermission, type Match } from './routes/index.js';
import type { RouteCtx } from './routes/common.js';
import { RequestLog } from './request-log.js';
import { API_VERSION, type AccountState, type World } from './world.js';

/**
 * The request pipeline, in Stripe's order: authenticate (401) → per-key rate limit (429) →
 * injected 5xx → Stripe-Account scope (403) → route (404) → restricted-key permission (403,
 * checked before any lookup, so a write to a missing id is still a 403) → idempotency replay /
 * conflict (400) / in flight (409) → latency → handler. Every response carries `Request-Id` and
 * `Stripe-Version`; errors carry `request_log_url`.
 */
/** `contentType` set: `body` is sent as is (the hosted Checkout page's HTML), else as JSON. */
export type ControlHandler = (
  method: string, path: string, query: string, body: string,
) => Promise<{ status: number; body: unknown; contentType?: string }>;

interface Prepared {
  keyTail: string | null;
  acct: AccountState | null;
  match: Match | null;
  params: Params;
  idemScope: string | null;
  idemKey: string | null;
  onBehalf: boolean;
}

const MAX_BODY = 10 * 1024 * 1024;

export class ApiServer {
  readonly idempotency = new IdempotencyStore();
  readonly requests = new RequestLog();
  private readonly requestIds = new IdGen(0x7e9);

  constructor(
    private readonly world: World,
    private readonly faults: Faults,
    private readonly control: ControlHandler,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname.startsWith('/_emulator/')) {
      const out = await this.control(method, url.pathname, url.search.slice(1), body);
      if (out.contentType) return send(res, out.status, String(out.body), { 'Content-Type': out.contentType });
      return send(res, out.status, JSON.stringify(out.body), {});
    }
    const requestId = this.requestIds.next('req', 14);
    const headers: Record<string, string> = {
      'Request-Id': requestId,
      'Stripe-Version': headerOf(req, 'stripe-version') ?? API_VERSION,
    };
    const prep: Prepared = { keyTail: null, acct: null, match: null, params: {}, idemScope: null, idemKey: null, onBehalf: false };
    let status = 200;
    let text: string;
    let replayed = false;
    let early: { status: number; body: string } | null = null;
    let refused: unknown = null;
    try {
      early = this.prepare(req, method, url, body, prep);
    } catch (e) {
      refused = e;
    }
    // Latency applies to every response, refusals included; a request with an Idempotency-Key
    // is "in flight" meanwhile (a duplicate gets 409).
    if (this.faults.settings.latencyMs > 0) await sleep(this.faults.settings.latencyMs);
    try {
      if (refused) throw refused;
      if (early) {
        status = early.status;
        text = early.body;
        replayed = true;
        headers['Idempotent-Replayed'] = 'true';
      } else {
        const ctx: RouteCtx = {
          world: this.world,
          acct: prep.acct!,
          params: prep.params,
          pathParams: prep.match!.pathParams,
          origin: { requestId, idempotencyKey: prep.idemKey },
          requestLogUrl: logUrl(requestId, this.world.nowSec()),
          onBehalf: prep.onBehalf,
        };
        text = JSON.stringify(prep.match!.route.handler(ctx));
      }
    } catch (e) {
      const err = e instanceof ApiError ? e : internal(e);
      status = err.status;
      Object.assign(headers, err.headers);
      text = JSON.stringify({ error: { ...err.body, request_log_url: logUrl(requestId, this.world.nowSec()) } });
    }
    if (prep.idemScope) {
      if (!replayed && (status < 400 || status === 402)) {
        this.idempotency.put(prep.idemScope, {
          signature: signatureOf(method, url.pathname, prep.params),
          status,
          body: text,
          storedAt: this.world.nowMs(),
        });
      }
      this.idempotency.end(prep.idemScope);
    }
    if (prep.idemKey) headers['Idempotency-Key'] = prep.idemKey;
    if (prep.onBehalf && prep.acct) headers['Stripe-Account'] = prep.acct.id;
    this.requests.add({
      at: Date.now(),
      method,
      path: url.pathname,
      route: prep.match ? `${prep.match.route.method} ${prep.match.route.path}` : '',
      status,
      keyTail: prep.keyTail,
      account: prep.acct?.id ?? null,
      idempotencyKey: prep.idemKey,
      replayed,
      requestId,
    });
    send(res, status, text, headers);
  }

  /** Everything before the handler; returns a stored response to replay, or null. */
  private prepare(req: IncomingMessage, method: string, url: URL, body: string, prep: Prepared): { status: number; body: string } | null {
    const key = apiKey(req);
    prep.keyTail = key ? key.slice(-4) : null;
    const perms = key ? this.permissionsOf(key) : undefined;
    if (!key || perms === undefined) throw authError(key);
    if (!this.faults.allow(key)) throw rateLimitError();
    if (this.faults.injectError()) throw injectedServerError();

    const header = headerOf(req, 'stripe-account');
    let acct: AccountState = this.world.main;
    if (header) {
      const target = this.world.accounts.get(header);
      if (!target) throw accountAccessError(key, header);
      acct = target;
      prep.onBehalf = true;
    }
    prep.acct = acct;
    const match = matchRoute(method, url.pathname);
    if (!match) throw unknownRoute(method, url.pathname);
    prep.match = match;
    if (perms !== null) {
      const { needed, alsoOk } = requiredPermission(match.route);
      if (!perms.has(needed) && !(alsoOk && perms.has(alsoOk))) throw permissionError(key, acct.id, needed);
    }
    prep.params = parseParams(method, url, body, headerOf(req, 'content-type'));
    const idemKey = method === 'POST' ? headerOf(req, 'idempotency-key') : null;
    if (!idemKey) return null;
    if (idemKey.length > 255) throw invalidRequest('Idempotency-Key must be at most 255 characters long.', 'Idempotency-Key');
    prep.idemKey = idemKey;
    const scope = IdempotencyStore.scope(acct.id, idemKey);
    const stored = this.idempotency.get(scope, this.world.nowMs());
    if (stored) {
      if (stored.signature !== signatureOf(method, url.pathname, prep.params)) throw idempotencyMismatch(idemKey);
      return { status: stored.status, body: stored.body };
    }
    if (this.idempotency.isInFlight(scope)) throw idempotencyInFlight(idemKey);
    this.idempotency.begin(scope);
    prep.idemScope = scope;
    return null;
  }

  /** null = full access (any sk_test_ key); a Set = a restricted key's permissions; undefined = unknown key. */
  private permissionsOf(key: string): Set<string> | null | undefined {
    const declared = this.world.keys.get(key);
    if (declared) return declared;
    return /^sk_test_\w+$/.test(key) ? null : undefined;
  }
}

function signatureOf(method: string, path: string, params: Params): string {
  return `${method} ${path} ${canonical(params)}`;
}

function parseParams(method: string, url: URL, body: string, contentType: string | null): Params {
  const opts = { depth: 10, arrayLimit: 1000, parameterLimit: 10_000 };
  const query = url.search.length > 1 ? (qs.parse(url.search.slice(1), opts) as Params) : {};
  if (method !== 'POST' || body === '') return query;
  if (contentType && contentType.includes('application/json')) {
    try {
      return { ...query, ...(JSON.parse(body) as Params) };
    } catch {
      throw invalidRequest('Invalid JSON body');
    }
  }
  return { ...query, ...(qs.parse(body, opts) as Params) };
}

/** `Authorization: Bearer KEY` (the SDK) or Basic auth with the key as user name (curl -u). */
function apiKey(req: IncomingMessage): string | null {
  const h = headerOf(req, 'authorization');
  if (!h) return null;
  const bearer = /^Bearer\s+(.+)$/i.exec(h);
  if (bearer) return bearer[1].trim();
  const basic = /^Basic\s+(.+)$/i.exec(h);
  if (basic) return Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0];
  return h.trim();
}

function headerOf(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  if (Array.isArray(v)) return v[0] ?? null;
  return v ?? null;
}

function logUrl(requestId: string, sec: number): string {
  return `https://dashboard.stripe.com/test/logs/${requestId}?t=${sec}`;
}

function internal(e: unknown): ApiError {
  const message = e instanceof Error ? e.message : String(e);
  return new ApiError(500, { type: 'api_error', message: `emulator internal error: ${message}` });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Access-Control-Allow-Origin': '*',
    ...headers,
  });
  res.end(text);
}
