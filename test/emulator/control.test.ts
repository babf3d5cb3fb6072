import { describe, expect, it } from 'vitest';
import { emulatorOptions, runEmulator } from '../../src/commands/emulator.js';
import { UsageError } from '../../src/errors.js';
import { SMALL_MERCHANT_PATH, sdk, smallMerchant, start } from './helpers.js';

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

describe('HTTP control endpoints', () => {
  it('state, flush and a customer adding a card', async () => {
    const emu = await start({ seed: smallMerchant() });
    const state = (await (await fetch(`${emu.url}/_emulator/state`)).json()) as { invoices: Array<{ id: string }>; charges: unknown[]; now: number };
    expect(state.now).toBe(emu.now());
    expect(state.invoices.map((i) => i.id)).toContain('in_ada_open');
    expect(state.charges.length).toBeGreaterThan(5);
    const summary = (await (await fetch(`${emu.url}/_emulator/state?summary=1`)).json()) as { invoices: unknown[]; requests: { total: number } };
    expect(summary.invoices).toEqual([]);
    const added = await post(`${emu.url}/_emulator/payment_methods`, { customer: 'cus_alan', brand: 'mastercard', last4: '5454' });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ object: 'payment_method', customer: 'cus_alan', card: expect.objectContaining({ brand: 'mastercard', last4: '5454' }) });
    const cus = await sdk(emu).customers.retrieve('cus_alan');
    expect((cus as { invoice_settings: { default_payment_method: string } }).invoice_settings.default_payment_method).toBe(added.body.id);
    expect((await sdk(emu).invoices.pay('in_alan_open')).status).toBe('paid');
    expect((await post(`${emu.url}/_emulator/flush`, {})).body).toEqual({ ok: true });
    expect((await post(`${emu.url}/_emulator/payment_methods`, { customer: 'cus_nobody' })).status).toBe(400);
    expect((await fetch(`${emu.url}/_emulator/nothing`)).status).toBe(404);
  });

  it('creates new invoices that Stripe attempts an hour later (or at once)', async () => {
    const emu = await start({ seed: smallMerchant() });
    const stripe = sdk(emu);
    const later = await post(`${emu.url}/_emulator/invoices`, { customer: 'cus_ken', subscription: 'sub_ken', amount: 9900 });
    expect(later.body).toMatchObject({ object: 'invoice', status: 'open', attempt_count: 0, amount_due: 9900, next_payment_attempt: Math.floor(emu.now() / 1000) + 3600 });
    await emu.advance(3_600_000);
    expect((await stripe.invoices.retrieve(later.body.id as string)).status).toBe('paid');
    const now = await post(`${emu.url}/_emulator/invoices`, { customer: 'cus_alan', amount: 1500, attempt_now: true });
    const failed = await stripe.invoices.retrieve(now.body.id as string);
    expect(failed).toMatchObject({ status: 'open', attempt_count: 1, parent: null });
    const types = emu.state().events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['invoice.created', 'invoice.finalized', 'invoice.payment_failed']));
    expect((await post(`${emu.url}/_emulator/invoices`, { customer: 'cus_alan', amount: -1 })).status).toBe(400);
  });
});

