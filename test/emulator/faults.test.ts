import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { Faults } from '../../src/emulator/faults.js';
import { sdk, smallMerchant, start, stripeError } from './helpers.js';

describe('fault injection', () => {
  it('the per-key rate limit is a token bucket on the clock it is given (no wall-clock second involved)', () => {
    const f = new Faults({ rateLimitPerSec: 5 });
    const at = (ms: number, n: number) => Array.from({ length: n }, () => f.allow('k', ms));
    expect(at(0, 6)).toEqual([true, true, true, true, true, false]); // a burst of 5, then 429
    expect(at(199, 1)).toEqual([false]); // 0.995 tokens refilled after 199 ms
    expect(at(200, 2)).toEqual([true, false]); // one token per 200 ms at 5/s
    expect(at(5_000, 6)).toEqual([true, true, true, true, true, false]); // refilled to the burst, not beyond
    expect(f.allow('other', 200)).toBe(true); // per key
  });

  it('answers 429 with Stripe\'s rate_limit error over the per-key rate', async () => {
    // 2/s: of 12 requests at once, at most 2 + 2 per second they take pass; the bucket's arithmetic
    // is the test above, this one is the answer's shape through the SDK.
    const emu = await start({ seed: smallMerchant(), rateLimitPerSec: 2 });
    const a = sdk(emu, 'sk_test_a');
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => a.invoices.retrieve('in_ada_open')));
    const limited = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited[0]).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(limited[0].statusCode).toBe(429);
    expect(limited[0].code).toBe('rate_limit');
    expect(limited[0].message).toMatch(/^Testmode request rate limit exceeded/);
    // Per key: another key still has its whole budget.
    await sdk(emu, 'sk_test_b').invoices.retrieve('in_ada_open');
    emu.setFaults({ rateLimitPerSec: 0 });
    await Promise.all(Array.from({ length: 20 }, () => a.invoices.retrieve('in_ada_open')));
  });

  it('injects 500s before doing anything', async () => {
    const emu = await start({ seed: smallMerchant(), errorRate: 1 });
    const stripe = sdk(emu);
    const err = await stripeError(stripe.invoices.pay('in_alan_open', {}, { idempotencyKey: 'try-1' }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(err.statusCode).toBe(500);
    expect(emu.state().charges.filter((c) => c.idempotencyKey === 'try-1')).toHaveLength(0);
    emu.setFaults({ errorRate: 0 });
    // The failed attempt stored nothing: the same key now runs the request.
    const paid = await stripeError(stripe.invoices.pay('in_alan_open', {}, { idempotencyKey: 'try-1' }));
    expect(paid.statusCode).toBe(402);
    emu.setFaults({ errorRate: 0.5 });
    const mixed = await Promise.allSettled(Array.from({ length: 40 }, () => stripe.invoices.retrieve('in_ada_open')));
    const failed = mixed.filter((r) => r.status === 'rejected').length;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(35);
  });

  it('the SDK retries injected 500s with the same idempotency key', async () => {
    const emu = await start({ seed: smallMerchant(), errorRate: 0.6 });
    const stripe = sdk(emu, 'sk_test_retry', { maxNetworkRetries: 8 });
    const inv = await stripe.invoices.update('in_ada_open', { metadata: { r: '1' } }, { idempotencyKey: 'retry-me' });
    expect(inv.metadata).toMatchObject({ r: '1' });
    const log = emu.state().requests.log.filter((r) => r.idempotencyKey === 'retry-me');
    expect(log.length).toBeGreaterThanOrEqual(1);
    expect(log.at(-1)!.status).toBe(200);
  });

  it('adds latency to every response', async () => {
    const emu = await start({ seed: smallMerchant(), latencyMs: 60 });
    const t0 = performance.now();
    await sdk(emu).invoices.retrieve('in_ada_open');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    emu.setFaults({ latencyMs: 0 });
  });

  it('is driven over HTTP by POST /_emulator/faults', async () => {
    const emu = await start({ seed: smallMerchant() });
    const res = await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ errorRate: 1 }) });
    expect(await res.json()).toMatchObject({ errorRate: 1, latencyMs: 0, rateLimitPerSec: null });
    expect((await stripeError(sdk(emu).invoices.list())).statusCode).toBe(500);
    const bad = await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ errorRate: 2 }) });
    expect(bad.status).toBe(400);
  });
});
