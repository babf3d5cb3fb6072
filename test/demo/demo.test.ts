/**
 * `recover demo` end to end, as a newcomer runs it: emulator + synthetic merchant → onboard →
 * takeover → daemon over simulated days → report. Asserts what the README promises: the
 * treatment arm recovers more than Smart Retries on the control arm, no network cap broken,
 * and a self-contained HTML report is written.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/env.js';

describe('recover demo', () => {
  it('prints a report whose treatment recovery rate beats control, and writes the HTML report', async () => {
    const dir = tempDir();
    const html = join(dir, 'demo-report.html');
    const r = await runCli(['--json', 'demo', '--customers', '400', '--seed', '3', '--html', html]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const { treatment, control } = report.lift;
    expect(treatment.resolved).toBeGreaterThan(100);
    expect(control.resolved).toBeGreaterThan(20);
    expect(treatment.rate).toBeGreaterThan(control.rate);
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
