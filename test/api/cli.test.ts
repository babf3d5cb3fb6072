/**
 * `recover onboard api` and `recover api-keys` through the real CLI: the key printed once and
 * stored as a hash only, bad input one line with exit 2 and nothing saved, a missing Stripe
 * permission exit 1 naming it, revoked keys refused by the API.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/index.js';
import { redactText } from '../../src/redact.js';
import { runCli } from '../helpers/cli.js';
import { ScriptedPrompts } from '../helpers/scripted-prompts.js';
import { LEAST_API_KEY, emulator, tempDb } from '../helpers/env.js';
import { failedPayment, onboardApi, startApiWorld } from './helpers.js';

describe('recover onboard api', () => {
  it('prints the API key and the signing secret once, stores the key as a hash, and a rerun keeps them', async () => {
    const emu = await emulator();
    const db = tempDb();
    const first = await onboardApi(emu.url, db, ['--result-webhook-url', 'https://shop.example.com/hooks']);
    expect(first.apiKey).toMatch(/^rcv_test_[0-9A-Za-z]{32}$/);
    expect(first.signingSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const store = openStore(db);
    const [k] = store.apiKeys.list();
    expect(k!.hash).toBe(createHash('sha256').update(first.apiKey).digest('hex'));
    expect(readFileSync(db).includes(Buffer.from(first.apiKey))).toBe(false);
    expect(store.settings.require()).toMatchObject({
      resultWebhookUrl: 'https://shop.example.com/hooks',
      mode: 'live',
    });
    store.close();
    const again = await runCli(['--db', db, '--stripe-api-base', emu.url, 'onboard', 'api', '--env', 'test', '--yes'], {
      env: { RECOVER_STRIPE_KEY: LEAST_API_KEY },
    });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/rcv_test_\w{32}|whsec_/);
    expect(again.stdout).toMatch(/API key: kept/);
    expect(redactText(`key ${first.apiKey}`)).toBe(`key rcv_test_…${first.apiKey.slice(-4)}`);
  });

  it('refuses a bad URL (one line, exit 2) and a key lacking a permission (exit 1), saving nothing', async () => {
    const emu = await emulator({
      keys: { rk_test_apinocheckout000001: ['rak_payment_intent_write', 'rak_customer_read'] },
    });
    const db = tempDb();
    const bad = await runCli(
      [
        '--db',
        db,
        '--stripe-api-base',
        emu.url,
        'onboard',
        'api',
        '--env',
        'test',
        '--yes',
        '--retry-status-url',
        'http://shop.example.com/rs',
      ],
      { env: { RECOVER_STRIPE_KEY: LEAST_API_KEY } },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--retry-status-url: "http:\/\/shop.example.com\/rs" \(accepted: an https:\/\/ URL/);
    const weak = await runCli(['--db', db, '--stripe-api-base', emu.url, 'onboard', 'api', '--env', 'test', '--yes'], {
      env: { RECOVER_STRIPE_KEY: 'rk_test_apinocheckout000001' },
    });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/missing permissions \(.*rak_checkout_session_write/);
    // The run created the database and saved nothing: it is removed, so `status` says "no database".
    expect(existsSync(db)).toBe(false);
    const store = openStore(db);
    expect(store.settings.get()).toBeUndefined();
    expect(store.apiKeys.list()).toHaveLength(0);
    store.close();
  });
});

/** The wizard's answers after the key: no URLs, the default policy, live mode, saved. */
const DEFAULT_ANSWERS = {
  resultWebhookUrl: '',
  retryStatusUrl: '',
  dunningDays: '30',
  windows: '0 8-20 * * *',
  controlShare: '0.1',
  controlBaseline: 'fixed:3,5,7',
  mode: 'live',
  save: true,
};

