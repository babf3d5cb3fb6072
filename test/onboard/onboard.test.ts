import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/index.js';
import { createGateway } from '../../src/stripe/index.js';
import { ScriptedPrompts } from '../helpers/scripted-prompts.js';
import { generateMerchant } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';
import { ALL_PERMS, emulator, tempDb } from '../helpers/env.js';

const PRIMARY = 'rk_test_primary0000000000001a2b';
const FALLBACK = 'rk_test_fallback000000000003c4d';
const NO_INVOICE_WRITE = 'rk_test_noinvoicewrite0000005e6f';
const HOOK = 'https://pay.example.com/stripe/webhook';

function keys() {
  return {
    [PRIMARY]: ALL_PERMS,
    [FALLBACK]: ALL_PERMS,
    [NO_INVOICE_WRITE]: ALL_PERMS.filter((p) => p !== 'rak_invoice_write').concat('rak_invoice_read'),
  };
}

function flags(api: string, db: string, extra: string[] = []): string[] {
  return [
    '--db', db, '--stripe-api-base', api, 'onboard', 'stripe', '--env', 'test', '--scope', 'account',
    '--primary-key', PRIMARY, '--fallback-key', FALLBACK, '--webhook-url', HOOK, '--yes', ...extra,
  ];
}

async function endpoints(api: string) {
  const gw = createGateway({ primaryKey: 'sk_test_inspect', apiBase: api });
  return (await gw.webhookEndpoints.list({ limit: 100 })).data;
}

function noKeyIn(text: string) {
  for (const k of [PRIMARY, FALLBACK, NO_INVOICE_WRITE]) expect(text).not.toContain(k);
  expect(text).not.toMatch(/whsec_[A-Za-z0-9]{8,}/);
}

