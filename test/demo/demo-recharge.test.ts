/**
 * `recover demo --platform recharge` end to end, as a newcomer runs it: the Recharge emulator with
 * a synthetic store → onboard recharge → takeover → shadow week → portal hand-off → go-live →
 * 30 days that end now → report. Asserts the loop's promises: nothing charged in shadow; after
 * go-live Recharge retries nothing (its retries switched off store-wide in the portal, which the
 * emulator models by dropping planned retry_dates: src/emulators/recharge/control.ts) so no charge
 * is retried by both; the control arm keeps Recharge's documented schedule (1 day, then every 6
 * days: support.rechargepayments.com/hc/en-us/articles/360030618053, DEFAULT_RETRY_DAYS) and the
 * treatment arm, recover's policy, recovers a larger share of the new failures (at this size and
 * seed by a wide margin: 53/70 against 25/65 when written).
 */
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/env.js';

describe('recover demo --platform recharge', () => {
  it('runs onboard → shadow week → go-live → 30 days → report, treatment beating control', async () => {
    const dir = tempDir();
    const html = join(dir, 'demo-report.html');
    const db = join(dir, 'demo.db');
    const args = ['--customers', '1500', '--seed', '2', '--html', html, '--keep'];
    const r = await runCli(['--db', db, '--json', 'demo', '--platform', 'recharge', ...args]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const m = report.measurement;
    expect(report.platforms.map((p: { platform: string }) => p.platform)).toEqual(['recharge']);
    expect(m.baselineLabel).toBe('fixed schedule (1, 6, 6, 6, 6, 6, 6 days)');
    expect([m.dunningDays, m.baselineWindowDays, m.windowNote, m.assignedFrom]).toEqual([14, 14, null, 'settings']);
    // go-live came after the shadow week: the arms were assigned 30 days before the end (now).
    expect(Math.abs(Date.parse(m.asOfIso) - Date.now())).toBeLessThan(10 * 60_000);
    expect(Math.abs(Date.parse(m.asOfIso) - Date.parse(m.assignedAtIso) - 30 * 86_400_000)).toBeLessThan(3_600_000);
    const { treatment: t, control: k } = m.headline;
    expect(t.cases).toBeGreaterThan(40);
    expect(k.cases).toBeGreaterThan(40);
    expect(t.rate).toBeGreaterThan(k.rate);
    expect(m.backlog.treatment.cases + m.backlog.control.cases).toBeGreaterThan(100);
    // Recharge exposes no card fingerprint: the audit counts each case as its card (as the policy does),
    // so recover's attempts are audited (before: 0 audited) and break no rule.
    expect(report.headline.networkCapViolations.audited).toBeGreaterThan(300);
    expect(report.headline.networkCapViolations.total).toBe(0);
    expect(report.attribution.find((a: { by: string }) => a.by === 'recover').count).toBeGreaterThan(50);
    // Recoveries by the platform's own retries (the shadow week) are named after Recharge, not Stripe.
    expect(report.attribution.find((a: { by: string }) => a.by === 'stripe')).toMatchObject({
      label: 'Recharge (its own retries)',
    });

    const raw = new Database(db, { readonly: true });
    const settings = JSON.parse((raw.prepare('SELECT json FROM settings').get() as { json: string }).json);
    expect(settings.recharge).toMatchObject({ mode: 'live', accountId: 'rc_demo-shop' });
    const count = (sql: string) => (raw.prepare(sql).get(settings.armsAssignedAt) as { n: number }).n;
    const charged = `outcome IN ('succeeded', 'declined')`;
    // Shadow charged nothing; after go-live only recover retried (the first attempt is the renewal itself).
    expect(
      count(`SELECT count(*) AS n FROM attempts WHERE made_by = 'recover' AND ${charged} AND finished_at < ?`),
    ).toBe(0);
    expect(count(`SELECT count(*) AS n FROM attempts WHERE made_by = 'stripe' AND n > 1 AND finished_at > ?`)).toBe(0);
    expect(
      count(`SELECT count(*) AS n FROM attempts WHERE made_by = 'recover' AND ${charged} AND finished_at > ?`),
    ).toBeGreaterThan(300);
    raw.close();
    expect(existsSync(html)).toBe(true);
    expect(readFileSync(html, 'utf8')).toContain('fixed schedule (1, 6, 6, 6, 6, 6, 6 days)');
    // The kept database's hint (`report --platform recharge --since <first day>`, printed without --json)
    // reports the same cases as the demo did, not `report`'s default last 30 days.
    const since = ['--platform', 'recharge', '--since', String(report.period.sinceIso).slice(0, 10)];
    const again = await runCli(['--db', db, '--json', 'report', ...since]);
    expect(again.code, again.stderr).toBe(0);
    expect(report.headline.entered).toBeGreaterThan(
      JSON.parse((await runCli(['--db', db, '--json', 'report'])).stdout).headline.entered,
    );
    expect(JSON.parse(again.stdout).headline.entered).toBe(report.headline.entered);
  }, 180_000);
});
