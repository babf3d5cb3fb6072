/**
 * `recover go-live --platform recharge` and `recover offboard --platform recharge` against the
 * Recharge emulator, onboarded with a token holding exactly the required scopes.
 *
 * Recharge facts relied on: its own retries are switched off only in the portal ("How can I change
 * the number of failed charge retries?", support.getrecharge.com/hc/en-us/articles/13353795107991),
 * and an errored charge Recharge will retry carries `retry_date` (docs.rechargepayments.com/docs/charges,
 * "The charge object": retry_date "the date when the next attempt will be placed"), so go-live refuses
 * while one does. Webhooks are deleted by `DELETE /webhooks/{id}` (docs.rechargepayments.com/docs/webhooks).
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { RECOVER_TOPICS } from '../../src/connectors/recharge/types.js';
import { openStore } from '../../src/db/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDbPath } from '../db/helpers.js';
import { control, emulator } from './helpers.js';
import { REQUIRED } from './required-scopes.js';
import { setup } from '../takeover/helpers.js';
import { addCase } from '../report/seed.js';

const TOKEN = 'tok_recover_golive_0001';
const SECRET = 'client_secret_golive_0001';
const HOOK = 'https://recover.example.com/recharge/webhooks';
const DAY = 86_400_000;
const env = { RECOVER_RECHARGE_TOKEN: TOKEN, RECOVER_RECHARGE_CLIENT_SECRET: SECRET };
const json = (s: string) => JSON.parse(s.slice(s.indexOf('{')));

describe('recover go-live --platform recharge', () => {
  it('refuses while Recharge still retries, then switches after the portal hand-off; offboard undoes it', async () => {
    const emu = await emulator({ tokens: { [TOKEN]: REQUIRED }, generate: { customers: 80, rngSeed: 5 } });
    const db = tempDbPath();
    const on = await runCli(
      ['--db', db, 'onboard', 'recharge', '--recharge-api-base', emu.url, '--webhook-url', HOOK, '--yes'],
      { env },
    );
    expect(on.code, on.stderr).toBe(0);
    const since = openStore(db).settings.require().recharge!.shadowSince;
    const at = (days: number) => ({ overrides: { clock: new FakeClock(since + days * DAY) } });
    const mode = () => openStore(db).settings.require().recharge!.mode;

    // Day 2, Recharge's retries still on (a fresh store): not switched, the portal steps printed.
    const early = await runCli(['--db', db, 'go-live', '--platform', 'recharge', '--yes'], at(2));
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('only 2 days of shadow ingest (≥ 7 recommended before go-live)');
    expect(early.stderr).toContain('not switched: portal hand-off failed; nothing was changed');
    expect(early.stdout).toMatch(/portal hand-off\s+│ \S+\s+│ Recharge still plans retries of [1-9]\d* of/);
    expect(early.stdout).toContain('Settings → Payment → Failed charges: set the number of retries to 0.');
    expect(mode()).toBe('shadow');

    // The merchant switches them off in the portal; on day 8 go-live checks and switches.
    expect((await control(emu, 'settings', { recharge_retries: false })).status).toBe(200);
    const r = await runCli(['--db', db, '--json', 'go-live', '--platform', 'recharge', '--yes'], at(8));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('recommended before go-live');
    const out = json(r.stdout);
    expect(out).toMatchObject({ platform: 'recharge', mode: 'live', switched: true, shadow: { days: 8 } });
    expect(out.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok])).toEqual([
      ['recharge token', true],
      ['retry endpoint', true],
      ['webhooks', true],
      ['portal hand-off', true],
    ]);
    const saved = openStore(db).settings.require();
    expect(saved.recharge!.mode).toBe('live');
    expect(saved.mode).toBe('shadow'); // the Stripe side's mode is its own
    expect(saved.armsAssignedAt).toBe(since + 8 * DAY);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);

    // Without --platform a Recharge-only database means the store; a second run changes nothing.
    const again = await runCli(['--db', db, 'go-live', '--yes'], at(9));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Already in live mode; nothing to change.');

    const back = await runCli(['--db', db, 'go-live', '--back-to-shadow', '--yes'], at(9));
    expect(back.code, back.stderr).toBe(0);
    expect(mode()).toBe('shadow');

    const hooks = () => (emu.state() as { webhooks: Array<{ address: string }> }).webhooks;
    expect(hooks().length).toBeGreaterThan(0);
    const off = await runCli(['--db', db, '--json', 'offboard', '--platform', 'recharge', '--yes'], at(10));
    expect(off.code, off.stderr).toBe(0);
    const deleted = RECOVER_TOPICS.length;
    expect(json(off.stdout)).toMatchObject({ offboarded: true, mode: 'shadow', webhooksDeleted: deleted });
    expect(hooks().filter((h) => h.address === HOOK)).toHaveLength(0);
    const twice = await runCli(['--db', db, 'offboard', '--platform', 'recharge', '--yes'], at(10));
    expect(twice.code, twice.stderr).toBe(0);
    expect(twice.stdout).toContain('rc_store: mode shadow; 0 webhooks deleted.');
    expect(twice.stdout).toContain("Restore Recharge's own retries");
  });

  it("leaves a Recharge store's cases out of the Stripe go-live in a database holding both", async () => {
    const s = await setup({ customers: 60, baseline: 'stripe', mode: 'shadow' });
    expect((await s.takeover()).code).toBe(0);
    const store = s.store();
    addCase(store, {
      platform: 'recharge',
      account: 'rc_tea',
      arm: 'treatment',
      amount: 2450,
      currency: 'usd',
      entered: s.emu.now() - DAY,
    });
    const r = await runCli([...s.base, '--json', 'go-live', '--platform', 'stripe', '--yes'], {
      overrides: { clock: s.clock },
    });
    expect(r.code, r.stderr).toBe(0);
    const out = json(r.stdout);
    expect(out).toMatchObject({ mode: 'live', switched: true, handedOver: { failed: 0 } });
    expect(out.handedOver.changed).toBeGreaterThan(0);
  });

  it('refuses clearly when no Recharge store is onboarded, and a bad --platform in one line', async () => {
    const db = tempDbPath();
    openStore(db).close();
    const r = await runCli(['--db', db, 'go-live', '--platform', 'recharge', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no Recharge store is onboarded');
    expect(r.stderr).toContain('recover onboard recharge');
    const bad = await runCli(['--db', db, 'offboard', '--platform', 'paypal', '--yes']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('paypal');
  });
});
