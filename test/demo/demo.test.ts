/**
 * `recover demo` end to end, as a newcomer runs it: emulator + synthetic merchant → onboard →
 * takeover → daemon over the 30 simulated days that end now → report. Asserts what the README
 * promises: a like-for-like measurement (equal retry windows; renewal failures that arrived by
 * webhook measured apart from the taken-over backlog; a winner named only when the anytime-valid
 * interval excludes 0), no network cap broken, and a self-contained HTML report. Which arm
 * recovers more is what the demo measures, not what this test may assume at 400 customers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/env.js';

describe('recover demo', () => {
  it('measures like for like (equal windows, renewal cohorts apart from the backlog) and writes the HTML report', async () => {
    const dir = tempDir();
    const html = join(dir, 'demo-report.html');
    const r = await runCli(['--json', 'demo', '--customers', '400', '--seed', '3', '--html', html]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const m = report.measurement;
    // Equal windows: Smart Retries' is the demo's dunning window, so no note about the longer one.
    expect([m.dunningDays, m.baselineWindowDays, m.windowNote, m.assignedFrom]).toEqual([14, 14, null, 'settings']);
    // Renewals failed while the daemon ran: new cases in both arms, apart from the backlog.
    const newCases = (arm: 'treatment' | 'control') => m.headline[arm].cases + m.headline.inProgress[arm].cases;
    expect(newCases('treatment')).toBeGreaterThan(30);
    expect(newCases('control')).toBeGreaterThan(5);
    expect(m.backlog.treatment.cases).toBeGreaterThan(50);
    // Simulated time ends now (the kept database answers `report` with its defaults).
    expect(Math.abs(Date.parse(m.asOfIso) - Date.now())).toBeLessThan(10 * 60_000);
    for (const p of [m.headline, m.backlog]) {
      if (p.winner !== null) expect(p.anytime.low > 0 || p.anytime.high < 0).toBe(true);
    }
    // Hard declines taken over at the start ended then, on the simulated clock (not the wall clock).
    expect(report.headline.hardDeclined).toBeGreaterThan(0);
    expect(report.headline.networkCapViolations.total).toBe(0);
    expect(report.headline.networkCapViolations.audited).toBeGreaterThan(100);
    const ours = report.attribution.find((a: { by: string }) => a.by === 'recover');
    expect(ours.count).toBeGreaterThan(0);
    expect(existsSync(html)).toBe(true);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  }, 180_000);
});