describe('recover onboard stripe', () => {
  it('interactive happy path: asks each question, saves settings and secrets 0600, registers one webhook', async () => {
    const emu = await emulator({ keys: keys() });
    const db = tempDb();
    const prompts = new ScriptedPrompts({
      env: 'test', scope: 'account', primaryKey: PRIMARY, fallbackKey: FALLBACK, webhookUrl: HOOK,
      controlBaseline: 'stripe', dunningDays: '21', subscriptionAction: 'cancel_after_delay', cancelDelay: '2d6h',
      prorate: true, invoiceAction: 'leave', includeSubscriptionCreate: false, delayFrom: 'invoice_created',
      windows: '0 8-20 * * 1-5', defaultTimezone: 'America/Chicago', controlShare: '0.2', mode: 'shadow', baselineWindowDays: '21', save: true,
    });
    const r = await runCli(['--db', db, '--stripe-api-base', emu.url, 'onboard', 'stripe'], { overrides: { prompts } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(prompts.asked).toEqual([
      'env', 'scope', 'primaryKey', 'fallbackKey', 'webhookUrl', 'controlBaseline', 'dunningDays', 'subscriptionAction',
      'cancelDelay', 'prorate', 'invoiceAction', 'includeSubscriptionCreate', 'delayFrom', 'windows', 'defaultTimezone', 'controlShare', 'mode', 'baselineWindowDays', 'save',
    ]);
    expect(r.stdout).toContain('https://dashboard.stripe.com/test/apikeys/create?name=recover+primary&permissions[]=rak_charge_read');
    expect(r.stdout).toContain('Next: recover takeover --dry-run');
    noKeyIn(r.stdout + r.stderr);
    expect(statSync(db).mode & 0o777).toBe(0o600);
    const store = openStore(db);
    try {
      const s = store.settings.require();
      expect(s).toMatchObject({
        env: 'test', scope: 'account', dunningDays: 21, invoiceAction: 'leave', delayFrom: 'invoice_created',
        windows: ['0 8-20 * * 1-5'], defaultTimezone: 'America/Chicago', controlShare: 0.2, mode: 'shadow', controlBaseline: 'stripe',
        baselineWindowDays: 21,
        subscriptionAction: { type: 'cancel_after_delay', delayMs: (2 * 24 + 6) * 3600_000, prorate: true },
      });
      expect(store.secrets.get('primary_key')).toBe(PRIMARY);
      expect(store.secrets.get('fallback_key')).toBe(FALLBACK);
      expect(store.secrets.get('webhook_secret')).toMatch(/^whsec_/);
      expect(store.accounts.list()).toHaveLength(1);
    } finally {
      store.close();
    }
    const eps = await endpoints(emu.url);
    expect(eps).toHaveLength(1);
    expect(eps[0]).toMatchObject({ url: HOOK, description: 'recover', metadata: { recover: 'true' } });
    expect(eps[0].enabled_events).toContain('invoice.payment_failed');
  });

  it('a key missing rak_invoice_write: table shows it, nothing saved, exit 1', async () => {
    const emu = await emulator({ keys: keys() });
    const db = tempDb();
    const r = await runCli(['--db', db, '--stripe-api-base', emu.url, 'onboard', 'stripe', '--env', 'test', '--scope', 'account',
      '--primary-key', NO_INVOICE_WRITE, '--webhook-url', HOOK, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/rak_invoice_write\s*│\s*missing/);
    expect(r.stderr).toContain('missing permissions (primary:rak_invoice_write); nothing was saved');
    noKeyIn(r.stdout + r.stderr);
    const store = openStore(db);
    try {
      expect(store.settings.get()).toBeUndefined();
      expect(store.secrets.get('primary_key')).toBeUndefined();
    } finally {
      store.close();
    }
    expect(await endpoints(emu.url)).toHaveLength(0);
  });

  it('rejects a live key in the test environment with exit 2, before any call', async () => {
    const emu = await emulator({ keys: keys() });
    const live = 'rk_live_abcdefabcdefabcdef9z9z';
    const r = await runCli(['--db', tempDb(), 'onboard', 'stripe', '--env', 'test', '--scope', 'account', '--primary-key', live, '--webhook-url', HOOK, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--primary-key rk_live_…9z9z is a live key but the environment is test (accepted: rk_test_… or sk_test_…)');
    expect(r.stderr).not.toContain(live);
    expect(emu.state().requests.total).toBe(0);
  });

  it('re-running with the same answers creates no second endpoint and changes nothing', async () => {
    const emu = await emulator({ keys: keys() });
    const db = tempDb();
    const first = await runCli(flags(emu.url, db));
    expect(first.code).toBe(0);
    const before = openStore(db);
    const settingsBefore = before.settings.get();
    const secretBefore = before.secrets.get('webhook_secret');
    before.close();
    const second = await runCli(flags(emu.url, db, ['--json']));
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).webhook.action).toBe('keep');
    expect(await endpoints(emu.url)).toHaveLength(1);
    const after = openStore(db);
    try {
      expect(after.settings.get()).toEqual(settingsBefore);
      expect(after.secrets.get('webhook_secret')).toBe(secretBefore);
    } finally {
      after.close();
    }
  });

  it('an endpoint of ours whose secret we lost is replaced, not duplicated', async () => {
    const emu = await emulator({ keys: keys() });
    await runCli(flags(emu.url, tempDb()));
    const [old] = await endpoints(emu.url);
    const r = await runCli(flags(emu.url, tempDb(), ['--json'])); // a fresh database: no secret
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).webhook.action).toBe('replace');
    const eps = await endpoints(emu.url);
    expect(eps).toHaveLength(1);
    expect(eps[0].id).not.toBe(old.id);
  });

  it('checks Smart Retries against the chosen baseline', async () => {
    const seed = generateMerchant({ customers: 40, rngSeed: 7, accounts: 0, smartRetries: true });
    const on = await emulator({ keys: keys(), seed });
    const asStripe = await runCli(flags(on.url, tempDb(), ['--control-baseline', 'stripe', '--json']));
    expect(asStripe.code).toBe(0);
    const sig = JSON.parse(asStripe.stdout).smartRetries;
    expect(sig.retrying).toBeGreaterThan(0);
    expect(sig.matchesBaseline).toBe(true);
    const asFixed = await runCli(flags(on.url, tempDb(), ['--control-baseline', 'fixed:3,5,7']));
    expect(asFixed.code).toBe(0);
    expect(asFixed.stderr).toMatch(/Stripe is still retrying \d+ of \d+ failed open automatically collected invoices: Smart Retries looks on/);
    expect(asFixed.stdout).toContain('Billing → Revenue recovery → Retries');

    const off = await emulator({ keys: keys(), smartRetries: false, seed: generateMerchant({ customers: 40, rngSeed: 7, accounts: 0, smartRetries: false }) });
    const offFixed = await runCli(flags(off.url, tempDb(), ['--control-baseline', 'fixed:3,5,7', '--json']));
    expect(JSON.parse(offFixed.stdout).smartRetries).toMatchObject({ retrying: 0, matchesBaseline: true });
    const offStripe = await runCli(flags(off.url, tempDb(), ['--control-baseline', 'stripe']));
    expect(offStripe.stderr).toContain('Smart Retries looks off');
  });

  it('non-interactive with flags and the key from the environment', async () => {
    const emu = await emulator({ keys: keys() });
    const db = tempDb();
    const r = await runCli(['--db', db, '--stripe-api-base', emu.url, 'onboard', 'stripe', '--env', 'test', '--scope', 'account',
      '--webhook-url', HOOK, '--dunning-days', '45', '--subscription-action', 'leave', '--invoice-action', 'mark_uncollectible',
      '--windows', '0 9-17 * * 1-5,0 10-12 * * 6', '--control-share', '0.25', '--control-baseline', 'stripe', '--mode', 'live', '--yes', '--json'],
      { env: { RECOVER_PRIMARY_KEY: PRIMARY } });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.keys).toEqual({ primary: 'rk_test_…1a2b', fallback: null });
    expect(out.settings).toMatchObject({ dunningDays: 45, subscriptionAction: { type: 'leave' }, windows: ['0 9-17 * * 1-5', '0 10-12 * * 6'], controlShare: 0.25, mode: 'live' });
    noKeyIn(r.stdout + r.stderr);
  });

  it('without a TTY, a missing answer is exit 2 naming the flag', async () => {
    const emu = await emulator({ keys: keys() });
    const r = await runCli(['--db', tempDb(), '--stripe-api-base', emu.url, 'onboard', 'stripe', '--env', 'test', '--scope', 'account', '--primary-key', PRIMARY]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing --webhook-url');
  });

  it('bad flag values are one-line errors with exit 2', async () => {
    const r = await runCli(['--db', tempDb(), 'onboard', 'stripe', '--control-share', '0.9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid value for --control-share: "0.9" (accepted: a number from 0 to 0.5)');
    const w = await runCli(['--db', tempDb(), 'onboard', 'stripe', '--env', 'staging']);
    expect(w.code).toBe(2);
    expect(w.stderr).toContain('invalid value for --env: "staging" (accepted: test | live)');
  });
});
