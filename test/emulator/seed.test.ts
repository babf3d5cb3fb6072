import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateMerchant, parseSeed, readSeedFile, SeedError, seedSchema, startEmulator } from '../../src/emulator/index.js';
import { CONNECTED, MAIN, SMALL_MERCHANT_PATH, sdk, smallMerchant, start } from './helpers.js';

function issues(input: unknown): string[] {
  try {
    parseSeed(input);
  } catch (e) {
    if (e instanceof SeedError) return e.issues;
    throw e;
  }
  throw new Error('expected a SeedError');
}

describe('seed files', () => {
  it('loads fixtures/small-merchant.json with the history its attempts imply', async () => {
    const seed = readSeedFile(SMALL_MERCHANT_PATH);
    const emu = await start({ seed });
    expect(emu.accountId).toBe(MAIN);
    expect(emu.loaded).toMatchObject({ accounts: 2, customers: 10, invoices: 11 });
    const stripe = sdk(emu);
    const ada = await stripe.invoices.retrieve('in_ada_open', { expand: ['payments'] });
    expect(ada).toMatchObject({ status: 'open', attempt_count: 3, attempted: true, currency: 'eur', auto_advance: true });
    const charges = await stripe.charges.list({ customer: 'cus_ada', limit: 10 });
    expect(charges.data.map((c) => c.status)).toEqual(['failed', 'failed', 'failed', 'succeeded']);
    const last = charges.data[0];
    expect(last.outcome).toMatchObject({ reason: 'insufficient_funds', network_decline_code: '51' });
    expect(last.created).toBe(Math.floor((emu.now() - 3 * 86_400_000) / 1000));
    const pi = await stripe.paymentIntents.retrieve(ada.payments!.data[0].payment.payment_intent as string);
    expect(pi.latest_charge).toBe(last.id);
    const events = await stripe.events.list({ type: 'invoice.payment_failed', limit: 100 });
    expect(events.data.filter((e) => (e.data.object as { id: string }).id === 'in_ada_open')).toHaveLength(3);
    const ken = await stripe.invoices.retrieve('in_ken_paid');
    expect(ken).toMatchObject({ status: 'paid', attempt_count: 1, amount_paid: 9900 });
    const barbara = await stripe.invoices.retrieve('in_barbara_lost');
    expect(barbara.status).toBe('uncollectible');
    expect((await stripe.subscriptions.retrieve('sub_barbara')).status).toBe('canceled');
    expect((await stripe.subscriptions.retrieve('sub_ada')).status).toBe('past_due');
    expect((await stripe.subscriptions.retrieve('sub_ken')).status).toBe('active');
    const dennis = await stripe.invoices.retrieve('in_dennis_oneoff');
    expect(dennis).toMatchObject({ amount_due: 4500, pre_payment_credit_notes_amount: 500, parent: null, billing_reason: 'manual' });
    expect((await stripe.creditNotes.list({ invoice: 'in_dennis_oneoff' })).data[0]).toMatchObject({ id: 'cn_dennis', amount: 500 });
    const cus = await stripe.customers.retrieve('cus_ada');
    expect(cus).toMatchObject({ metadata: { timezone: 'Europe/Paris' }, address: { country: 'FR' } });
    const frances = await stripe.invoices.retrieve('in_frances_open', {}, { stripeAccount: CONNECTED });
    expect(frances.attempt_count).toBe(1);
  });

  it('reports schema errors with their path', () => {
    const bad = smallMerchant() as { account: { customers: Array<Record<string, unknown>> } };
    (bad.account.customers[0].payment_methods as Array<Record<string, unknown>>)[0].behaviour = { type: 'explode' };
    bad.account.customers[1].colour = 'blue';
    const found = issues(bad);
    expect(found.some((i) => i.startsWith('account.customers[0].payment_methods[0].behaviour.type'))).toBe(true);
    expect(found.some((i) => i.startsWith('account.customers[1]') && /colour/.test(i))).toBe(true);
    expect(issues({ account: { customers: [{ invoices: [{ amount: -1 }] }] } })[0]).toMatch(/^account\.customers\[0\]\.invoices\[0\]\.amount/);
    expect(issues({ start: 'yesterday' })[0]).toMatch(/^start: expected epoch ms, an ISO date, or an offset/);
    expect(issues({ keys: [{ key: 'sk_live_x', permissions: [] }] })[0]).toMatch(/^keys\[0\]\.key/);
  });

  it('reports broken references, duplicates and unknown timezones', () => {
    const seed = {
      account: {
        customers: [
          {
            id: 'cus_a',
            timezone: 'Mars/Olympus_Mons',
            payment_methods: [{ id: 'pm_a' }],
            invoices: [{ id: 'in_a', amount: 100, attempts: [{ at: '-1d', payment_method: 'pm_missing' }] }],
            subscriptions: [{ price: 100, default_payment_method: 'pm_nope', invoices: [{ id: 'in_a', amount: 100 }] }],
          },
          { id: 'cus_a', invoices: [{ amount: 5, status: 'draft', attempts: [{ at: '-1h' }] }] },
        ],
      },
    };
    const found = issues(seed);
    expect(found).toContain('account.customers[0].timezone: unknown timezone "Mars/Olympus_Mons"');
    expect(found).toContain('account.customers[0].invoices[0].attempts[0].payment_method: "pm_missing" is not one of this customer\'s payment methods');
    expect(found).toContain('account.customers[0].subscriptions[0].default_payment_method: "pm_nope" is not one of this customer\'s payment methods');
    expect(found.some((i) => /duplicate id "in_a"/.test(i))).toBe(true);
    expect(found.some((i) => /duplicate id "cus_a"/.test(i))).toBe(true);
    expect(found).toContain('account.customers[1].invoices[0].attempts: a draft invoice cannot have attempts');
    expect(() => parseSeed(seed)).toThrow(/^invalid seed: /);
  });

  it('refuses attempts after the clock start', async () => {
    const seed = { account: { customers: [{ id: 'cus_f', payment_methods: [{}], invoices: [{ id: 'in_f', amount: 5, attempts: [{ at: '+1d' }] }] }] } };
    await expect(startEmulator({ port: 0, seed })).rejects.toThrow(/invoice in_f of cus_f: attempt at .* is after the clock start/);
  });

  it('readSeedFile names the file for unreadable or non-JSON input', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seed-'));
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ nope');
    expect(() => readSeedFile(path)).toThrow(new RegExp(`${path} is not valid JSON`));
    expect(() => readSeedFile(join(dir, 'missing.json'))).toThrow(/cannot read .*missing\.json: ENOENT/);
  });

  it('an emulator without a seed has one empty account, its clock at the current time', async () => {
    const before = Date.now();
    const emu = await startEmulator({ port: 0 });
    try {
      expect(emu.loaded).toEqual({ accounts: 1, customers: 0, invoices: 0, charges: 0 });
      expect((await sdk(emu).invoices.list()).data).toEqual([]);
      // Stripe lives now: the clock starts at the wall-clock time unless clockStart/seed start says otherwise.
      expect(emu.now()).toBeGreaterThanOrEqual(before);
      expect(emu.now()).toBeLessThanOrEqual(Date.now());
    } finally {
      await emu.close();
    }
  });
});