describe('recover onboard api, asked at the prompt', () => {
  it('a key Stripe refuses (401) is asked for again with the reason; the same key given by env is exit 1', async () => {
    const emu = await emulator();
    const db = tempDb();
    const flags = ['--env', 'test', '--result-webhook-url', 'https://shop.example.com/hooks', '--mode', 'live'];
    const unknown = 'rk_test_notaknownkey00000000001';
    // The second ask (after the 401) gets the good key.
    const prompts = new ScriptedPrompts({
      retryStatusUrl: '',
      stripeKey: unknown,
      dunningDays: ['0', '21'],
      windows: '0 9-18 * * 1-5',
      controlShare: '0.2',
      controlBaseline: 'fixed:3,5,7',
      save: true,
    }).then('stripeKey', LEAST_API_KEY);
    const r = await runCli(['--db', db, '--stripe-api-base', emu.url, 'onboard', 'api', ...flags], {
      overrides: { prompts },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Invalid API Key provided: rk_test_\*+0001: give another key/);
    expect(prompts.asked.filter((n) => n === 'stripeKey')).toHaveLength(2);
    // Asked, like onboard stripe: dunning (re-asked after a bad answer), windows, control share and baseline.
    expect(prompts.rejected.map((x) => x.name)).toEqual(['dunningDays']);
    const saved = openStore(db);
    expect(saved.settings.require()).toMatchObject({ dunningDays: 21, windows: ['0 9-18 * * 1-5'], controlShare: 0.2 });
    saved.close();
    const fromEnv = await runCli(
      ['--db', tempDb(), '--stripe-api-base', emu.url, 'onboard', 'api', ...flags, '--yes'],
      {
        env: { RECOVER_STRIPE_KEY: unknown },
      },
    );
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toMatch(/Invalid API Key provided.*nothing was saved/);
    expect(fromEnv.stderr).toMatch(/run recover onboard api again/);
  });
  it('a typed key lacking a permission is asked again; live refused with the emulator', async () => {
    const weak = 'rk_test_apinocheckout000002';
    const emu = await emulator({ keys: { [weak]: ['rak_payment_intent_write', 'rak_customer_read'] } });
    const db = tempDb();
    // The environment is asked too: against the emulator only `test` is a choice (ScriptedPrompts throws on
    // an answer that is not one), and --env live is one line, exit 2, before any question.
    const prompts = new ScriptedPrompts({ ...DEFAULT_ANSWERS, env: 'test', stripeKey: weak, mode: 'shadow' }).then(
      'stripeKey',
      LEAST_API_KEY,
    );
    const r = await runCli(['--db', db, '--stripe-api-base', emu.url, 'onboard', 'api'], { overrides: { prompts } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/the key rk_test_\S+ lacks 3 permissions \(above\): add them and paste it again/);
    expect(prompts.asked.filter((n) => n === 'stripeKey')).toHaveLength(2);
    const saved = openStore(db);
    expect(saved.secrets.get('api_stripe_key')).toBe(LEAST_API_KEY);
    saved.close();
    const live = await runCli(['--db', tempDb(), '--stripe-api-base', emu.url, 'onboard', 'api', '--env', 'live']);
    expect(live.code).toBe(2);
    expect(live.stderr.trim()).toBe(
      'recover: invalid value for --env: "live" (accepted: test (the only environment with --stripe-api-base))',
    );
  });
  it('the summary declined: nothing saved, no API key made', async () => {
    const emu = await emulator();
    const db = tempDb();
    const prompts = new ScriptedPrompts({ ...DEFAULT_ANSWERS, stripeKey: LEAST_API_KEY, save: false });
    const r = await runCli(['--db', db, '--stripe-api-base', emu.url, 'onboard', 'api', '--env', 'test'], {
      overrides: { prompts },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not saved; nothing was changed/);
    expect(r.stdout).not.toMatch(/rcv_test_\w{32}|whsec_/);
    const store = openStore(db);
    expect(store.settings.get()).toBeUndefined();
    expect(store.apiKeys.list()).toHaveLength(0);
    store.close();
  });
});

describe('recover api-keys', () => {
  it('creates, lists (redacted) and revokes; a revoked key gets 401', async () => {
    const w = await startApiWorld();
    const created = await runCli(['--db', w.db, 'api-keys', 'create', '--name', 'billing job']);
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^rcv_test_\w{32}$/);
    const list = await runCli(['--db', w.db, '--json', 'api-keys', 'list']);
    const keys = JSON.parse(list.stdout).keys as Array<{ id: number; prefix: string; name: string | null }>;
    expect(keys).toHaveLength(2);
    expect(list.stdout).not.toContain(key);
    expect(keys[1]).toMatchObject({ name: 'billing job', prefix: `rcv_test_…${key.slice(-4)}` });
    const ok = await w.call('GET', '/v1/recoveries/rcv_1', undefined, { Authorization: `Bearer ${key}` });
    expect(ok.status).toBe(404);
    const revoked = await runCli(['--db', w.db, 'api-keys', 'revoke', String(keys[1]!.id)]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const refused = await w.call('GET', '/v1/recoveries/rcv_1', undefined, { Authorization: `Bearer ${key}` });
    expect(refused.status).toBe(401);
    const bad = await runCli(['--db', w.db, 'api-keys', 'revoke', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid value for <id>: "abc"/);
  });
});

describe('recover explain on a Recovery API case', () => {
  it('takes the API id rcv_<n> (as the answers and result webhooks name it) as well as the invoice id', async () => {
    const w = await startApiWorld();
    const c = await w.customer();
    const a = await w.call('POST', '/v1/recoveries', failedPayment(c, 'order-77'), { 'Idempotency-Key': 'x77' });
    expect(a.status).toBe(202);
    const id = a.body.id as string;
    const byId = await runCli(['--db', w.db, '--json', 'explain', id]);
    expect(byId.code, byId.stderr).toBe(0);
    expect(JSON.parse(byId.stdout)).toMatchObject({ invoice: 'order-77', account: 'self' });
    const byInvoice = await runCli(['--db', w.db, '--json', 'explain', 'order-77']);
    expect(JSON.parse(byInvoice.stdout).invoice).toBe('order-77');
    const none = await runCli(['--db', w.db, 'explain', 'rcv_999']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/no case for invoice rcv_999 .*accepted: an invoice id or rcv_<n>/);
  });
});
