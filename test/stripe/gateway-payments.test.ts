/**
 * Charging through the gateway: idempotency replay and conflict, declines with every code,
 * and 5xx retries that reuse the idempotency key (checked on the emulator's own logs).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { CardDeclined, IdempotencyConflict, InvalidRequest, NotFound, StripeUnavailable } from '../../src/stripe/index.js';
import { expectNoKeys, gatewayFor, rejection, requestsTo, startSeeded, startWireTap } from './helpers.js';

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

const onWire = (path: string) => tap.requests.filter((r) => r.path === path);

const chargesWithKey = (key: string) => emu.state().charges.filter((c) => c.idempotencyKey === key);

describe('idempotency', () => {
  it('replays the first result for the same key: one charge', async () => {
    const { gw } = gatewayFor(emu);
    const key = 'recover:acct_1MainMerchant:in_pay1:1';
    const first = await gw.invoices.pay('in_pay1', { idempotencyKey: key });
    const second = await gw.invoices.pay('in_pay1', { idempotencyKey: key });
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect(first.invoice.status).toBe('paid');
    expect(second.invoice).toEqual(first.invoice);
    expect(chargesWithKey(key)).toHaveLength(1);
    const log = requestsTo(emu, '/v1/invoices/in_pay1/pay');
    expect(log.map((r) => [r.status, r.replayed, r.idempotencyKey])).toEqual([
      [200, false, key],
      [200, true, key],
    ]);
  });

  it('refuses the same key with other parameters: IdempotencyConflict', async () => {
    const { gw } = gatewayFor(emu);
    const key = 'recover:acct_1MainMerchant:in_pay2:1';
    await gw.invoices.update('in_pay2', { metadata: { recover_managed: 'true' } }, { idempotencyKey: key });
    const err = await rejection(gw.invoices.update('in_pay2', { metadata: { recover_managed: 'false' } }, { idempotencyKey: key }));
    expect(err).toBeInstanceOf(IdempotencyConflict);
    expect(err).toBeInstanceOf(InvalidRequest);
    const e = err as IdempotencyConflict;
    expect(e.reason).toBe('params_mismatch');
    expect(e.statusCode).toBe(400);
    expect(e.call).toMatchObject({ method: 'POST', path: '/v1/invoices/:id', key: 'primary', attempts: 1 });
    // A conflict is not retried.
    expect(requestsTo(emu, '/v1/invoices/in_pay2')).toHaveLength(2);
    expectNoKeys(e);
  });

  it('generates a key for a POST that has none, so POSTs are always keyed', async () => {
    const { gw } = gatewayFor(emu);
    const inv = await gw.invoices.update('in_pay2', { auto_advance: false });
    expect(inv.auto_advance).toBe(false);
    const last = requestsTo(emu, '/v1/invoices/in_pay2').at(-1)!;
    expect(last.idempotencyKey).toMatch(/^recover-auto-[0-9a-f-]{36}$/);
  });
});

describe('declines', () => {
  it('returns CardDeclined with every code, the charge and the payment intent', async () => {
    const { gw } = gatewayFor(emu);
    const key = 'recover:acct_1MainMerchant:in_decline:1';
    const r = await gw.invoices.pay('in_decline', { idempotencyKey: key });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const d = r.decline;
    expect(d).toBeInstanceOf(CardDeclined);
    expect(d).toMatchObject({
      statusCode: 402,
      stripeType: 'card_error',
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      adviceCode: 'try_again_later',
      networkAdviceCode: '24',
      networkDeclineCode: '51',
      requiresAction: false,
    });
    const charge = chargesWithKey(key);
    expect(charge).toHaveLength(1);
    expect(d.chargeId).toBe(charge[0].id);
    expect(d.paymentIntentId).toBe(charge[0].payment_intent);
    expect(d.exitCode).toBe(1);
    expectNoKeys(d);
    // The same attempt retried (e.g. after a crash) replays the decline: still one charge.
    const again = await gw.invoices.pay('in_decline', { idempotencyKey: key });
    expect(!again.ok && again.decline.chargeId).toBe(d.chargeId);
    expect(chargesWithKey(key)).toHaveLength(1);
  });

  it('reports a payment that needs the customer (3-D Secure)', async () => {
    const { gw } = gatewayFor(emu);
    const r = await gw.invoices.pay('in_3ds', { idempotencyKey: 'recover:acct_1MainMerchant:in_3ds:1' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.decline.requiresAction).toBe(true);
  });

  it('throws other errors from pay, e.g. an unknown invoice', async () => {
    const { gw } = gatewayFor(emu);
    const err = await rejection(gw.invoices.pay('in_doesnotexist', { idempotencyKey: 'recover:x:in_doesnotexist:1' }));
    expect(err).toBeInstanceOf(NotFound);
    expect((err as NotFound).code).toBe('resource_missing');
  });

  it('needs an idempotency key for pay', async () => {
    const { gw } = gatewayFor(emu);
    await expect(gw.invoices.pay('in_pay3', { idempotencyKey: '' })).rejects.toThrow(/idempotencyKey/);
  });
});

describe('5xx', () => {
  it('retries a pay with the SAME idempotency key and charges once', async () => {
    // Every request fails until the gateway's first backoff, then Stripe recovers.
    const { gw, rec } = gatewayFor(emu, { apiBase: tap.url, sleep: async () => emu.setFaults({ errorRate: 0 }) });
    emu.setFaults({ errorRate: 1 });
    const key = 'recover:acct_1MainMerchant:in_pay3:1';
    const r = await gw.invoices.pay('in_pay3', { idempotencyKey: key });
    expect(r.ok).toBe(true);
    expect(requestsTo(emu, '/v1/invoices/in_pay3/pay').map((x) => x.status)).toEqual([500, 200]);
    expect(onWire('/v1/invoices/in_pay3/pay').map((x) => [x.status, x.idempotencyKey])).toEqual([
      [500, key],
      [200, key],
    ]);
    expect(chargesWithKey(key)).toHaveLength(1);
    expect(rec.calls.map((c) => [c.status, c.attempt])).toEqual([
      [500, 1],
      [200, 2],
    ]);
    expect(rec.sleeps).toHaveLength(1);
    expect(rec.logs.some((l) => l.level === 'warn' && /retrying/.test(l.msg ?? ''))).toBe(true);
  });

  it('reuses a generated key across retries too', async () => {
    const { gw } = gatewayFor(emu, { apiBase: tap.url, sleep: async () => emu.setFaults({ errorRate: 0 }) });
    emu.setFaults({ errorRate: 1 });
    await gw.invoices.update('in_pay4', { metadata: { recover_managed: 'true' } });
    expect(requestsTo(emu, '/v1/invoices/in_pay4').map((x) => x.status)).toEqual([500, 200]);
    const wire = onWire('/v1/invoices/in_pay4');
    expect(wire.map((x) => x.status)).toEqual([500, 200]);
    expect(wire[0].idempotencyKey).toMatch(/^recover-auto-/);
    expect(wire[1].idempotencyKey).toBe(wire[0].idempotencyKey);
    // The emulator stored the successful request under that key.
    expect(requestsTo(emu, '/v1/invoices/in_pay4').at(-1)?.idempotencyKey).toBe(wire[0].idempotencyKey);
  });

  it('gives up with StripeUnavailable after maxRetries, backing off exponentially', async () => {
    const { gw, rec } = gatewayFor(emu, { apiBase: tap.url, maxRetries: 3, backoffBaseMs: 100, random: () => 1 - 1e-9 });
    emu.setFaults({ errorRate: 1 });
    const key = 'recover:acct_1MainMerchant:in_pay5:1';
    const err = await rejection(gw.invoices.pay('in_pay5', { idempotencyKey: key }));
    expect(err).toBeInstanceOf(StripeUnavailable);
    const e = err as StripeUnavailable;
    expect(e.reason).toBe('server_error');
    expect(e.statusCode).toBe(500);
    expect(e.call?.attempts).toBe(4);
    expect(rec.sleeps.map(Math.round)).toEqual([100, 200, 400]);
    expect(requestsTo(emu, '/v1/invoices/in_pay5/pay').map((x) => x.status)).toEqual([500, 500, 500, 500]);
    expect(onWire('/v1/invoices/in_pay5/pay').map((x) => x.idempotencyKey)).toEqual([key, key, key, key]);
    expect(chargesWithKey(key)).toHaveLength(0);
    expectNoKeys(e);
  });
});

describe('end of dunning', () => {
  it('marks an invoice uncollectible and updates and cancels a subscription', async () => {
    const { gw } = gatewayFor(emu);
    const inv = await gw.invoices.markUncollectible('in_page00');
    expect(inv.status).toBe('uncollectible');
    const sub = await gw.subscriptions.update('sub_pages', { cancel_at_period_end: true, metadata: { recover: 'ended' } });
    expect(sub.cancel_at_period_end).toBe(true);
    const canceled = await gw.subscriptions.cancel('sub_pages', { prorate: true, invoice_now: false });
    expect(canceled.status).toBe('canceled');
    const view = emu.state().subscriptions.find((s) => s.id === 'sub_pages');
    expect(view?.cancellation).toMatchObject({ prorate: true, invoiceNow: false });
  });
});
