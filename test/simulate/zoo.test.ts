/**
 * The world zoo (src/simulate/zoo.ts): each world is its own deterministic population whose
 * hidden knobs differ as documented; --world builtin:<name> selects it; --warm warms learning.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { runSimulate } from '../../src/commands/simulate.js';
import { isPayday } from '../../src/simulate/builtin-paydays.js';
import { generatePopulation } from '../../src/simulate/builtin-population.js';
import { WORLD_NAMES, WORLD_SPECS, HELD_OUT_WORLDS, TUNING_WORLDS } from '../../src/simulate/zoo.js';
import { createBuiltinWorld, runSimulation } from '../../src/simulate/index.js';

const START = Date.UTC(2026, 0, 5);
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const quiet = { out: { line: () => undefined, result: () => undefined } };

describe('world zoo', () => {
  it('has tuning and held-out worlds, each deterministic and different from the others', () => {
    expect(TUNING_WORLDS).toEqual(['builtin', 'annual']);
    expect(HELD_OUT_WORLDS).toEqual(['payroll', 'fatigue', 'global', 'quick', 'noise', 'smallticket']);
    const firsts = new Set<string>();
    for (const name of WORLD_NAMES) {
      const w = createBuiltinWorld(WORLD_SPECS[name]);
      const a = w.cases({ seed: 1, count: 300, start: START, days: 30 });
      expect(w.cases({ seed: 1, count: 300, start: START, days: 30 })).toEqual(a);
      firsts.add(JSON.stringify(a.slice(0, 20).map((c) => [c.amount, c.declineCode, c.customer.timezone])));
    }
    expect(firsts.size).toBe(WORLD_NAMES.length);
  });

  it('annual and global worlds carry annual plans; global hides most timezones', () => {
    const share = (name: string, f: (c: { amount: number; customer: { timezone?: string } }) => boolean) => {
      const cases = createBuiltinWorld(WORLD_SPECS[name]).cases({ seed: 2, count: 4000, start: START, days: 30 });
      return cases.filter(f).length / cases.length;
    };
    const ANNUAL = new Set([9000, 19000, 29000, 49000, 99000, 199000, 499000]); // 10 × the monthly prices
    const annual = (c: { amount: number }) => ANNUAL.has(c.amount);
    expect(share('builtin', (c) => c.amount > 49_900)).toBe(0);
    expect(share('annual', (c) => c.amount > 49_900)).toBeGreaterThan(0.02); // 10 × $99, $199, $499
    expect(share('annual', annual)).toBeGreaterThan(share('builtin', annual) + 0.2);
    expect(share('global', (c) => c.customer.timezone !== undefined)).toBeLessThan(0.4);
    expect(share('builtin', (c) => c.customer.timezone !== undefined)).toBeGreaterThan(0.6);
  });

  it('payroll pays on other weekdays and moves weekend paydays after, or not at all', () => {
    const tuesdayShare = (name: string) => {
      const { hidden } = generatePopulation({ seed: 3, count: 4000, start: START, days: 30 }, WORLD_SPECS[name]);
      const all = [...hidden.values()].map((h) => h.pay);
      return all.filter((p) => p.kind !== 'monthly' && p.weekday === 2).length / all.length;
    };
    expect(tuesdayShare('builtin')).toBe(0);
    expect(tuesdayShare('payroll')).toBeGreaterThan(0.06); // 35 % of US/CA weekly and biweekly pay
    const { hidden } = generatePopulation({ seed: 3, count: 4000, start: START, days: 30 }, WORLD_SPECS.payroll);
    const pays = [...hidden.values()].map((h) => h.pay);
    const shifts = new Set(pays.flatMap((p) => (p.kind === 'monthly' ? [p.shift] : [])));
    expect(shifts).toEqual(new Set(['before', 'after', 'nominal']));
    // Saturday 15 Nov 2025: paid Friday 14th, Monday 17th, or on the 15th itself.
    expect(isPayday({ kind: 'monthly', days: [15], shift: 'before' }, 2025, 11, 14)).toBe(true);
    expect(isPayday({ kind: 'monthly', days: [15], shift: 'after' }, 2025, 11, 17)).toBe(true);
    expect(isPayday({ kind: 'monthly', days: [15], shift: 'nominal' }, 2025, 11, 15)).toBe(true);
    expect(isPayday({ kind: 'monthly', days: [15], shift: 'after' }, 2025, 11, 14)).toBe(false);
  });

  it('quick and noise bring money at random hours, quick clears fast, smallticket sells small plans', () => {
    const opts = { seed: 3, count: 3000, start: START, days: 30 };
    const pop = (name: string) => generatePopulation(opts, WORLD_SPECS[name]);
    const firstWaitDays = (name: string) => {
      const { cases, hidden } = pop(name);
      const waits = cases.flatMap((c) => {
        const d = hidden.get(c.id)!.deposits?.find((t) => t > c.failedAt);
        return d === undefined ? [] : [(d - c.failedAt) / DAY_MS];
      });
      return waits.sort((a, b) => a - b)[Math.floor(waits.length / 2)];
    };
    expect(pop('builtin').hidden.get('in_sim_3_0')!.deposits).toBeUndefined();
    expect(firstWaitDays('quick')).toBeLessThan(1); // exponential, mean 1 day: median 0.69
    expect(firstWaitDays('noise')).toBeGreaterThan(5); // mean 10 days: median 6.9
    // Random hours, not 05:00 on a payday: deposits spread over the day.
    const hours = new Set(
      [...pop('noise').hidden.values()].flatMap((h) => h.deposits!.slice(0, 5)).map((t) => new Date(t).getUTCHours()),
    );
    expect(hours.size).toBe(24);
    const issuerMedianH = (name: string) => {
      const { cases, hidden } = pop(name);
      const h = cases.flatMap((c) => {
        const x = hidden.get(c.id)!;
        return x.cause === 'issuer' && x.clearAt ? [(x.clearAt - c.failedAt) / HOUR_MS] : [];
      });
      return h.sort((a, b) => a - b)[Math.floor(h.length / 2)];
    };
    expect(issuerMedianH('quick')).toBeLessThan(12);
    expect(issuerMedianH('builtin')).toBeGreaterThan(20);
    const amounts = pop('smallticket').cases.map((c) => c.amount);
    expect(Math.max(...amounts)).toBe(2900);
    expect(amounts.filter((a) => a <= 900).length / amounts.length).toBeGreaterThan(0.55);
  });

  it('gives a share of customers a payment history from before the failure', () => {
    const cases = createBuiltinWorld().cases({ seed: 4, count: 1000, start: START, days: 30 });
    const withHistory = cases.filter((c) => c.customer.payments?.length);
    expect(withHistory.length / cases.length).toBeGreaterThan(0.45);
    for (const c of withHistory) for (const p of c.customer.payments!) expect(p.at).toBeLessThan(c.failedAt);
  });

  it('every policy keeps the network rules on every world', async () => {
    for (const name of WORLD_NAMES) {
      const policies = ['recover', 'fixed:3,5,7', 'smart-like'];
      const r = await runSimulation({ world: `builtin:${name}`, count: 300, seed: 5, policies });
      for (const p of r.policies) expect(p.violationsByRule, `${name} ${p.policy}`).toEqual({});
    }
  });

  it('--world builtin:<unknown> is a UsageError naming the value and the worlds', async () => {
    await expect(runSimulate({ world: 'builtin:mars', count: 10 }, quiet)).rejects.toBeInstanceOf(UsageError);
    const mars = runSimulate({ world: 'builtin:mars', count: 10 }, quiet);
    await expect(mars).rejects.toThrow(
      /--world: "builtin:mars" \(accepted: builtin, builtin:<builtin\|annual\|payroll\|fatigue\|global\|quick\|noise\|smallticket>/,
    );
    // --warm's bounds are the commander table's: test/simulate/worlds.test.ts ('recover simulate: flags').
  });

  it('--warm warms the learning policies only: baselines unchanged, recover starts from learned counts', async () => {
    const opts = { world: 'builtin:payroll', count: 400, seed: 6, policies: ['recover', 'fixed:3,5,7'] };
    const cold = await runSimulation(opts);
    const warm = await runSimulation({ ...opts, warm: 30 });
    expect(warm.warmDays).toBe(30);
    expect(warm.policies[1]).toEqual(cold.policies[1]);
    expect(warm.policies[0]).not.toEqual(cold.policies[0]);
  });
});
