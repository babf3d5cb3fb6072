/**
 * `recover onboard recharge` against the Recharge emulator over HTTP, with a token holding
 * exactly the scopes recover asks for (issue 17 §2: Butter's list, charges under `*_orders` per
 * the API reference's scope list — docs.rechargepayments.com/docs/charges names `*_charges` too).
 * `/charges/{id}/process` is a Pro feature (docs.rechargepayments.com/docs/charges, Charges FAQ);
 * the portal steps are Recharge's help-centre pages cited in src/connectors/recharge/handoff.ts.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { RECOVER_TOPICS } from '../../src/connectors/recharge/types.js';
import { runCli } from '../helpers/cli.js';
import { tempDbPath } from '../db/helpers.js';
import { emulator } from './helpers.js';
import { REQUIRED } from './required-scopes.js';

const TOKEN = 'tok_recover_exact_0001';
const SECRET = 'client_secret_for_tests_0001';
const HOOK = 'https://recover.example.com/recharge/webhooks';

function argv(db: string, url: string, extra: string[] = []): string[] {
  return [
    '--db',
    db,
    'onboard',
    'recharge',
    '--recharge-api-base',
    url,
    '--store',
    'teashop',
    '--webhook-url',
    HOOK,
    '--yes',
    ...extra,
  ];
}
const env = { RECOVER_RECHARGE_TOKEN: TOKEN, RECOVER_RECHARGE_CLIENT_SECRET: SECRET };

describe('recover onboard recharge', () => {
  it('probes the scopes, registers every webhook once, prints the portal steps and saves shadow mode', async () => {
    const emu = await emulator({ tokens: { [TOKEN]: REQUIRED }, generate: { customers: 60, rngSeed: 3 } });
    const db = tempDbPath();
    const r = await runCli(argv(db, emu.url), { env });
    expect(r.stderr).not.toContain(TOKEN);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/charges read\s+│ read_orders \|[^\n]*│ ok\s+│ read_orders/);
    expect(r.stdout).toContain('Settings → Payment → Failed charges: set the number of retries to 0.');
    expect(r.stdout).toContain(`Webhooks at ${HOOK}: ${RECOVER_TOPICS.length} created, 0 kept.`);
    // Recharge's retries are on in a fresh store: the generated errored charges carry a retry_date.
    expect(r.stderr).toMatch(/Recharge still plans retries of \d+ of \d+ errored charges/);
    const hooks = (emu.state() as { webhooks: Array<{ address: string; topic: string }> }).webhooks;
    expect(hooks.map((h) => h.topic).sort()).toEqual([...RECOVER_TOPICS].sort());
    expect(hooks.every((h) => h.address === HOOK)).toBe(true);

    const raw = new Database(db, { readonly: true });
    const settings = JSON.parse((raw.prepare('SELECT json FROM settings').get() as { json: string }).json);
    const account = raw.prepare(`SELECT id, platform, kind FROM accounts`).all();
    const secrets = raw.prepare(`SELECT name FROM secrets ORDER BY name`).all();
    raw.close();
    expect(settings.recharge).toMatchObject({
      accountId: 'rc_teashop',
      mode: 'shadow',
      processAllowed: true,
      controlBaseline: 'fixed:3,5,7',
      endAction: { type: 'cancel' },
      webhookUrl: HOOK,
    });
    expect(account).toEqual([{ id: 'rc_teashop', platform: 'recharge', kind: 'main' }]);
    expect(secrets).toEqual([{ name: 'recharge_client_secret' }, { name: 'recharge_token' }]);

    // A second run finds the webhooks: nothing duplicated.
    const again = await runCli(argv(db, emu.url), { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`0 created, ${RECOVER_TOPICS.length} kept.`);
    expect((emu.state() as { webhooks: unknown[] }).webhooks).toHaveLength(RECOVER_TOPICS.length);
  });

  it('names the exact missing scope and saves nothing', async () => {
    const emu = await emulator({ tokens: { [TOKEN]: REQUIRED.filter((s) => s !== 'read_customers') } });
    const db = tempDbPath();
    const r = await runCli(argv(db, emu.url), { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the Recharge token lacks read_customers; nothing was saved');
    expect(r.stdout).toMatch(/customers read\s+│ read_customers\s+│ missing/);
    expect((emu.state() as { webhooks: unknown[] }).webhooks).toHaveLength(0);
    // The database this run created holds nothing, so it is removed (a rerun starts clean).
    expect(existsSync(db)).toBe(false);
  });

  it('says so when the plan refuses /charges/{id}/process; leaving needs no subscriptions write', async () => {
    const scopes = REQUIRED.filter((s) => s !== 'write_subscriptions');
    const emu = await emulator({ tokens: { [TOKEN]: scopes }, plan: 'standard', rechargeRetries: false });
    const db = tempDbPath();
    const r = await runCli(argv(db, emu.url, ['--end-action', 'leave']), { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("This store's Recharge plan refuses POST /charges/{id}/process");
    expect(r.stdout).toContain('the hand-off checks out');
    const raw = new Database(db, { readonly: true });
    const settings = JSON.parse((raw.prepare('SELECT json FROM settings').get() as { json: string }).json);
    raw.close();
    expect(settings.recharge).toMatchObject({ processAllowed: false, endAction: { type: 'leave' } });
  });

  it('refuses a bad flag in one line, before any call', async () => {
    const emu = await emulator();
    const db = tempDbPath();
    const r = await runCli(argv(db, emu.url, ['--control-baseline', 'stripe']), { env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--control-baseline');
    expect(emu.requests().total).toBe(0);
  });
});
