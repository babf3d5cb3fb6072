/**
 * Issue 15 §5, bad input: each case is a one-line message naming the bad value and what is
 * accepted, exit 2, and nothing changed (the settings row, the database file, the cases).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import net from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/index.js';
import { generateMerchant } from '../../src/emulator/index.js';
import { onboardNoWebhook, runCli } from '../helpers/cli.js';
import { LEAST_KEY, emulator, tempDb, tempDir } from '../helpers/env.js';

const SECRET = 'whsec_badinputtest0000000000000000';

async function onboarded(o: { merchant?: boolean } = {}) {
  const emu = await emulator(o.merchant ? { seed: generateMerchant({ customers: 40, rngSeed: 5 }) } : {});
  const db = tempDb();
  const r = await runCli(onboardNoWebhook(db, emu.url, 'stripe'), { env: { RECOVER_PRIMARY_KEY: LEAST_KEY } });
  expect(r.code, r.stderr).toBe(0);
  return { emu, db };
}

/** The stored settings JSON, to show that a refused command changed nothing. */
function settingsOf(db: string): string {
  const s = openStore(db);
  try {
    return JSON.stringify(s.settings.require());
  } finally {
    s.close();
  }
}

/** Exactly one `recover: …` line (plus at most a `next:` line and the clock note), exit 2. */
function expectOneLine(r: { code: number; stderr: string }, ...parts: string[]): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.split('\n').filter((l) => l && !l.startsWith('note:') && !l.startsWith('  next:'));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^recover: /);
  for (const p of parts) expect(lines[0]).toContain(p);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('config set refuses what Number() or a loose parse would have accepted', () => {
  it.each([
    ['dunningDays', '0x10', 'an integer from 1 to 120'],
    ['dunningDays', '1e1', 'an integer from 1 to 120'],
    ['baselineWindowDays', '14.0', 'an integer from 1 to 120'],
    ['controlShare', '1e-1', 'a number from 0 to 0.5'],
    ['rateLimitPerSec', '0.01', 'from 1 to 10000'], // the daemon would make no call in 30 s
    ['rateLimitPerSec', '1e-9', 'from 1 to 10000'], // the token bucket's timer would overflow
    ['rateLimitPerSec', 'Infinity', 'from 1 to 10000'],
    ['subscriptionAction', 'leave:now', 'cancel_after_delay[:<delay'],
    ['subscriptionAction', 'cancel_after_delay:2d:prorate:extra', 'cancel_after_delay[:<delay'],
    ['subscriptionAction', 'cancel_after_delay:2d:yes', 'prorate|no-prorate'],
    ['controlBaseline', 'fixed:0,0,0', 'each 1 to 120'],
    ['controlBaseline', 'fixed:3,500', 'each 1 to 120'],
  ])('%s %s', async (key, value, accepted) => {
    const { db } = await onboarded();
    const before = settingsOf(db);
    const r = await runCli(['--db', db, 'config', 'set', key, value]);
    expectOneLine(r, `${key}: ${JSON.stringify(value)}`, accepted);
    expect(settingsOf(db)).toBe(before);
  });

  it('still accepts plain values, and cancel_after_delay:…:no-prorate turns proration off', async () => {
    const { db } = await onboarded();
    for (const [k, v] of [
      ['dunningDays', '45'],
      ['controlShare', '.2'],
      ['rateLimitPerSec', '20'],
      ['controlBaseline', 'stripe'],
      ['subscriptionAction', 'cancel_after_delay:2d6h:prorate'],
      ['subscriptionAction', 'cancel_after_delay:1d:no-prorate'],
    ]) {
      const r = await runCli(['--db', db, 'config', 'set', k!, v!]);
      expect(r.code, `${k} ${v}: ${r.stderr}`).toBe(0);
    }
    expect(JSON.parse(settingsOf(db))).toMatchObject({
      dunningDays: 45,
      controlShare: 0.2,
      rateLimitPerSec: 20,
      subscriptionAction: { type: 'cancel_after_delay', delayMs: 86_400_000, prorate: false },
    });
  });
});

describe('onboard --control-baseline', () => {
  it('fixed:0,0 is one line before any Stripe call, and nothing is saved', async () => {
    const emu = await emulator();
    const db = tempDb();
    const r = await runCli(onboardNoWebhook(db, emu.url, 'fixed:0,0'), { env: { RECOVER_PRIMARY_KEY: LEAST_KEY } });
    expectOneLine(r, '--control-baseline: "fixed:0,0"', 'each 1 to 120');
    expect(r.stdout).not.toContain('Permissions of the primary key');
    const s = openStore(db);
    expect(s.settings.get()).toBeUndefined();
    s.close();
  });
});

