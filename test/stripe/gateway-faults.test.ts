/** Rate limits, key fallback, timeouts, connection errors and bad keys, against the emulator. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { AuthenticationFailed, RateLimited, StripeUnavailable, createGateway } from '../../src/stripe/index.js';
import { FALLBACK, PRIMARY, UNKNOWN, expectNoKeys, gatewayFor, rejection, requestsTo, startSeeded, startWireTap, tail } from './helpers.js';

let emu: Emulator;
/** Records the headers the SDK sent (the emulator's own log omits the key of requests it refused early). */
let tap: Awaited<ReturnType<typeof startWireTap>>;
beforeAll(async () => {
  emu = await startSeeded();
  tap = await startWireTap(emu.url);
});
afterEach(() => emu.setFaults({ errorRate: 0, latencyMs: 0, rateLimitPerSec: null }));
afterAll(async () => {
  await tap?.close();
  await emu?.close();
});

describe('429', () => {
  it('retries the call with the fallback key, same idempotency key, and slows the limiter', async () => {
    const { gw, rec } = gatewayFor(emu, { apiBase: tap.url, fallbackKey: FALLBACK });
    // One request per second per key: the second call within the second is refused for the primary.
    emu.setFaults({ rateLimitPerSec: 1 });
    await gw.invoices.retrieve('in_page01');
    const inv = await gw.invoices.update('in_page02', { metadata: { recover_managed: 'true' } }, { idempotencyKey: 'k-429' });
    expect(inv.metadata?.recover_managed).toBe('true');
    expect(requestsTo(emu, '/v1/invoices/in_page02').map((r) => [r.status, r.keyTail])).toEqual([
      [429, tail(PRIMARY)],
      [200, tail(FALLBACK)],
    ]);
    const wire = tap.requests.filter((r) => r.path === '/v1/invoices/in_page02');
    expect(wire.map((r) => [r.status, r.keyTail, r.idempotencyKey])).toEqual([
      [429, tail(PRIMARY), 'k-429'],
      [200, tail(FALLBACK), 'k-429'],
    ]);
    expect(rec.calls.slice(1).map((c) => [c.status, c.key])).toEqual([
      [429, 'primary'],
      [200, 'fallback'],
    ]);
    // The switch to the fallback waits only a short, jittered moment (≤ backoffBase / 5).
    expect(rec.sleeps.some((ms) => ms > 0 && ms <= 100)).toBe(true);
    expect(rec.logs.some((l) => l.level === 'warn' && /fallback key/.test(l.msg ?? ''))).toBe(true);
  });

  it('throws RateLimited when every key stays limited', async () => {
    const { gw } = gatewayFor(emu, { fallbackKey: FALLBACK, maxRetries: 2, backoffBaseMs: 1 });
    emu.setFaults({ rateLimitPerSec: 1 });
    await gw.invoices.retrieve('in_page01'); // primary's token
    await gw.invoices.retrieve('in_page02'); // primary 429 → fallback's token
    const err = await rejection(gw.invoices.retrieve('in_page03'));
    expect(err).toBeInstanceOf(RateLimited);
    const e = err as RateLimited;
    expect(e.statusCode).toBe(429);
    expect(e.call).toMatchObject({ key: 'primary', attempts: 3 });
    const keys = requestsTo(emu, '/v1/invoices/in_page03').map((r) => [r.status, r.keyTail]);
    expect(keys).toEqual([
      [429, tail(PRIMARY)],
      [429, tail(FALLBACK)],
      [429, tail(PRIMARY)],
    ]);
    expectNoKeys(e);
  });

  it('without a fallback key, backs off and retries the primary', async () => {
    const { gw, rec } = gatewayFor(emu, { backoffBaseMs: 1 });
    emu.setFaults({ rateLimitPerSec: 1 });
    await gw.invoices.retrieve('in_page04');
    const err = await rejection(gw.invoices.retrieve('in_page05'));
    expect(err).toBeInstanceOf(RateLimited);
    expect(rec.calls.slice(1).every((c) => c.key === 'primary' && c.status === 429)).toBe(true);
    expect(rec.calls).toHaveLength(1 + 5);
  });
});

describe('timeouts and connection errors', () => {
  it('retries a timed-out request, then reports StripeUnavailable(timeout)', async () => {
    const { gw, rec } = gatewayFor(emu, { timeoutMs: 50, maxRetries: 1 });
    emu.setFaults({ latencyMs: 300 });
    const err = await rejection(gw.invoices.retrieve('in_page06'));
    expect(err).toBeInstanceOf(StripeUnavailable);
    expect((err as StripeUnavailable).reason).toBe('timeout');
    expect((err as StripeUnavailable).statusCode).toBe(0);
    expect(rec.calls.map((c) => c.status)).toEqual([0, 0]);
  });

  it('reports StripeUnavailable(connection) when nothing listens', async () => {
    const gw = createGateway({ primaryKey: PRIMARY, apiBase: 'http://127.0.0.1:1', maxRetries: 1, sleep: async () => {} });
    const err = await rejection(gw.charges.list({ limit: 1 }));
    expect(err).toBeInstanceOf(StripeUnavailable);
    expect((err as StripeUnavailable).reason).toBe('connection');
    expect((err as StripeUnavailable).call?.attempts).toBe(2);
    expectNoKeys(err);
  });
});

describe('401', () => {
  it('maps an unknown key to AuthenticationFailed without retrying, key redacted', async () => {
    const { gw, rec } = gatewayFor(emu, { primaryKey: UNKNOWN });
    const err = await rejection(gw.customers.list({ limit: 1 }));
    expect(err).toBeInstanceOf(AuthenticationFailed);
    expect((err as AuthenticationFailed).statusCode).toBe(401);
    expect(err.message).toMatch(/Invalid API Key/);
    expect(rec.calls).toHaveLength(1);
    expect((err as AuthenticationFailed).exitCode).toBe(1);
    expectNoKeys(err);
    expectNoKeys(rec.logs);
  });
});
