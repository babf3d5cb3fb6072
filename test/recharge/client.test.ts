/**
 * The typed Recharge client against the Recharge emulator over HTTP (no mocks). Sources for the
 * behaviour held to: docs.getrecharge.com/docs/api-rate-limits (leaky bucket 40 / 2 per second,
 * 429), docs.getrecharge.com/docs/using-cursor-pagination-with-the-recharge-api (limit ≤ 250,
 * next_cursor / previous_cursor), developer.rechargepayments.com (X-Recharge-Access-Token),
 * docs.rechargepayments.com/docs/charges (/charges/{id}/process is a Pro feature).
 */
import { describe, expect, it } from 'vitest';
import { chargeAmountMinor, RechargeClient } from '../../src/connectors/recharge/client.js';
import {
  AuthenticationFailed,
  NotFound,
  PlanRequired,
  RateLimited,
  RechargeUnavailable,
  ScopeMissing,
} from '../../src/connectors/recharge/errors.js';
import { scopeVerdicts } from '../../src/connectors/recharge/types.js';
import { minorFromDecimal } from '../../src/money.js';
import { redactText } from '../../src/redact.js';
import { DAY_MS } from '../../src/clock.js';
import { client, control, emulator } from './helpers.js';

describe('Recharge client', () => {
  it('lists errored charges across cursor pages, then gets and processes one', async () => {
    const emu = await emulator({ generate: { customers: 300, rngSeed: 7 } });
    const c = client(emu);
    const pages: number[] = [];
    for await (const p of c.chargePages({ status: 'error', limit: 25 })) pages.push(p.items.length);
    const errored = [...emu.world.charges.values()].filter((r) => r.doc.status === 'error').length;
    expect(errored).toBeGreaterThan(25);
    expect(pages.reduce((a, b) => a + b, 0)).toBe(errored);
    expect(pages.length).toBe(Math.ceil(errored / 25));
    const all = [];
    for await (const ch of c.charges({ status: 'error', limit: 250 })) all.push(ch);
    expect(new Set(all.map((x) => x.id)).size).toBe(errored);
    expect(all.every((x) => x.status === 'error' && typeof x.error_type === 'string')).toBe(true);
    const one = await c.getCharge(all[0].id);
    expect(one.id).toBe(all[0].id);
    expect(chargeAmountMinor(one)).toBe(Math.round(Number(one.total_price) * 100));
    const after = await c.processCharge(one.id);
    expect(after.charge_attempts).toBe(one.charge_attempts + 1);
    expect(['success', 'error']).toContain(after.status);
  });

  it('filters by updated_at_min', async () => {
    const emu = await emulator({ generate: { customers: 80, rngSeed: 3 } });
    const c = client(emu);
    const since = new Date(emu.now() - 5 * DAY_MS).toISOString();
    const got = [];
    for await (const ch of c.charges({ updated_at_min: since })) got.push(ch);
    const expected = [...emu.world.charges.values()].filter((r) => Date.parse(r.doc.updated_at) >= Date.parse(since));
    expect(got.length).toBe(expected.length);
  });

  it('refuses /process on the Standard plan with PlanRequired', async () => {
    const emu = await emulator({ generate: { customers: 40, rngSeed: 2 }, plan: 'standard' });
    const row = [...emu.world.charges.values()].find((r) => r.doc.status === 'error')!;
    const err = await client(emu)
      .processCharge(row.doc.id)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlanRequired);
    expect((err as PlanRequired).needsOperator).toBe(true);
    expect(row.doc.charge_attempts).toBeGreaterThan(0);
    const before = row.doc.charge_attempts;
    await control(emu, 'settings', { plan: 'pro' });
    await client(emu).processCharge(row.doc.id);
    expect(row.doc.charge_attempts).toBe(before + 1);
  });

  it('names the missing scope on a 403 and probes every scope', async () => {
    const token = 'tok_charges_only_01';
    const emu = await emulator({ tokens: { [token]: ['read_charges', 'read_customers'] } });
    const c = new RechargeClient({ token, baseUrl: emu.url });
    const err = await c.getSubscription(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScopeMissing);
    expect((err as ScopeMissing).scopes).toEqual(['read_subscriptions']);
    expect((err as ScopeMissing).retryable).toBe(false);
    const rows = await c.probeScopes();
    const by = Object.fromEntries(rows.map((r) => [r.scope, r]));
    expect(by.read_charges).toMatchObject({ status: 'ok', via: 'GET /charges', declared: true });
    expect(by.read_orders).toMatchObject({ status: 'missing', via: 'GET /orders', declared: false });
    expect(by.read_customers.status).toBe('ok');
    expect(by.read_subscriptions.status).toBe('missing');
    expect(by.write_subscriptions).toMatchObject({ status: 'missing', via: 'GET /token_information' });
    const verdicts = Object.fromEntries(scopeVerdicts(rows).map((v) => [v.need, v]));
    expect(verdicts['charges read']).toMatchObject({ ok: true, via: 'read_charges (GET /charges)' });
    expect(verdicts['charges process'].ok).toBe(false);
    expect(verdicts['subscriptions read'].ok).toBe(false);
    expect(verdicts['customers read'].ok).toBe(true);
  });

  it('a wrong token is AuthenticationFailed and never appears in the error', async () => {
    const emu = await emulator();
    const secret = 'not-a-real-token-abcdef123456';
    const err = await new RechargeClient({ token: secret, baseUrl: emu.url }).getCustomer(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationFailed);
    const text = `${String(err)} ${JSON.stringify(err)} ${(err as Error).stack}`;
    expect(text).not.toContain(secret);
    expect(
      await client(emu)
        .getCustomer(42)
        .catch((e: unknown) => e),
    ).toBeInstanceOf(NotFound);
  });

  it('creates, lists and deletes webhooks', async () => {
    const emu = await emulator();
    const c = client(emu);
    const a = await c.createWebhook({ address: 'http://127.0.0.1:9/recharge', topic: 'charge/failed' });
    const b = await c.createWebhook({ address: 'http://127.0.0.1:9/recharge', topic: 'charge/paid' });
    expect((await c.webhooks()).map((h) => h.topic).sort()).toEqual(['charge/failed', 'charge/paid']);
    await c.deleteWebhook(a.id);
    expect((await c.webhooks()).map((h) => h.id)).toEqual([b.id]);
  });

  it('stays inside the leaky bucket client-side, and waits out a 429', async () => {
    const emu = await emulator({ bucket: { capacity: 5, leakPerSec: 20 } });
    // Client bucket bigger than the server's: the server answers 429 and the client retries.
    const loose = client(emu, { bucket: { capacity: 50, leakPerSec: 1000 } });
    const results = await Promise.all(Array.from({ length: 12 }, () => loose.webhooks()));
    expect(results).toHaveLength(12);
    expect(emu.requests().byRoute['GET /webhooks']).toBeGreaterThanOrEqual(12);
    expect(emu.requests().byRoute['GET /webhooks']).toBeGreaterThan(12); // some were 429s, retried
    // A client held a little inside the server's bucket (margin for the network's jitter) meets no 429.
    const emu2 = await emulator({ bucket: { capacity: 5, leakPerSec: 20 } });
    const tight = client(emu2, { bucket: { capacity: 4, leakPerSec: 15 } });
    await Promise.all(Array.from({ length: 12 }, () => tight.webhooks()));
    expect(tight.requests).toBe(12);
    // With no retries allowed, the 429 surfaces as RateLimited (retryable).
    const once = client(emu, { bucket: { capacity: 50, leakPerSec: 1000 }, maxRetries: 0 });
    const errs = await Promise.all(Array.from({ length: 10 }, () => once.webhooks().catch((e: unknown) => e)));
    const limitedErr = errs.find((e) => e instanceof RateLimited) as RateLimited;
    expect(limitedErr).toBeDefined();
    expect(limitedErr.retryable).toBe(true);
  });
});

