import { describe, expect, it } from 'vitest';
import { CONNECTED, sdk, smallMerchant, start, stripeError } from './helpers.js';

describe('idempotency keys', () => {
  it('replays the stored response for the same key and parameters', async () => {
    const emu = await start({ seed: smallMerchant() });
    const stripe = sdk(emu);
    const key = 'recover:acct:in_ada_open:1';
    const first = await stripe.invoices.update('in_ada_open', { metadata: { recover_managed: 'true' } }, { idempotencyKey: key });
    const again = await stripe.invoices.update('in_ada_open', { metadata: { recover_managed: 'true' } }, { idempotencyKey: key });
    expect(again).toEqual(first);
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(again.lastResponse.requestId).not.toBe(first.lastResponse.requestId);
    const log = emu.state().requests.log.filter((r) => r.idempotencyKey === key);
    expect(log.map((r) => r.replayed)).toEqual([false, true]);
  });

  it('replays a declined pay without charging again (402 included)', async () => {
    const emu = await start({ seed: smallMerchant() });
    const stripe = sdk(emu);
    const key = 'recover:main:in_alan_open:2';
    const a = await stripeError(stripe.invoices.pay('in_alan_open', {}, { idempotencyKey: key }));
    const b = await stripeError(stripe.invoices.pay('in_alan_open', {}, { idempotencyKey: key }));
    expect(a.statusCode).toBe(402);
    expect(b.statusCode).toBe(402);
    expect(b.charge).toBe(a.charge);
    const charges = emu.state().charges.filter((c) => c.idempotencyKey === key);
    expect(charges).toHaveLength(1);
    // A manual pay after the first attempt does not count (SDK Invoice.attempt_count doc): still 1.
    expect((await stripe.invoices.retrieve('in_alan_open')).attempt_count).toBe(1);
  });

  it('refuses the same key with other parameters (Stripe idempotency_error)', async () => {
    const emu = await start({ seed: smallMerchant() });
    const stripe = sdk(emu);
    await stripe.invoices.update('in_ada_open', { auto_advance: false }, { idempotencyKey: 'k1' });
    const err = await stripeError(stripe.invoices.update('in_ada_open', { auto_advance: true }, { idempotencyKey: 'k1' }));
    expect(err.type).toBe('StripeIdempotencyError');
    expect(err.statusCode).toBe(400);
    expect(err.message).toBe(
      "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than 'k1' if you meant to execute a different request.",
    );
    const otherPath = await stripeError(stripe.invoices.update('in_grace_open', { auto_advance: false }, { idempotencyKey: 'k1' }));
    expect(otherPath.type).toBe('StripeIdempotencyError');
  });

  it('answers 409 while a request with the same key is still in flight', async () => {
    const emu = await start({ seed: smallMerchant(), latencyMs: 150 });
    const stripe = sdk(emu);
    const results = await Promise.allSettled([
      stripe.invoices.update('in_ada_open', { metadata: { a: '1' } }, { idempotencyKey: 'same' }),
      new Promise((r) => setTimeout(r, 40)).then(() => stripe.invoices.update('in_ada_open', { metadata: { a: '1' } }, { idempotencyKey: 'same' })),
    ]);
    expect(results[0].status).toBe('fulfilled');
    const second = results[1] as PromiseRejectedResult;
    expect(second.status).toBe('rejected');
    expect(second.reason.statusCode).toBe(409);
    // The SDK types a 409 as StripeAPIError (and retries it when maxNetworkRetries > 0).
    expect(second.reason.rawType).toBe('idempotency_error');
    expect(second.reason.message).toMatch(/^There is currently another in-progress request using this Idempotent Key/);
  });

  it('scopes keys per account and does not store validation errors', async () => {
    const emu = await start({ seed: smallMerchant() });
    const stripe = sdk(emu);
    await stripe.invoices.update('in_ada_open', { metadata: { x: '1' } }, { idempotencyKey: 'shared' });
    const connected = await stripe.invoices.update('in_frances_open', { metadata: { x: '1' } }, { idempotencyKey: 'shared', stripeAccount: CONNECTED });
    expect(connected.id).toBe('in_frances_open');
    const missing = await stripeError(stripe.invoices.update('in_missing', { metadata: { x: '1' } }, { idempotencyKey: 'v1' }));
    expect(missing.statusCode).toBe(404);
    // The 404 was not stored: the same key may now be used for a request that works.
    const ok = await stripe.invoices.update('in_ada_open', { metadata: { y: '1' } }, { idempotencyKey: 'v1' });
    expect(ok.metadata).toMatchObject({ y: '1' });
  });
});
