/**
 * `recover report` over one database holding a Stripe account and a Recharge store (issue 17 §1):
 * each platform apart (text table, `--json` `platforms`, the HTML "By platform" section in
 * chromium) and together (the rest of the report), and `--platform` for one alone. Every figure
 * below is counted by hand from the seed.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { openStore, type Store } from '../../src/db/index.js';
import { buildReport, renderHtml } from '../../src/report/index.js';
import { explainCase } from '../../src/commands/explain.js';
import { runCli } from '../helpers/cli.js';
import { tempDb, tempDir } from '../helpers/env.js';
import { addCase, ended, ourAttempt, recovered } from './seed.js';

const D = (day: number, hour = 12) => Date.UTC(2026, 1, day, hour);
/** Six weeks after February: every cohort is past its 30-day dunning window (mature). */
const NOW = Date.UTC(2026, 3, 15);
const PERIOD = { since: Date.UTC(2026, 1, 1), until: Date.UTC(2026, 2, 1) };

/**
 * Stripe `self`: treatment 4 (2 recovered by recover, 2 lost), control 2 (1 recovered by Stripe, 1 lost).
 * Recharge `rc_tea`: treatment 3 (3 recovered), control 2 (2 lost). Together: 11 entered, 6 recovered.
 */
function seed(path: string): Store {
  const store = openStore(path, { clock: new FakeClock(NOW) });
  store.settings.set({
    env: 'test',
    scope: 'account',
    controlBaseline: 'stripe',
    defaultTimezone: 'UTC',
    armsAssignedAt: Date.UTC(2026, 0, 31),
    recharge: {
      accountId: 'rc_tea',
      mode: 'live',
      shadowSince: Date.UTC(2026, 0, 20),
      controlBaseline: 'fixed:3,5,7',
      endAction: { type: 'leave' },
      processAllowed: true,
    },
  } as never);
  const one = (platform: 'stripe' | 'recharge', arm: 'treatment' | 'control', day: number, paid: boolean) => {
    const account = platform === 'stripe' ? 'self' : 'rc_tea';
    const id = addCase(store, { platform, account, arm, amount: 2000, currency: 'usd', entered: D(day) });
    if (arm === 'treatment') ourAttempt(store, id, D(day + 2), paid ? 'succeeded' : 'declined');
    if (paid) recovered(store, id, D(day + 2), arm === 'treatment' ? 'recover' : 'stripe', 2000);
    else ended(store, id, 'lost', D(day + 30));
  };
  [true, true, false, false].forEach((paid, i) => one('stripe', 'treatment', 2 + i, paid));
  [true, false].forEach((paid, i) => one('stripe', 'control', 6 + i, paid));
  [true, true, true].forEach((paid, i) => one('recharge', 'treatment', 8 + i, paid));
  [false, false].forEach((paid, i) => one('recharge', 'control', 11 + i, paid));
  return store;
}

