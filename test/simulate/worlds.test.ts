import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { runSimulate } from '../../src/commands/simulate.js';
import { createBuiltinWorld, runSimulation, type SimulationReport } from '../../src/simulate/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/worlds/${name}`, import.meta.url));

function capture() {
  const lines: string[] = [];
  const json: unknown[] = [];
  return { lines, json, ctx: { out: { line: (s: string) => void lines.push(s), result: (v: unknown) => void json.push(v) } } };
}

describe('worlds', () => {
  it('the built-in world is deterministic for a seed and differs across seeds', () => {
    const w = createBuiltinWorld();
    const a = w.cases({ seed: 1, count: 200, start: Date.UTC(2026, 0, 5), days: 30 });
    const b = w.cases({ seed: 1, count: 200, start: Date.UTC(2026, 0, 5), days: 30 });
    const c = w.cases({ seed: 2, count: 200, start: Date.UTC(2026, 0, 5), days: 30 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(new Set(a.map((x) => x.declineCode)).size).toBeGreaterThan(8);
    expect(a.some((x) => x.customer.timezone === undefined)).toBe(true);
    expect(new Set(a.map((x) => x.card.fingerprint)).size).toBeLessThan(a.length); // some cards carry several invoices
  });

  it('a world module written to the contract runs unchanged via --world', async () => {
    const out = capture();
    const report = await runSimulate({ world: fixture('example-world.mjs'), count: 300, seed: 4, policy: 'recover,fixed:3,5,7' }, out.ctx);
    expect(report.world).toContain('example-world.mjs');
    expect(report.policies.map((p) => p.policy)).toEqual(['recover', 'fixed:3,5,7']);
    for (const p of report.policies) {
      expect(p.cases).toBe(300);
      expect(p.recovered).toBeGreaterThan(50);
      expect(p.networkCapViolations).toBe(0);
    }
    const text = out.lines.join('\n');
    expect(text).toContain('attempts per recovered invoice');
    expect(text).toContain('network-cap violations');
    expect(text).toContain('recover');
  });

  it('a recorded JSON world replays outcomes', async () => {
    const out = capture();
    const report = await runSimulate({ world: fixture('recorded.json'), json: true, policy: 'recover,smart-like' }, out.ctx);
    expect(out.json).toHaveLength(1);
    expect(out.lines).toHaveLength(0);
    const r = out.json[0] as SimulationReport;
    expect(r).toBe(report);
    const recover = r.policies[0];
    expect(recover.cases).toBe(8);
    // lost_card and MAC 03 never recover on the card; expired card, generic, processing and the
    // funds window do; the MAC 03 case recovers on its new card.
    expect(recover.recovered).toBeGreaterThanOrEqual(5);
    expect(recover.networkCapViolations).toBe(0);
    expect(recover.revenueRecovered.usd).toBeGreaterThan(0);
  });

  it('every built-in policy keeps the network rules on the built-in world', async () => {
    const report = await runSimulation({ count: 600, seed: 9 });
    expect(report.policies.map((p) => p.policy)).toEqual(['recover', 'fixed:3,5,7', 'daily:7', 'smart-like']);
    for (const p of report.policies) expect(p.violationsByRule, p.policy).toEqual({});
  });
});

describe('recover simulate: flags', () => {
  // Each flag is checked once, by the commander table (src/cli.ts): what passes it, the command runs.
  it.each([
    [['--policy', 'recover,magic'], /--policy: "magic"/],
    [['--seed', '-1'], /--seed: "-1" \(accepted: an integer/],
    [['--seed', '4294967296'], /--seed: "4294967296" \(accepted: an integer from 0 to 4294967295/],
    [['--count', '10k'], /--count: "10k"/],
    [['--count', '0'], /--count: "0"/],
    // issue 14: 500000 passed the table (up to 1,000,000) and was refused by the command (200,000).
    [['--count', '500000'], /--count: "500000" \(accepted: an integer from 1 to 200000\)/],
    [['--days', '1000'], /--days: "1000" \(accepted: an integer from 1 to 365\)/],
    [['--dunning-days', '0'], /--dunning-days: "0"/],
    [['--warm', '400'], /--warm: "400" \(accepted: an integer from 0 to 365\)/],
    [['--world', 'nowhere.json'], /--world: "nowhere.json" \(no such file/],
    [['--world', 'world.txt'], /--world: "world.txt" \(accepted: builtin/],
    [['--policy', 'recover,recover'], /each policy at most once/],
  ])('%j → exit 2 with one line naming it', async (args, message) => {
    const r = await runCli(['simulate', '--count', '10', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('a module that does not follow the contract is a UsageError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recover-world-'));
    const path = join(dir, 'bad-world.mjs');
    writeFileSync(path, 'export function cases() { return []; }\n');
    const out = capture();
    await expect(runSimulate({ world: path }, out.ctx)).rejects.toThrow(/must export functions cases\(\) and attempt\(\)/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('fixed:a,b,c keeps its commas inside a comma-separated --policy list', async () => {
    const out = capture();
    const r = await runSimulate({ policy: 'fixed:3,5,7,daily:2', count: 50 }, out.ctx);
    expect(r.policies.map((p) => p.policy)).toEqual(['fixed:3,5,7', 'daily:2']);
  });
});
