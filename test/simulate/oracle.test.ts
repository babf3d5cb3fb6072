/**
 * The clairvoyant policy is the reference the bench holds recover to, so it must be what it claims:
 * it obeys the network rules (the independent checker), recovers at least what recover does in the
 * same world and seed, and no more than the one-perfect-attempt ceiling (ceiling.ts), which also
 * ignores the random declines and issuer fatigue the clairvoyant still meets.
 */
import { describe, expect, it } from 'vitest';
import { revenueCeiling } from '../../src/simulate/ceiling.js';
import {
  createBuiltinWorld,
  DEFAULT_SIM_SETTINGS,
  DEFAULT_START,
  runPolicy,
  runSimulation,
} from '../../src/simulate/index.js';
import { oraclePolicy } from '../../src/simulate/oracle.js';
import { WORLD_SPECS } from '../../src/simulate/zoo.js';

describe('clairvoyant policy', () => {
  it('sits between recover and the oracle ceiling, with no rule violations', async () => {
    const spec = WORLD_SPECS.fatigue;
    const opts = { seed: 4, count: 600, start: DEFAULT_START, days: 30 };
    const world = createBuiltinWorld(spec);
    const cases = world.cases(opts);
    const settings = DEFAULT_SIM_SETTINGS;
    const o = await runPolicy(world, oraclePolicy(spec, opts), cases, {
      seed: 4,
      dunningDays: 30,
      settings,
      learns: false,
    });
    const r = await runSimulation({
      world: 'builtin:fatigue',
      seed: 4,
      count: 600,
      policies: ['recover', 'fixed:3,5,7'],
    });
    const ceiling = revenueCeiling(spec, { ...opts, dunningDays: 30 });
    expect(o.networkCapViolations).toBe(0);
    expect(o.revenueRecoveryRate).toBeGreaterThan(r.policies[0].revenueRecoveryRate);
    expect(o.revenueRecoveryRate).toBeGreaterThan(r.policies[1].revenueRecoveryRate);
    expect(o.revenueRecoveryRate).toBeLessThanOrEqual(ceiling.withWindfalls);
    // It charges only when the cause has cleared: few attempts per recovery (recover needs ~6).
    expect(o.attemptsPerRecovered!).toBeLessThan(1.5);
  });
});