describe('switching the control baseline with control invoices in dunning', () => {
  it('fixed → stripe is refused while a control case is open, allowed once none is', async () => {
    const { db } = await onboarded();
    const store = openStore(db);
    store.settings.set({ ...store.settings.require(), controlBaseline: 'fixed:3,5,7' });
    store.accounts.upsert({ id: 'self', environment: 'test', kind: 'main' });
    const day = 86_400_000;
    const { id } = store.cases.upsert({
      accountId: 'self',
      invoiceId: 'in_ctrl1',
      customerId: 'cus_ctrl1',
      amountDue: 1000,
      currency: 'usd',
      invoiceCreatedAt: Date.now() - day,
      firstFailedAt: Date.now() - day,
      source: 'takeover',
      arm: 'control',
      status: 'in_dunning',
      dunningDeadline: Date.now() + 20 * day,
    });
    store.close();
    const before = settingsOf(db);
    // From fixed: recover paused the control invoice (auto_advance=false); under stripe nobody would retry it.
    const r = await runCli(['--db', db, 'config', 'set', 'controlBaseline', 'stripe']);
    expectOneLine(
      r,
      'controlBaseline cannot change from fixed:3,5,7 to stripe while 1 control-group invoice(s) are still in dunning',
    );
    expect(settingsOf(db)).toBe(before);
    // Another fixed schedule is fine: recover still retries the control arm.
    expect((await runCli(['--db', db, 'config', 'set', 'controlBaseline', 'fixed:2,4,6'])).code).toBe(0);
    const s = openStore(db);
    s.cases.setStatus(id, 'lost');
    s.close();
    const ok = await runCli(['--db', db, 'config', 'set', 'controlBaseline', 'stripe']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(settingsOf(db)).controlBaseline).toBe('stripe');
  });
});

describe('report --since and --until', () => {
  it.each(['99999999999999999999d', '999999999d', '+275760-01-01', '1969-12-31'])(
    '%s is refused, not a RangeError',
    async (since) => {
      const { db } = await onboarded();
      const r = await runCli(['--db', db, 'report', '--since', since]);
      expectOneLine(r, `--since: ${JSON.stringify(since)}`, 'from 1970 to 9999');
    },
  );
});

describe('global flags', () => {
  it.each([
    ['http://127.0.0.1:12111/v1', 'http://127.0.0.1:12111/v1'],
    ['http://127.0.0.1:12111/?x=1', 'http://127.0.0.1:12111/?x=1'],
    ['http://user:sk_test_hunter2hunter2@127.0.0.1:12111', 'http://…@127.0.0.1:12111/'],
  ])('--stripe-api-base %s is refused rather than cut to its origin', async (url, shown) => {
    const r = await runCli(['--db', tempDb(), '--stripe-api-base', url, 'status']);
    expectOneLine(r, `--stripe-api-base: ${JSON.stringify(shown)}`, 'without credentials, path, query or fragment');
    expect(r.stderr).not.toContain('hunter2');
  });

  it.each([
    ['takeover'],
    ['run', '--once'],
    ['config', 'set', 'dunningDays', '40'],
    ['go-live', '--yes'],
    ['offboard', '--yes'],
    ['backup', 'copy.db'],
  ])('a mistyped --db is not created by %s', async (...args) => {
    const dir = tempDir();
    const db = join(dir, 'recvoer.db');
    const r = await runCli(['--db', db, ...args.map((a) => (a === 'copy.db' ? join(dir, a) : a))]);
    expectOneLine(r, `no database at ${db}`);
    expect(existsSync(db)).toBe(false);
    expect(existsSync(join(dir, 'copy.db'))).toBe(false);
  });
});

describe('recover run cannot listen', () => {
  it('--port in use: one line naming the port, exit 2', async () => {
    const { emu, db } = await onboarded();
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const r = await runCli([
        '--db',
        db,
        '--stripe-api-base',
        emu.url,
        'run',
        '--port',
        String(port),
        '--webhook-secret',
        SECRET,
      ]);
      expectOneLine(r, `--port ${port} is already in use on 127.0.0.1`, 'a free port');
    } finally {
      busy.close();
    }
  });

  it.each(['no such host!', '203.0.113.7'])('--host %s: one line naming the host, exit 2', async (host) => {
    const { emu, db } = await onboarded();
    const r = await runCli([
      '--db',
      db,
      '--stripe-api-base',
      emu.url,
      'run',
      '--host',
      host,
      '--port',
      '0',
      '--webhook-secret',
      SECRET,
    ]);
    expectOneLine(r, `--host: ${JSON.stringify(host)}`, 'an address of this machine');
  });
});

describe('a damaged database', () => {
  it('status, report and explain print one line naming the file, no stack trace', async () => {
    const { emu, db } = await onboarded({ merchant: true });
    const t = await runCli(['--db', db, '--stripe-api-base', emu.url, 'takeover', '--clock', 'emulator']);
    expect(t.code, t.stderr).toBe(0);
    const store = openStore(db);
    const invoice = [...store.cases.iterate()][0]!.invoiceId;
    store.close();
    const copy = join(tempDir(), 'damaged.db');
    expect((await runCli(['--db', db, 'backup', copy])).code).toBe(0);
    corruptTablePages(copy, ['cases', 'decisions', 'attempts']);
    for (const args of [['status'], ['report'], ['explain', invoice]]) {
      const r = await runCli(['--db', copy, '--stripe-api-base', emu.url, ...args]);
      expectOneLine(r, `the database ${copy} is damaged`, 'SQLITE_CORRUPT');
    }
  });
});

/** Overwrites the leaf pages of these tables (found with SQLite's dbstat) with garbage; the schema stays intact. */
function corruptTablePages(file: string, tables: string[]): void {
  const raw = new Database(file);
  raw.pragma('journal_mode = DELETE'); // everything in the main file, no WAL to replay over the damage
  const pageSize = raw.pragma('page_size', { simple: true }) as number;
  const pages = raw
    .prepare(`SELECT pageno FROM dbstat WHERE pagetype = 'leaf' AND name IN (${tables.map(() => '?').join(',')})`)
    .pluck()
    .all(...tables) as number[];
  raw.close();
  expect(pages.length).toBeGreaterThan(0);
  const buf = readFileSync(file);
  for (const p of pages) buf.fill(0x5a, (p - 1) * pageSize, p * pageSize);
  writeFileSync(file, buf);
}
