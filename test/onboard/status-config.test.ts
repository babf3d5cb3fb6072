import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/index.js';
import { runCli } from '../helpers/cli.js';
import { ALL_PERMS, emulator, tempDb } from '../helpers/env.js';

const KEY = 'rk_test_statusprimary000000007a7a';
const HOOK = 'https://pay.example.com/stripe/webhook';

async function onboarded(perms = ALL_PERMS) {
  const emu = await emulator({ keys: { [KEY]: ALL_PERMS, rk_test_weakened000000000000: perms } });
  const db = tempDb();
  const r = await runCli(['--db', db, '--stripe-api-base', emu.url, 'onboard', 'stripe', '--env', 'test', '--scope', 'account',
    '--primary-key', KEY, '--webhook-url', HOOK, '--control-baseline', 'stripe', '--yes']);
  expect(r.code).toBe(0);
  return { emu, db };
}

describe('recover status', () => {
  it('names the saved emulator URL when it is unreachable (recover demo --keep once its emulator stopped)', async () => {
    const { emu, db } = await onboarded();
    await emu.close();
    const r = await runCli(['--db', db, '--json', 'status']);
    expect(r.code).toBe(1);
    const checks = JSON.parse(r.stdout).checks as Array<{ name: string; detail: string }>;
    expect(checks.find((c) => c.name === 'primary key')?.detail).toMatch(
      `Stripe unreachable at ${emu.url} (is the emulator running?): `,
    );
  });

  it('reports a healthy set-up with every check ok', async () => {
    const { emu, db } = await onboarded();
    const r = await runCli(['--db', db, '--stripe-api-base', emu.url, 'status', '--json']);
    // Only the one line saying which clock dated the checks (against an emulator).
    expect(r.stderr).toMatch(/^note: "now" is this machine's clock, [^\n]+\n$/);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ environment: 'test', scope: 'account', mode: 'shadow', baseline: 'stripe', healthy: true, installation: null });
    // No daemon yet is only a warning while there is nothing for one to do (shadow, no cases).
    expect(s.checks.map((c: { name: string; ok: boolean; warnOnly?: boolean }) => [c.name, c.ok, c.warnOnly ?? false])).toEqual([
      ['primary key', true, false], ['webhook endpoint', true, false], ['smart retries', true, false],
      ['daemon', false, true], ['next attempt', true, false], ['inbox', true, false],
    ]);
    expect(s.nextAttemptAt).toBeNull();
    expect(r.stdout).not.toContain(KEY);
  });

  it('exits 1, naming both, when no daemon runs and an attempt is two days overdue (a probe that tells the truth)', async () => {
    const { emu, db } = await onboarded();
    const store = openStore(db);
    store.accounts.upsert({ id: 'self', environment: 'test', kind: 'main' });
    const day = 86_400_000;
    const { id } = store.cases.upsert({
      accountId: 'self', invoiceId: 'in_overdue1', customerId: 'cus_overdue1', amountDue: 1000, currency: 'usd', invoiceCreatedAt: Date.now() - 5 * day,
      firstFailedAt: Date.now() - 4 * day, source: 'takeover', arm: 'treatment', status: 'in_dunning', dunningDeadline: Date.now() + 20 * day,
    });
    store.attempts.schedule(id, Date.now() - 2 * day);
    store.close();
    const r = await runCli(['--db', db, '--stripe-api-base', emu.url, 'status', '--json']);
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout);
    expect(s.healthy).toBe(false);
    const failing = s.checks.filter((c: { ok: boolean; warnOnly?: boolean }) => !c.ok && !c.warnOnly);
    expect(failing.map((c: { name: string }) => c.name)).toEqual(['daemon', 'next attempt']);
    expect(failing[1].detail).toMatch(/an attempt has been due since .*: start recover run/);
  });

  it('exits 1 and names the problem when the saved webhook endpoint is gone', async () => {
    const { emu, db } = await onboarded();
    const store = openStore(db);
    const id = store.settings.require().webhookEndpointId!;
    store.close();
    const del = await fetch(`${emu.url}/v1/webhook_endpoints/${id}`, { method: 'DELETE', headers: { authorization: `Bearer sk_test_admin` } });
    expect(del.status).toBe(200);
    const r = await runCli(['--db', db, '--stripe-api-base', emu.url, 'status']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/webhook endpoint\s*│\s*FAIL\s*│\s*we_\w+ not found at Stripe/);
  });

  it('without onboarding, says what to run (exit 2)', async () => {
    const r = await runCli(['--db', tempDb(), 'status']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/recover onboard stripe/);
  });
});

describe('recover config', () => {
  it('shows settings with secrets redacted, and sets a validated value', async () => {
    const { db } = await onboarded();
    const show = await runCli(['--db', db, 'config', 'show', '--json']);
    expect(show.code).toBe(0);
    const shown = JSON.parse(show.stdout);
    expect(shown.secrets.primary_key).toBe('rk_test_…7a7a');
    expect(shown.secrets.webhook_secret).toMatch(/^whsec_…\w{4}$/);
    expect(show.stdout).not.toContain(KEY);

    const set = await runCli(['--db', db, 'config', 'set', 'dunning-days', '45']);
    expect(set.code).toBe(0);
    const win = await runCli(['--db', db, 'config', 'set', 'windows', '0 9-17 * * 1-5,0 10 * * 6']);
    expect(win.code).toBe(0);
    const store = openStore(db);
    expect(store.settings.require()).toMatchObject({ dunningDays: 45, windows: ['0 9-17 * * 1-5', '0 10 * * 6'] });
    store.close();
    // Values are printed in the form config set takes back (they were JSON: {"type":"cancel_after_delay",…}).
    const act = await runCli(['--db', db, 'config', 'set', 'subscriptionAction', 'cancel_after_delay:2d6h:prorate']);
    expect(act.stdout).toBe('subscriptionAction: cancel_at_period_end → cancel_after_delay:2d6h:prorate\n');
    const text = (await runCli(['--db', db, 'config', 'show'])).stdout;
    expect(text).toMatch(/│ subscriptionAction +│ cancel_after_delay:2d6h:prorate +│/);
    expect(text).toMatch(/│ windows +│ 0 9-17 \* \* 1-5,0 10 \* \* 6 +│/);
    expect(text).toMatch(/│ attemptCost +│ 25 \(US cents per attempt\) +│/);
    const again = await runCli(['--db', db, 'config', 'set', 'windows', '0 9-17 * * 1-5,0 10 * * 6']);
    expect(again.stdout).toBe('windows: 0 9-17 * * 1-5,0 10 * * 6 → 0 9-17 * * 1-5,0 10 * * 6\n');
  });

  it('rejects a bad value or key with exit 2 and changes nothing', async () => {
    const { db } = await onboarded();
    const before = openStore(db);
    const settings = before.settings.require();
    before.close();
    const bad = await runCli(['--db', db, 'config', 'set', 'controlShare', '0.8']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid value for controlShare: "0.8"');
    const cron = await runCli(['--db', db, 'config', 'set', 'windows', 'every day']);
    expect(cron.code).toBe(2);
    expect(cron.stderr).toContain('cron');
    const key = await runCli(['--db', db, 'config', 'set', 'primaryKey', 'x']);
    expect(key.code).toBe(2);
    expect(key.stderr).toMatch(/invalid value for key: "primaryKey" \(accepted: dunningDays \|/);
    const after = openStore(db);
    expect(after.settings.require()).toEqual(settings);
    after.close();
  });
});
