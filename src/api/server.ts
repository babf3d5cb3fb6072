/**
 * The Recovery API over HTTP (`/v1/…` on `recover run`'s port; the daemon's server hands every
 * `/v1/` request here). Per request: bearer key → per-key rate limit → body (≤ 64 KiB) → JSON →
 * zod → Idempotency-Key replay or 409 → the work, whose answer is stored in the same transaction
 * before it is sent. Every answer is JSON; errors use Stripe's envelope (errors.ts); every body
 * is redacted on the way out, so no key can leave through an echo.
 */
import type http from 'node:http';
import type { z } from 'zod';
import type { Store } from '../db/index.js';
import type { Logger } from '../log.js';
import { redactValue } from '../redact.js';
import { addPulse, apiCase, cancelRecovery, updatePaymentMethod, type Answer } from './actions.js';
import { ApiError, fromZod, notFound } from './errors.js';
import { authenticate, sha256Hex } from './keys.js';
import { KeyRateLimiter } from './rate-limit.js';
import { cancelBody, createRecoveryBody, paymentMethodUpdateBody, pulseBody } from './schemas.js';
import { buildView, recoveryId } from './view.js';
import type { ApiKey } from '../db/index.js';
import type { RecoveryService } from './service.js';
import { readBody, TooLarge } from '../daemon/webhook-server.js';

/** Largest request body, bytes: a recovery is well under 2 KiB, metadata included. */
export const MAX_API_BODY_BYTES = 64 * 1024;
/** last_used_at is written at most this often per key, wall ms (not one write per request). */
const TOUCH_EVERY_MS = 60_000;

export interface ApiServerDeps {
  store: Store;
  logger: Logger;
  service: RecoveryService;
  limiter?: KeyRateLimiter;
}

interface Req {
  method: string;
  path: string;
  query: URLSearchParams;
  key: ApiKey;
  idempotencyKey: string | null;
  raw: Buffer;
}

export class ApiServer {
  private readonly limiter: KeyRateLimiter;
  private readonly touched = new Map<number, number>();

