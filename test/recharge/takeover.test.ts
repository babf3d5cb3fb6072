/**
 * `recover takeover --platform recharge` against the emulator: every charge in `error` (status
 * and error_type per 2021-11, src/emulators/recharge/README.md) becomes one case keyed by
 * (recharge, rc_<store>, charge id), amounts converted from Recharge's decimal strings; a second
 * run imports nothing twice; --dry-run writes nothing.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { open, tempDbPath } from '../db/helpers.js';
import { client, emulator } from './helpers.js';
import { REQUIRED } from './required-scopes.js';

const TOKEN = 'tok_recover_exact_0002';
const env = { RECOVER_RECHARGE_TOKEN: TOKEN, RECOVER_RECHARGE_CLIENT_SECRET: 'client_secret_0002' };

describe('recover takeover --platform recharge', () => {
  it('imports the errored charges once, in minor units, and dry-runs without writing', async () => {
    const emu = await emulator({ tokens: { [TOKEN]: REQUIRED }, generate: { customers: 80, rngSeed: 5 } });
    const db = tempDbPath();
    const on = await runCli(
      ['--db', db, 'onboard', 'recharge', '--recharge-api-base', emu.url, '--no-webhook', '--yes'],
      {
        env,
      },
    );
    expect(on.code, on.stderr).toBe(0);
    const errored: Array<{ id: number; total_price: string; customer: { id: number } }> = [];
    for await (const p of client(emu).chargePages({ status: 'error', limit: 250 })) errored.push(...p.items);
    expect(errored.length).toBeGreaterThan(3);

    const take = (extra: string[]) =>
      runCli(['--db', db, '--json', 'takeover', '--platform', 'recharge', '--clock', 'emulator', ...extra], { env });
    const dry = await take(['--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    const planned = JSON.parse(dry.stdout);
    expect(planned).toMatchObject({ platform: 'recharge', account: 'rc_store', dryRun: true, alreadyPresent: 0 });
    const raw = () => new Database(db, { readonly: true });
    let r = raw();
    expect(r.prepare('SELECT count(*) AS n FROM cases').get()).toEqual({ n: 0 });
    r.close();

    const first = JSON.parse((await take([])).stdout);
    expect(first.imported).toBe(planned.imported);
    const skipped = Object.values(first.skipped as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(first.imported + skipped + first.notPayment).toBe(errored.length);
    r = raw();
    const cases = r
      .prepare(`SELECT platform, account_id, invoice_id, customer_id, amount_due, currency, source FROM cases`)
      .all() as Array<Record<string, string | number>>;
    r.close();
    expect(cases).toHaveLength(first.imported);
    for (const c of cases) {
      const ch = errored.find((e) => String(e.id) === c.invoice_id)!;
      expect(c).toMatchObject({ platform: 'recharge', account_id: 'rc_store', source: 'takeover' });
      expect(c.customer_id).toBe(String(ch.customer.id));
      expect(c.amount_due).toBe(Math.round(Number(ch.total_price) * 100)); // USD: 2 decimals
    }

    const second = JSON.parse((await take([])).stdout);
    expect(second).toMatchObject({ imported: 0, alreadyPresent: first.imported });
  });

  it('refuses a database without a Recharge store, naming the command to run', async () => {
    const db = tempDbPath();
    open(db).close(); // a database, but nothing onboarded
    const r = await runCli(['--db', db, 'takeover', '--platform', 'recharge'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('has no Recharge store set up');
    expect(r.stderr).toContain('recover onboard recharge');
  });
});
