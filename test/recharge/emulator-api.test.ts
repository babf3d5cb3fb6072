/**
 * The Recharge emulator's request pipeline, held to Recharge's docs:
 * - token header and base: developer.rechargepayments.com (Authentication: X-Recharge-Access-Token);
 * - scopes, both spellings of the charge scopes: developer.rechargepayments.com/login (API Token Scopes lists
 *   read_charges/write_charges beside read_orders/write_orders) and docs.rechargepayments.com/docs/charges;
 * - leaky bucket 40 / 2 per second, 429 when full: docs.getrecharge.com/docs/api-rate-limits;
 * - cursor pages, limit default 50 and at most 250, next_cursor/previous_cursor:
 *   docs.getrecharge.com/docs/using-cursor-pagination-with-the-recharge-api;
 * - /charges/{id}/process a Pro feature, for queued or error charges: docs.rechargepayments.com/docs/charges.
 * The error bodies' texts are assumptions (src/emulators/recharge/README.md).
 */
import { describe, expect, it } from 'vitest';
import { control, emulator, FULL, raw } from './helpers.js';

describe('Recharge emulator: auth, version, scopes', () => {
  it('401 without a valid token, 400 without X-Recharge-Version 2021-11', async () => {
    const emu = await emulator();
    expect((await raw(emu, '/charges', {}, null)).status).toBe(401);
    expect((await raw(emu, '/charges', {}, 'tok_unknown_000001')).status).toBe(401);
    const noVersion = await fetch(`${emu.url}/charges`, { headers: { 'X-Recharge-Access-Token': FULL } });
    expect(noVersion.status).toBe(400);
    const v2101 = await raw(emu, '/charges', { headers: { 'X-Recharge-Version': '2021-01' } });
    expect(v2101.status).toBe(400);
    expect((await raw(emu, '/charges')).status).toBe(200);
  });

  it('403 names the scope; charges accept read_orders or read_charges; scope is checked before lookup', async () => {
    const emu = await emulator({
      tokens: {
        tok_orders_only_01: ['read_orders'],
        tok_charges_only1: ['read_charges'],
        tok_subs_only_001: ['read_subscriptions'],
      },
    });
    expect((await raw(emu, '/charges', {}, 'tok_orders_only_01')).status).toBe(200);
    expect((await raw(emu, '/charges', {}, 'tok_charges_only1')).status).toBe(200);
    const denied = await raw(emu, '/charges', {}, 'tok_subs_only_001');
    expect(denied.status).toBe(403);
    expect(denied.body.errors).toMatch(/read_orders or read_charges/);
    // A write to a missing charge without the scope is a 403, not a 404.
    const process = await raw(emu, '/charges/1/process', { method: 'POST' }, 'tok_orders_only_01');
    expect(process.status).toBe(403);
    expect(process.body.errors).toMatch(/write_orders or write_charges or process_charge/);
    expect((await raw(emu, '/charges/1/process', { method: 'POST' })).status).toBe(404);
    // Webhooks need the read scope of their topic's resource (assumption).
    const hook = await raw(
      emu,
      '/webhooks',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ address: 'http://127.0.0.1:9/x', topic: 'charge/failed' }),
      },
      'tok_subs_only_001',
    );
    expect(hook.status).toBe(403);
    const info = await raw(emu, '/token_information', {}, 'tok_subs_only_001');
    expect(info.body.token_information.scopes).toEqual(['read_subscriptions']);
  });
});

describe('Recharge emulator: leaky bucket', () => {
  it('40 calls fit at once, the 41st is a 429, and the bucket drains at 2 per second', async () => {
    const emu = await emulator({ bucket: { capacity: 40, leakPerSec: 2 }, tokens: { tok_bucket_00001: 'all' } });
    const burst = await Promise.all(Array.from({ length: 41 }, () => raw(emu, '/webhooks', {}, 'tok_bucket_00001')));
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(40);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
    expect(burst.find((r) => r.status === 429)!.headers.get('retry-after')).toBeNull();
    await new Promise((r) => setTimeout(r, 700)); // > 500 ms and < 1 s: one call drained, not two
    const pair = await Promise.all([1, 2].map(() => raw(emu, '/webhooks', {}, 'tok_bucket_00001')));
    expect(pair.map((r) => r.status).sort()).toEqual([200, 429]);
    await control(emu, 'faults', { retry_after: true });
    expect(Number((await raw(emu, '/webhooks', {}, 'tok_bucket_00001')).headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('Recharge emulator: cursor pages', () => {
  it('limit 1..250 (default 50), next and previous cursors walk the same rows', async () => {
    const emu = await emulator({ generate: { customers: 120, rngSeed: 5 } });
    expect((await raw(emu, '/customers?limit=251')).status).toBe(422);
    expect((await raw(emu, '/customers?limit=0')).status).toBe(422);
    const first = await raw(emu, '/customers');
    expect(first.body.customers).toHaveLength(50);
    expect(first.body.previous_cursor).toBeNull();
    const second = await raw(emu, `/customers?limit=50&cursor=${first.body.next_cursor}`);
    const third = await raw(emu, `/customers?limit=50&cursor=${second.body.next_cursor}`);
    expect(third.body.customers).toHaveLength(20);
    expect(third.body.next_cursor).toBeNull();
    const ids = [...first.body.customers, ...second.body.customers, ...third.body.customers].map((c: any) => c.id);
    expect(new Set(ids).size).toBe(120);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const back = await raw(emu, `/customers?limit=50&cursor=${third.body.previous_cursor}`);
    expect(back.body.customers.map((c: any) => c.id)).toEqual(second.body.customers.map((c: any) => c.id));
    // The cursor keeps the filters of the first page.
    const errored = await raw(emu, '/charges?status=error&limit=5');
    const next = await raw(emu, `/charges?limit=5&cursor=${errored.body.next_cursor}`);
    expect(next.body.charges.every((c: any) => c.status === 'error')).toBe(true);
  });
});

describe('Recharge emulator: /charges/{id}/process', () => {
  it('is refused on the Standard plan, works on Pro for queued or error charges only', async () => {
    const emu = await emulator({ plan: 'standard' });
    const made = await control(emu, 'customers', { email: 'a@example.com', behaviour: { type: 'succeed' } });
    const id = made.body.charge.id;
    const refused = await raw(emu, `/charges/${id}/process`, { method: 'POST' });
    expect(refused.status).toBe(403);
    expect(refused.body.errors).toMatch(/plan/i);
    expect(emu.world.charges.get(id)!.doc.charge_attempts).toBe(0);
    await control(emu, 'settings', { plan: 'pro' });
    const done = await raw(emu, `/charges/${id}/process`, { method: 'POST' });
    expect(done.status).toBe(200);
    expect(done.body.charge).toMatchObject({ id, status: 'success', charge_attempts: 1 });
    const again = await raw(emu, `/charges/${id}/process`, { method: 'POST' });
    expect(again.status).toBe(422);
    expect(emu.world.charges.get(id)!.doc.charge_attempts).toBe(1);
  });
});