describe('Recharge client: never charge twice, never leak the token', () => {
  it('retries a read after a 5xx, but not a /process whose outcome is unknown', async () => {
    const emu = await emulator();
    const made = await control(emu, 'customers', { email: 'p@example.com' });
    const c = client(emu, { sleep: async () => undefined });
    await control(emu, 'faults', { fail_next: 2 });
    expect((await c.getCharge(made.body.charge.id)).id).toBe(made.body.charge.id);
    expect(c.requests).toBe(3);
    await control(emu, 'faults', { fail_next: 1, fail_after_processing: true });
    const err = await c.processCharge(made.body.charge.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RechargeUnavailable);
    expect((err as RechargeUnavailable).ambiguous).toBe(true);
    expect((err as RechargeUnavailable).attempts).toBe(1);
    // The charge was processed once; re-reading shows it, and nothing was sent twice.
    expect(emu.requests().byRoute['POST /charges/:id/process']).toBe(1);
    expect((await c.getCharge(made.body.charge.id)).charge_attempts).toBe(1);
  });

  it('redacts the token by value in every error text', async () => {
    const token = 'opaque-recharge-token-9f8e7d6c';
    const emu = await emulator({ tokens: { [token]: ['read_customers'] } });
    const c = new RechargeClient({ token, baseUrl: emu.url });
    const err = (await c.getCharge(1).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ScopeMissing);
    expect(redactText(`token ${token} here`)).toBe(`token …${token.slice(-4)} here`);
    expect(`${err.message} ${JSON.stringify(err)}`).not.toContain(token);
  });

  it('converts decimal amounts to minor units without floating point', () => {
    expect(minorFromDecimal('12.50', 'USD')).toBe(1250);
    expect(minorFromDecimal('0.1', 'usd')).toBe(10);
    expect(minorFromDecimal('1234', 'JPY')).toBe(1234);
    expect(minorFromDecimal('1.500', 'BHD')).toBe(1500);
    expect(minorFromDecimal('19.990', 'USD')).toBe(1999);
    expect(() => minorFromDecimal('19.999', 'USD')).toThrow(/more than 2 decimals/);
    expect(() => minorFromDecimal('1e3', 'USD')).toThrow(/not a decimal amount/);
    expect(chargeAmountMinor({ total_price: '1000000.01', currency: 'EUR' })).toBe(100000001);
  });
});