  constructor(private readonly d: ApiServerDeps) {
    this.limiter = d.limiter ?? new KeyRateLimiter();
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const a = await this.answer(req);
      send(res, a.status, a.body, a.headers);
    } catch (e) {
      const err = e instanceof ApiError ? e : internal(e, this.d.logger);
      if (err.status === 413) req.resume();
      send(res, err.status, err.body(), { ...err.headers, ...(err.status === 413 ? { Connection: 'close' } : {}) });
    }
  }

  private async answer(req: http.IncomingMessage): Promise<Answer & { headers?: Record<string, string> }> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const key = this.auth(req);
    const wait = this.limiter.take(key.id);
    if (wait > 0) {
      throw new ApiError(
        429,
        'rate_limit_error',
        'rate_limit',
        `too many requests for this key; retry in ${wait} s`,
        undefined,
        { 'Retry-After': String(wait) },
      );
    }
    this.touch(key);
    const idem = req.headers['idempotency-key'];
    if (Array.isArray(idem)) throw invalid('more than one Idempotency-Key header', 'Idempotency-Key');
    if (idem !== undefined && (idem.length < 1 || idem.length > 255)) {
      throw invalid(`Idempotency-Key must be 1 to 255 characters (got ${idem.length})`, 'Idempotency-Key');
    }
    const raw = await readBody(req, MAX_API_BODY_BYTES).catch((e: unknown) => {
      if (e instanceof TooLarge) {
        throw new ApiError(
          413,
          'invalid_request_error',
          'body_too_large',
          `request body over ${MAX_API_BODY_BYTES} bytes (the limit)`,
        );
      }
      throw e;
    });
    const r: Req = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      key,
      idempotencyKey: idem ?? null,
      raw,
    };
    if (r.method === 'POST' && r.idempotencyKey) {
      const seen = this.d.store.apiRequests.get(key.id, r.idempotencyKey);
      if (seen) return replay(seen, r);
    }
    try {
      return await this.route(r);
    } catch (e) {
      // Two requests with one key at once: the second's insert of the same key lost the race.
      if (r.idempotencyKey && (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        const seen = this.d.store.apiRequests.get(key.id, r.idempotencyKey);
        if (seen) return replay(seen, r);
      }
      throw e;
    }
  }

  private auth(req: http.IncomingMessage): ApiKey {
    const h = req.headers.authorization;
    const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
    if (!m) {
      throw new ApiError(
        401,
        'authentication_error',
        'api_key_missing',
        'no API key: send Authorization: Bearer rcv_test_… (recover api-keys create)',
        undefined,
        { 'WWW-Authenticate': 'Bearer' },
      );
    }
    const key = authenticate(this.d.store, m[1]!);
    if (!key) {
      throw new ApiError(
        401,
        'authentication_error',
        'api_key_invalid',
        'invalid API key (unknown or revoked; accepted: an active rcv_test_… or rcv_live_… key)',
        undefined,
        { 'WWW-Authenticate': 'Bearer' },
      );
    }
    return key;
  }

  private touch(key: ApiKey): void {
    const t = Date.now();
    if (t - (this.touched.get(key.id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(key.id, t);
    this.d.store.apiKeys.touch(key.id, this.d.service.now());
  }

  private async route(r: Req): Promise<Answer> {
    const { store, service } = this.d;
    const remember = (status: number, body: unknown, caseId: number | null) => {
      if (!r.idempotencyKey) return;
      store.apiRequests.record({
        apiKeyId: r.key.id,
        idempotencyKey: r.idempotencyKey,
        method: r.method,
        path: r.path,
        bodyHash: sha256Hex(r.raw),
        status,
        response: JSON.stringify(body),
        caseId,
        at: service.now(),
      });
    };
    const seg = r.path.split('/').filter(Boolean); // ['v1', 'recoveries', ':id', 'cancel']
    const is = (method: string, n: number, ...fixed: Array<string | null>) =>
      r.method === method && seg.length === n && fixed.every((f, i) => f === null || seg[i] === f);
    if (is('POST', 2, 'v1', 'recoveries')) {
      if (!r.idempotencyKey) {
        throw invalid(
          'POST /v1/recoveries needs an Idempotency-Key header (any unique string, ≤ 255 chars)',
          'Idempotency-Key',
        );
      }
      const body = parse(createRecoveryBody, r.raw);
      return service.create(body, r.key.id, r.idempotencyKey, remember);
    }
    if (is('GET', 2, 'v1', 'recoveries')) {
      const k = r.query.get('idempotency_key');
      if (!k)
        throw invalid(
          'GET /v1/recoveries needs ?idempotency_key=… (the key the recovery was created with)',
          'idempotency_key',
        );
      const found = store.apiRecoveries.byIdempotencyKey(r.key.id, k);
      const c = found && store.cases.get(found.caseId);
      return { status: 200, body: { object: 'list', data: c ? [buildView(store, c, found)] : [] }, caseId: null };
    }
    if (is('GET', 3, 'v1', 'recoveries', null)) {
      const c = apiCase(store, seg[2]!);
      return { status: 200, body: buildView(store, c, store.apiRecoveries.get(c.id)), caseId: c.id };
    }
    if (is('POST', 4, 'v1', 'recoveries', null, 'cancel')) {
      const body = parse(cancelBody, r.raw, true);
      return cancelRecovery(store, seg[2]!, body.reason, service.now(), remember);
    }
    if (is('POST', 2, 'v1', 'payment-method-updates')) {
      const body = parse(paymentMethodUpdateBody, r.raw);
      const a = updatePaymentMethod(service.deps(), body.customerId, body.token, remember);
      service.wake();
      return a;
    }
    if (is('POST', 2, 'v1', 'pulses')) {
      return addPulse(store, parse(pulseBody, r.raw), service.now(), remember);
    }
    if (
      seg[0] === 'v1' &&
      ['recoveries', 'payment-method-updates', 'pulses'].includes(seg[1] ?? '') &&
      seg.length <= 4
    ) {
      throw new ApiError(405, 'invalid_request_error', 'method_not_allowed', `${r.method} ${r.path} is not supported`);
    }
    throw notFound(`endpoint: ${r.method} ${r.path} (see docs/api.md)`);
  }
}

export { recoveryId };

function invalid(message: string, param?: string): ApiError {
  return new ApiError(400, 'invalid_request_error', 'parameter_invalid', message, param);
}

function replay(seen: { method: string; path: string; bodyHash: string; status: number; response: string }, r: Req) {
  if (seen.method !== r.method || seen.path !== r.path || seen.bodyHash !== sha256Hex(r.raw)) {
    throw new ApiError(
      409,
      'idempotency_error',
      'idempotency_key_in_use',
      `Idempotency-Key ${r.idempotencyKey} was used with another request (${seen.method} ${seen.path}` +
        `${seen.path === r.path ? ', another body' : ''}); use a new key for a new request`,
      'Idempotency-Key',
    );
  }
  return {
    status: seen.status,
    body: JSON.parse(seen.response) as unknown,
    caseId: null,
    headers: { 'Idempotent-Replayed': 'true' },
  };
}

function parse<S extends z.ZodType>(schema: S, raw: Buffer, emptyOk = false): z.infer<S> {
  let json: unknown;
  const text = raw.toString('utf8');
  if (text.trim() === '' && emptyOk) json = {};
  else {
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiError(
        400,
        'invalid_request_error',
        'body_invalid_json',
        'the body is not JSON (accepted: a JSON object, Content-Type: application/json)',
      );
    }
  }
  const p = schema.safeParse(json);
  if (!p.success) throw fromZod(p.error, json);
  return p.data;
}

function internal(e: unknown, logger: Logger): ApiError {
  logger.error({ err: (e as Error).message }, 'api request failed');
  return new ApiError(
    500,
    'api_error',
    'internal',
    'recover could not complete the request; retry with the same Idempotency-Key',
  );
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  const text = JSON.stringify(redactValue(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
