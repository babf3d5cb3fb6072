import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../src/errors.js';
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
  it.each([
    [{ policy: 'recover,magic' }, /--policy: "magic"/],
    [{ seed: -1 }, /--seed: -1 \(accepted: an integer/],
    [{ count: '10k' }, /--count: "10k"/],
    [{ count: 0 }, /--count: 0/],
    [{ days: 1000 }, /--days: 1000/],
    [{ dunningDays: 0 }, /--dunning-days: 0/],
    [{ world: 'nowhere.json' }, /--world: "nowhere.json" \(no such file/],
    [{ world: 'world.txt' }, /--world: "world.txt" \(accepted: builtin/],
    [{ policy: 'recover,recover' }, /each policy at most once/],
  ])('%j → UsageError', async (opts, message) => {
    const out = capture();
    const run = runSimulate({ count: 10, ...opts } as Parameters<typeof runSimulate>[0], out.ctx);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(runSimulate({ count: 10, ...opts } as Parameters<typeof runSimulate>[0], out.ctx)).rejects.toThrow(message);
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