describe('recover report with a Stripe account and a Recharge store', () => {
  it('summarizes each platform apart and all together', () => {
    const store = seed(tempDb());
    // Two final cases per arm are enough to call the lift measured at this size.
    const r = buildReport(store, { now: NOW, period: PERIOD, minResolvedPerArm: 2 });
    expect(r.headline).toMatchObject({ entered: 11, recovered: 6, resolved: 11 });
    const byName = Object.fromEntries(r.platforms!.map((p) => [p.platform, p]));
    expect(byName.stripe).toMatchObject({
      accounts: ['self'],
      entered: 6,
      recovered: 3,
      recoveryRate: 0.5,
      baselineLabel: 'Stripe Smart Retries',
      lift: { status: 'measured', treatment: { cases: 4, recovered: 2 }, control: { cases: 2, recovered: 1 } },
    });
    expect(byName.recharge).toMatchObject({
      accounts: ['rc_tea'],
      entered: 5,
      recovered: 3,
      recoveryRate: 0.6,
      baselineLabel: 'fixed schedule (3, 5, 7 days)',
      lift: { status: 'measured', treatment: { cases: 3, recovered: 3 }, control: { cases: 2, recovered: 0 } },
    });
    expect(byName.stripe!.lift.difference).toBeCloseTo(0, 9); // 2/4 − 1/2
    expect(byName.recharge!.lift.difference).toBeCloseTo(1, 9); // 3/3 − 0/2
    // One platform alone: only its cases, and no other platform listed.
    const rc = buildReport(store, { now: NOW, period: PERIOD, platform: 'recharge' });
    expect(rc.headline).toMatchObject({ entered: 5, recovered: 3 });
    expect(rc.platforms!.map((p) => p.platform)).toEqual(['recharge']);
    store.close();
  });

  it('shows the platforms in the table, in --json and with --platform', async () => {
    const db = tempDb();
    seed(db).close();
    const base = ['--db', db, 'report', '--since', '2026-02-01', '--until', '2026-02-28', '--as-of', '2026-04-15'];
    const text = await runCli(base);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('by platform, apart and together');
    expect(text.stdout).toMatch(/│ Stripe \(self\)\s+│ 6\s+│ 3 {2}\$60\.00\s+│ 50\.0%\s+│ 2\/4 · 1\/2\s+│/);
    expect(text.stdout).toMatch(/│ Recharge\s+│ 5\s+│ 3 {2}\$60\.00\s+│ 60\.0%\s+│ 3\/3 · 0\/2\s+│/);
    expect(text.stdout).toMatch(/│ all platforms\s+│ 11\s+│ 6 {2}\$120\.00\s+│ 54\.5%\s+│ 5\/7 · 1\/4\s+│/);
    const json = await runCli(['--json', ...base]);
    const out = JSON.parse(json.stdout);
    expect(out.platform).toBeNull();
    expect(out.platforms.map((p: { platform: string; entered: number }) => [p.platform, p.entered])).toEqual([
      ['stripe', 6],
      ['recharge', 5],
    ]);
    const one = await runCli(['--json', ...base, '--platform', 'stripe']);
    expect(JSON.parse(one.stdout)).toMatchObject({ platform: 'stripe', headline: { entered: 6, recovered: 3 } });
    // The CSV (`--csv` to stdout) carries the same rows: section `platform`, one key per platform.
    const csv = await runCli([...base, '--csv']);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toContain('\nplatform,stripe,entered,6,\n');
    expect(csv.stdout).toContain('\nplatform,recharge,entered,5,\n');
    expect(csv.stdout).toContain('\nplatform,recharge,recovered_amount,60.00,usd\n');
    expect(csv.stdout).toContain('\nplatform,stripe,treatment_recovered,2,\n');
    const bad = await runCli([...base, '--platform', 'paypal']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('paypal');
  });

  it.skipIf(!existsSync('/usr/bin/chromium') && !process.env.CI)(
    'draws the By platform table in chromium',
    async () => {
      const store = seed(tempDb());
      const file = join(tempDir(), 'platforms.html');
      writeFileSync(file, renderHtml(buildReport(store, { now: NOW, period: PERIOD })));
      store.close();
      const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox'],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
        await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
        const rows = await page.$$eval('#platforms tbody tr', (trs) =>
          trs.map((tr) => [
            tr.getAttribute('data-platform'),
            ...[...tr.children].slice(0, 5).map((td) => td.textContent),
          ]),
        );
        expect(rows.map((r) => [r[0], r[1], r[4], r[5]])).toEqual([
          ['stripe', 'Stripe', '3  $60.00', '50.0%'],
          ['recharge', 'Recharge', '3  $60.00', '60.0%'],
          ['all', 'all platforms', '6  $120.00', '54.5%'],
        ]);
        expect(await page.locator('#platforms').isVisible()).toBe(true);
      } finally {
        await browser.close();
      }
    },
  );

  it('explain names each case by its own platform and baseline', () => {
    const store = seed(tempDb());
    const control = (platform: string) =>
      [...store.cases.iterate()].find((c) => c.platform === platform && c.arm === 'control')!;
    // The store's control runs Recharge's schedule (fixed:3,5,7 here), not the Stripe account's Smart Retries.
    expect(explainCase(store, control('recharge'), NOW).groupNote).toBe(
      'control: retried on the baseline schedule fixed:3,5,7',
    );
    expect(explainCase(store, control('stripe'), NOW).groupNote).toBe(
      "control: left to Stripe's Smart Retries, observed",
    );
  });
});