describe('generateMerchant', () => {
  it('is deterministic: the same rngSeed and start give the same merchant', () => {
    const start = Date.UTC(2026, 11, 1, 9);
    const a = generateMerchant({ customers: 60, rngSeed: 42, accounts: 2, start });
    const b = generateMerchant({ customers: 60, rngSeed: 42, accounts: 2, start });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const c = generateMerchant({ customers: 60, rngSeed: 43, accounts: 2, start });
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
    expect(a.connected_accounts).toHaveLength(2);
    expect(a.account.customers).toHaveLength(0);
    expect(a.connected_accounts[0].customers.length + a.connected_accounts[1].customers.length).toBe(60);
  });

  it('only seeds past attempts, whatever the rngSeed', () => {
    for (let rngSeed = 1; rngSeed <= 12; rngSeed++) {
      const seed = generateMerchant({ customers: 300, rngSeed, accounts: rngSeed % 3 });
      for (const a of [seed.account, ...seed.connected_accounts]) {
        for (const c of a.customers) {
          for (const inv of [...c.invoices, ...c.subscriptions.flatMap((s) => s.invoices)]) {
            for (const at of inv.attempts) expect(at.at as number).toBeLessThanOrEqual(seed.start as number);
          }
        }
      }
    }
  });

  it('produces a complete, valid seed (what seedSchema would make of it)', () => {
    const seed = generateMerchant({ customers: 300, rngSeed: 3, accounts: 1 });
    expect(seedSchema.parse(JSON.parse(JSON.stringify(seed)))).toEqual(seed);
  });

  it('has a realistic decline mix, several timezones and later card updates', () => {
    const seed = generateMerchant({ customers: 2000, rngSeed: 5 });
    const customers = seed.account.customers;
    const declines = new Map<string, number>();
    let mastercardAdvice = 0;
    for (const c of customers) {
      const pm = c.payment_methods[0];
      const b = pm.behaviour;
      const code = b.type === 'decline' ? b.decline_code : b.type === 'schedule' ? b.decline.decline_code : null;
      if (code) declines.set(code, (declines.get(code) ?? 0) + 1);
      const spec = b.type === 'decline' ? b : b.type === 'schedule' ? b.decline : null;
      if (pm.brand === 'mastercard' && spec?.network_advice_code) mastercardAdvice++;
    }
    const total = [...declines.values()].reduce((s, n) => s + n, 0);
    const share = (code: string) => (declines.get(code) ?? 0) / total;
    expect(share('insufficient_funds')).toBeGreaterThan(0.4);
    expect(share('insufficient_funds')).toBeLessThan(0.56);
    for (const code of ['generic_decline', 'do_not_honor', 'expired_card', 'lost_card', 'stolen_card', 'fraudulent', 'card_velocity_exceeded']) {
      expect(declines.get(code) ?? 0, code).toBeGreaterThan(0);
    }
    expect(mastercardAdvice).toBeGreaterThan(20);
    const zones = new Set(customers.map((c) => c.timezone).filter(Boolean));
    expect(zones.size).toBeGreaterThan(8);
    expect(customers.some((c) => !c.timezone && c.country)).toBe(true);
    expect(customers.filter((c) => c.updates.length > 0).length).toBeGreaterThan(50);
    const paydays = customers.filter((c) => c.payment_methods[0].behaviour.type === 'schedule' && 'succeed_on_days' in c.payment_methods[0].behaviour);
    expect(paydays.length).toBeGreaterThan(50);
  });

  it('loads into the emulator with open failed invoices to take over', async () => {
    const emu = await start({ seed: generateMerchant({ customers: 300, rngSeed: 9, accounts: 2 }) });
    const stripe = sdk(emu);
    const [first] = (await stripe.accounts.list()).data;
    const open = await stripe.invoices
      .list({ status: 'open', collection_method: 'charge_automatically', limit: 100 }, { stripeAccount: first.id })
      .autoPagingToArray({ limit: 10_000 });
    const failed = open.filter((i) => i.attempt_count >= 1);
    expect(failed.length).toBeGreaterThan(80);
    expect(failed.every((i) => i.next_payment_attempt === null || i.next_payment_attempt > Math.floor(emu.now() / 1000))).toBe(true);
    expect(emu.loaded.invoices).toBeGreaterThan(300);
  });
});
