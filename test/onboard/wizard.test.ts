/**
 * The wizard never throws an answer away: a bad answer re-asks the same question with the reason
 * (and never names a flag the user did not type); nothing reaches Stripe before the summary is
 * confirmed; questions that do not apply are not asked; --no-webhook registers nothing; the
 * --stripe-api-base given at onboarding is saved, so later commands work without it.
 * (The same against the real terminal, with Ctrl-C: test/terminal/wizard.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/index.js';
import { ScriptedPrompts } from '../helpers/scripted-prompts.js';
import { runCli } from '../helpers/cli.js';
import { ALL_PERMS, emulator, tempDb } from '../helpers/env.js';

const PRIMARY = 'rk_test_wizardprimary00000000009a9a';
const HOOK = 'https://pay.example.com/stripe/webhook';

async function endpointCount(url: string): Promise<number> {
  const r = await fetch(`${url}/v1/webhook_endpoints`, { headers: { authorization: 'Bearer sk_test_admin' } });
  return ((await r.json()) as { data: unknown[] }).data.length;
}

const POLICY = {
  controlBaseline: 'stripe', subscriptionAction: 'cancel_at_period_end', invoiceAction: 'mark_uncollectible',
  includeSubscriptionCreate: false, windows: '0 8-20 * * *', defaultTimezone: 'UTC', mode: 'shadow', baselineWindowDays: '30',
};

describe('onboard wizard answers', () => {
  it('re-asks after each kind of bad answer, with the reason and the accepted range, naming no flag', async () => {
    const emu = await emulator({ keys: { [PRIMARY]: ALL_PERMS } });
    const db = tempDb();
    const prompts = new ScriptedPrompts({
      env: 'test', scope: 'account', fallbackKey: '', ...POLICY,
      primaryKey: ['', 'hello', 'pk_test_abc123456789', 'rk_live_abcdefgh12345678', PRIMARY],
      webhookUrl: ['', 'not a url', 'ftp://pay.example.com/hook', HOOK],
      dunningDays: ['0', '500', 'x', '45'],
      controlShare: ['0.9', '-1', '0.25'],
      baselineWindowDays: ['200', '45'],
      save: true,
    });
    const r = await runCli(['--db', db, '--stripe-api-base', emu.url, 'onboard', 'stripe'], { overrides: { prompts } });
    expect(r.code, r.stderr).toBe(0);
    const reasons = (name: string) => prompts.rejected.filter((x) => x.name === name).map((x) => x.reason);
    expect(reasons('primaryKey')).toHaveLength(4);
    expect(reasons('primaryKey')[0]).toContain('a key is required (accepted: rk_test_… or sk_test_…)');
    expect(reasons('primaryKey')[1]).toContain('is not a secret or restricted key');
    expect(reasons('primaryKey')[3]).toContain('is a live key but the environment is test');
    expect(reasons('webhookUrl')).toHaveLength(3);
    expect(reasons('webhookUrl')[2]).toContain('accepted: an https:// URL, or http:// in test mode');
    expect(reasons('dunningDays')).toHaveLength(3);
    expect(reasons('dunningDays')[1]).toContain('an integer from 1 to 120');
    expect(reasons('controlShare')[0]).toContain('a number from 0 to 0.5');
    expect(reasons('baselineWindowDays')).toEqual(['"200" is not accepted: an integer from 1 to 120 (days; Stripe\'s default is 14: "8 tries within 2 weeks")']);
    for (const x of prompts.rejected) expect(x.reason, x.reason).not.toMatch(/--[a-z]/);
    // "cancel at period end": the cancel delay, its proration and its starting point are not asked.
    expect(prompts.asked).not.toContain('cancelDelay');
    expect(prompts.asked).not.toContain('delayFrom');
    const store = openStore(db);
    expect(store.settings.require()).toMatchObject({ dunningDays: 45, controlShare: 0.25, stripeApiBase: emu.url, baselineWindowDays: 45 });
    store.close();
    // Saved with the settings: status needs no --stripe-api-base.
    const st = await runCli(['--db', db, '--json', 'status']);
    expect(st.code, st.stderr).toBe(0);
    expect(await endpointCount(emu.url)).toBe(1);
  });

  it('a well-formed key Stripe refuses (401) is asked for again with the reason, not the end of the wizard', async () => {
    const emu = await emulator({ keys: { [PRIMARY]: ALL_PERMS } });
    const db = tempDb();
    const prompts = new ScriptedPrompts({
      env: 'test', scope: 'account', fallbackKey: '', webhookUrl: HOOK, dunningDays: '30', controlShare: '0.1', ...POLICY,
      primaryKey: 'rk_test_revokedkey0000000000077', save: true,
    }).then('primaryKey', PRIMARY);
    const r = await runCli(['--db', db, '--stripe-api-base', emu.url, 'onboard', 'stripe'], { overrides: { prompts } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/the primary key rk_test_\S+: Invalid API Key provided: \S+: give another key/);
    expect(prompts.asked.filter((n) => n === 'primaryKey')).toHaveLength(2);
    const store = openStore(db);
    expect(store.secrets.get('primary_key')).toBe(PRIMARY);
    store.close();
  });

  it('a key typed at the prompt that lacks a permission is asked for again, naming what it lacks', async () => {
    const WEAK = 'rk_test_weakprimary00000000000001';
    const emu = await emulator({ keys: { [PRIMARY]: ALL_PERMS, [WEAK]: ['rak_charge_read'] } });
    const db = tempDb();
    const prompts = new ScriptedPrompts({
      env: 'test', scope: 'account', fallbackKey: '', webhookUrl: HOOK, dunningDays: '30', controlShare: '0.1', ...POLICY,
      primaryKey: WEAK, save: true,
    }).then('primaryKey', PRIMARY);
    const r = await runCli(['--db', db, '--stripe-api-base', emu.url, 'onboard', 'stripe'], { overrides: { prompts } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('the primary key rk_test_…0001 lacks 8 permissions (above): add them and paste it again');
    expect(prompts.asked.filter((n) => n === 'primaryKey')).toHaveLength(2);
    const store = openStore(db);
    expect(store.secrets.get('primary_key')).toBe(PRIMARY);
    store.close();
    // Given by flag, the same key is still exit 1 with nothing saved (a script cannot be re-asked).
    const db2 = tempDb();
    const flag = await runCli(['--db', db2, '--stripe-api-base', emu.url, 'onboard', 'stripe', '--env', 'test',
      '--scope', 'account', '--primary-key', WEAK, '--no-webhook', '--control-baseline', 'stripe', '--yes']);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain('nothing was saved');
  });

  it('a webhook URL Stripe refuses (localhost) at the end is named, with the way out; nothing is saved', async () => {
    // Stripe refuses non-public endpoint URLs ("URL must be publicly accessible", src/emulator/public-url.ts).
    const emu = await emulator({ keys: { [PRIMARY]: ALL_PERMS }, allowLocalWebhooks: false });
    const db = tempDb();
    const r = await runCli(['--db', db, '--stripe-api-base', emu.url, 'onboard', 'stripe', '--env', 'test', '--scope',
      'account', '--primary-key', PRIMARY, '--webhook-url', 'http://localhost:4242/stripe/webhook', '--yes']);
    expect(r.code).toBe(1);
    const [first, hint] = r.stderr.trim().split('\n').filter((l) => !l.startsWith('warning: '));
    expect(first).toMatch(/^recover: Stripe refused the webhook URL http:\/\/localhost:4242\/stripe\/webhook: .*publicly/);
    expect(first).toMatch(/Nothing was saved$/);
    expect(hint).toContain('--no-webhook');
    expect(await endpointCount(emu.url)).toBe(0);
    const store = openStore(db);
    expect(store.settings.get()).toBeFalsy();
    store.close();
  });

  it('nothing is written to Stripe or the database when the summary is declined', async () => {
    const emu = await emulator({ keys: { [PRIMARY]: ALL_PERMS } });
    const db = tempDb();
    const prompts = new ScriptedPrompts({
      env: 'test', scope: 'account', primaryKey: PRIMARY, fallbackKey: '', webhookUrl: HOOK, dunningDays: '30', controlShare: '0.1', ...POLICY, save: false,
    });
    const r = await runCli(['--db', db, '--stripe-api-base', emu.url, 'onboard', 'stripe'], { overrides: { prompts } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nothing was changed');
    expect(await endpointCount(emu.url)).toBe(0);
    const store = openStore(db);
    expect(store.settings.get()).toBeUndefined();
    expect(store.secrets.get('primary_key')).toBeUndefined();
    store.close();
  });

  it('--no-webhook registers no endpoint and prints the stripe listen steps', async () => {
    const emu = await emulator({ keys: { [PRIMARY]: ALL_PERMS } });
    const db = tempDb();
    const r = await runCli(['--db', db, '--stripe-api-base', emu.url, 'onboard', 'stripe', '--env', 'test', '--scope', 'account',
      '--primary-key', PRIMARY, '--no-webhook', '--control-baseline', 'stripe', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('stripe listen --forward-to localhost:4242/stripe/webhook');
    expect(await endpointCount(emu.url)).toBe(0);
    const st = await runCli(['--db', db, '--json', 'status']);
    const checks = JSON.parse(st.stdout).checks as Array<{ name: string; ok: boolean }>;
    expect(checks.find((c) => c.name === 'webhook endpoint')).toMatchObject({ ok: true });
  });

  it('against --stripe-api-base (test keys only) the environment question offers test alone; --env live is exit 2', async () => {
    // Before: "live" was offered, then every key was refused (rk_live_: only test keys; rk_test_: wrong
    // environment), so the key question could never be answered.
    const emu = await emulator({ keys: { [PRIMARY]: ALL_PERMS } });
    const db = tempDb();
    const r = await runCli(['--db', db, '--stripe-api-base', emu.url, 'onboard', 'stripe', '--env', 'live', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'recover: invalid value for --env: "live" (accepted: test (the only environment with --stripe-api-base))',
    );
    const prompts = new ScriptedPrompts({ env: 'live', scope: 'account' });
    const r2 = await runCli(['--db', db, '--stripe-api-base', emu.url, 'onboard', 'stripe'], { overrides: { prompts } });
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toContain('scripted answer for "env" is not a choice');
  });
});
