/**
 * `recover simulate` without the CLI: runs each policy on a fresh population from the world
 * (`cases()` is called once per policy) and returns the side-by-side figures.
 */
import { badValue } from '../errors.js';
import { makePolicy } from '../policy/make-policy.js';
import { DAY_MS } from '../clock.js';
import { hashSeed } from '../policy/random.js';
import type { Policy, PolicySettings, StatCounts } from '../policy/types.js';
import { runPolicy } from './engine.js';
import { loadWorld } from './load-world.js';
import type { SimCase, SimulationReport, WorldModule } from './types.js';

export type { SimCase, AttemptResult, WorldModule, PolicyRunResult, SimulationReport, CasesOptions } from './types.js';
export { createBuiltinWorld } from './builtin-world.js';
export { jsonWorld } from './json-world.js';
export { loadWorld } from './load-world.js';
export { runPolicy } from './engine.js';
export { NetworkRuleChecker } from './checker.js';

export const DEFAULT_POLICIES = ['recover', 'fixed:3,5,7', 'daily:7', 'smart-like'];
/** Simulated time starts on a fixed Monday so runs are reproducible. */
export const DEFAULT_START = Date.UTC(2026, 0, 5);
export const DEFAULT_SIM_SETTINGS: PolicySettings = {
  windows: ['0 8-20 * * *'],
  dunningDays: 30,
  defaultTimezone: 'America/New_York',
  controlBaseline: 'stripe',
};

export interface SimulationOptions {
  policies?: string[];
  /** 'builtin' (default), a .json path, a .mjs path, or a ready WorldModule. */
  world?: string | WorldModule;
  seed?: number;
  count?: number;
  days?: number;
  dunningDays?: number;
  start?: number;
  settings?: Partial<PolicySettings>;
  /** Warm the learned state on failures over this many earlier days first (0 = cold start). */
  warm?: number;
  /** Called as each policy starts (1-based `index` of `total`): progress on a terminal. */
  onPolicy?: (name: string, index: number, total: number) => void;
}

export async function runSimulation(opts: SimulationOptions = {}): Promise<SimulationReport> {
  const policies: Policy[] = (opts.policies ?? DEFAULT_POLICIES).map((n) => makePolicy(n));
  const seen = new Set<string>();
  for (const p of policies) {
    if (seen.has(p.name)) throw badValue('--policy', p.name, 'each policy at most once');
    seen.add(p.name);
  }
  const { name, world } = typeof opts.world === 'object' ? { name: 'custom', world: opts.world } : await loadWorld(opts.world);
  const seed = opts.seed ?? 1;
  const count = opts.count ?? 2000;
  const days = opts.days ?? 30;
  const dunningDays = opts.dunningDays ?? 30;
  const start = opts.start ?? DEFAULT_START;
  const settings: PolicySettings = { ...DEFAULT_SIM_SETTINGS, ...opts.settings, dunningDays };
  const warm = opts.warm ?? 0;
  const results = [];
  for (const [i, policy] of policies.entries()) {
    if (opts.onPolicy) {
      opts.onPolicy(policy.name, i + 1, policies.length);
      // A policy's run is one synchronous computation: let the terminal show the progress first.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const learns = policy.name.startsWith('recover');
    const stats = new Map<string, StatCounts>();
    if (learns && warm > 0) {
      // An earlier period of the same world (other customers, same rate of failures per day).
      const warmCount = Math.max(1, Math.round((count * warm) / days));
      const warmStart = start - warm * DAY_MS;
      const warmCases = world.cases({ seed: hashSeed('warm', seed), count: warmCount, start: warmStart, days: warm });
      checkCases(warmCases, name);
      await runPolicy(world, policy, warmCases, { seed, dunningDays, settings, learns, stats });
    }
    const cases = world.cases({ seed, count, start, days });
    checkCases(cases, name);
    results.push(await runPolicy(world, policy, cases, { seed, dunningDays, settings, learns, stats }));
  }
  const startIso = new Date(start).toISOString();
  const windows = settings.windows;
  return { world: name, seed, count, days, dunningDays, start: startIso, windows, warmDays: warm, policies: results };
}

function checkCases(cases: SimCase[], world: string): void {
  if (!Array.isArray(cases)) throw new Error(`world ${world}: cases() must return an array`);
  const ids = new Set<string>();
  for (const c of cases) {
    if (!c || typeof c.id !== 'string' || !Number.isFinite(c.failedAt) || !Number.isFinite(c.amount) || !c.card?.fingerprint)
      throw new Error(`world ${world}: case ${JSON.stringify(c?.id)} lacks id, amount, failedAt or card.fingerprint`);
    if (ids.has(c.id)) throw new Error(`world ${world}: duplicate case id ${c.id}`);
    ids.add(c.id);
  }
}