describe('recover emulator (command)', () => {
  it('starts, prints where it listens and what it loaded, and stops on abort', async () => {
    const lines: string[] = [];
    const ac = new AbortController();
    const run = runEmulator({ port: 0, seed: SMALL_MERCHANT_PATH, key: ['rk_test_cli=rak_invoice_read'] }, { out: { line: (t) => lines.push(t) }, signal: ac.signal });
    for (let i = 0; i < 100 && lines.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(lines[0])?.[1];
    expect(url).toBeDefined();
    expect(lines.join('\n')).toMatch(/Loaded account acct_1SmallMerchant0001 \+ 1 connected account: 10 customers, 11 invoices/);
    expect(lines.join('\n')).toContain('Keys: any sk_test_ key has full access (e.g. sk_test_ + emulator');
    expect(lines.join('\n')).toContain('Restricted key rk_test_ + cli: rak_invoice_read');
    expect(lines.join('\n')).toContain('Restricted key rk_test_ + smallmerchantreadonly: rak_invoice_read,rak_charge_read');
    const res = await fetch(`${url}/v1/invoices?limit=1`, { headers: { Authorization: 'Bearer rk_test_cli' } });
    expect(res.status).toBe(200);
    ac.abort();
    await run;
    expect(lines.at(-1)).toBe('Stripe emulator stopped.');
    await expect(fetch(`${url}/v1/invoices`)).rejects.toThrow();
  });

  it('validates its options with one-line usage errors', () => {
    expect(() => emulatorOptions({ seed: 'a.json', generate: 10 })).toThrow(UsageError);
    expect(() => emulatorOptions({ errorRate: 2 })).toThrow(/invalid value for --error-rate: 2 \(accepted: a number from 0 to 1\)/);
    expect(() => emulatorOptions({ key: ['rk_test_x'] })).toThrow(/invalid value for --key: "rk_test_x"/);
    expect(() => emulatorOptions({ port: 70000 })).toThrow(/--port/);
    expect(() => emulatorOptions({ smartRetries: 'maybe' })).toThrow(/invalid value for --smart-retries: "maybe" \(accepted: on, off, or on:<window>:<tries>/);
    expect(() => emulatorOptions({ smartRetries: 'on:5w:8' })).toThrow(/--smart-retries: "on:5w:8"/);
    expect(() => emulatorOptions({ smartRetries: 'on:2w:0' })).toThrow(/--smart-retries/);
    expect(emulatorOptions({ smartRetries: 'on:30d:8' }).smartRetries).toBe('on:30d:8');
    expect(() => emulatorOptions({ seed: '/nonexistent/seed.json' })).toThrow(/--seed \/nonexistent\/seed\.json: invalid seed: cannot read/);
    const generated = emulatorOptions({ generate: 20, rngSeed: 3, accounts: 2, smartRetries: 'off', key: ['rk_test_a=rak_invoice_write,rak_charge_read'] });
    expect(generated.seed && 'connected_accounts' in generated.seed ? generated.seed.connected_accounts?.length : 0).toBe(2);
    expect(generated.smartRetries).toBe('off');
    expect(generated.keys).toEqual({ rk_test_a: ['rak_invoice_write', 'rak_charge_read'] });
    expect(generated.allowLocalWebhooks).toBe(false);
    expect(emulatorOptions({ webhookFaults: 'duplicate=0.1,drop=0.05', rngSeed: 9 }).webhookFaults).toEqual({ duplicate: 0.1, drop: 0.05, seed: 9 });
    expect(() => emulatorOptions({ webhookFaults: 'drop=5' })).toThrow(/invalid value for --webhook-faults: "drop=5" \(accepted: comma-separated/);
    expect(emulatorOptions({ allowLocalWebhooks: true }).allowLocalWebhooks).toBe(true);
  });

  it('--start sets the clock; the same --rng-seed and --start give the same merchant, laid out around it', async () => {
    const a = emulatorOptions({ generate: 30, rngSeed: 4, start: '2026-12-01T09:00:00Z' });
    const b = emulatorOptions({ generate: 30, rngSeed: 4, start: '2026-12-01T09:00:00Z' });
    expect(a.clockStart).toBe(Date.UTC(2026, 11, 1, 9));
    expect(JSON.stringify(a.seed)).toBe(JSON.stringify(b.seed));
    const later = emulatorOptions({ generate: 30, rngSeed: 4, start: '2027-03-01T09:00:00Z' });
    expect(JSON.stringify(later.seed)).not.toBe(JSON.stringify(a.seed));
    const emu = await start({ ...a, port: 0 });
    expect(emu.now()).toBe(Date.UTC(2026, 11, 1, 9));
    const invoices = await sdk(emu).invoices.list({ limit: 100 });
    const created = invoices.data.map((i) => i.created * 1000);
    // Everything generated lies within a year before the start, never in 2026's January by default.
    expect(Math.max(...created)).toBeLessThanOrEqual(emu.now());
    expect(Math.min(...created)).toBeGreaterThan(emu.now() - 366 * 86_400_000);
    expect(() => emulatorOptions({ start: 'yesterday' })).toThrow(/invalid value for --start: "yesterday" \(accepted: an ISO-8601 date-time/);
    expect(() => emulatorOptions({ start: '2026-12-01T09:00' })).toThrow(/--start/);
  });
});
