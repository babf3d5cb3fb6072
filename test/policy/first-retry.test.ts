/**
 * The early-or-planned first retry (recover-with-probe, src/policy/first-retry.ts): planned until
 * the early arm has evidence, early once it wins, and a share of first retries on the other arm.
 */
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../src/clock.js';
import { learn, makePolicy, statKeysFor } from '../../src/policy/index.js';
import { FIRST_RETRY, planFirstRetry } from '../../src/policy/first-retry.js';
import type { StatCounts } from '../../src/policy/types.js';
import { FAILED_AT, makeInput } from './input.js';

/** Stats where first funds retries of each arm succeeded `early` and `planned` of `n` times. */
function armStats(n: number, early: number, planned: number): Map<string, StatCounts> {
  const stats = new Map<string, StatCounts>();
  const base = { category: 'funds' as const, attemptNumber: 1, at: FAILED_AT, timezone: 'UTC' };
  for (let i = 0; i < n; i++) {
    learn(stats, { ...base, firstRetry: 'early' }, i < early);
    learn(stats, { ...base, firstRetry: 'planned' }, i < planned);
  }
  return stats;
}

describe('first retry early or planned (recover-with-probe)', () => {
  it('follows the planned slot until the early arm has evidence, and early once it wins', () => {
    expect(planFirstRetry(new Map(), 'funds', 0.99)).toMatchObject({ arm: 'planned', follow: 'planned', probe: false });
    // Early better but too few outcomes to trust: still planned.
    expect(planFirstRetry(armStats(FIRST_RETRY.minOutcomes - 1, 30, 5), 'funds', 0.99)?.follow).toBe('planned');
    expect(planFirstRetry(armStats(100, 50, 20), 'funds', 0.99)).toMatchObject({ arm: 'early', follow: 'early' });
    expect(planFirstRetry(armStats(100, 20, 50), 'funds', 0.99)?.follow).toBe('planned');
    // A share of decisions tries the other arm, so both stay measured.
    expect(planFirstRetry(new Map(), 'funds', 0.01)).toMatchObject({ arm: 'early', probe: true });
    expect(planFirstRetry(armStats(100, 50, 20), 'funds', 0.01)).toMatchObject({ arm: 'planned', probe: true });
    expect(planFirstRetry(new Map(), 'technical', 0.01)).toBeUndefined();
  });

  it("counts an outcome under its arm's key only when the decision carried one", () => {
    const base = { category: 'issuer' as const, attemptNumber: 1, at: FAILED_AT, timezone: 'UTC' };
    expect(statKeysFor({ ...base, firstRetry: 'early' })).toContain('first:issuer|early');
    expect(statKeysFor(base).some((k) => k.startsWith('first:'))).toBe(false);
  });

  it('an early first retry falls within a day of the earliest allowed time and says why', () => {
    const input = makeInput({ timezone: 'America/Chicago' });
    const planned = makePolicy('recover-with-probe').decide(input);
    const early = makePolicy('recover-with-probe').decide({ ...input, stats: armStats(200, 100, 20) });
    if (planned.action !== 'retry' || early.action !== 'retry') throw new Error('expected retries');
    expect(planned.learnAs?.firstRetry).toBe('planned');
    expect(early.learnAs?.firstRetry).toBe('early');
    // recover's minimum gap after a funds decline is 20 h; the early arm looks 24 h past it.
    expect(early.at - FAILED_AT).toBeLessThan(44 * HOUR_MS + 1);
    expect(early.reason).toMatch(/First retry early: declines here clear fast; .*succeeded 4\d% \(200 outcomes\)/);
    const trusted = `trusted from ${FIRST_RETRY.minOutcomes} outcomes`;
    expect(planned.reason).toMatch(new RegExp(`First retry at the planned slot: .*${trusted}`));
    // A later retry (not the first) carries no arm, and the default policy none at all.
    const second = makeInput({
      attempts: [{ at: FAILED_AT + 2 * DAY_MS, outcome: 'failed', declineCode: 'insufficient_funds', by: 'recover' }],
    });
    const d2 = makePolicy('recover-with-probe').decide(second);
    expect(d2.action === 'retry' && d2.learnAs?.firstRetry).toBeUndefined();
    const d = makePolicy('recover').decide(input);
    expect(d.action === 'retry' && d.learnAs?.firstRetry).toBeUndefined();
    expect(d.action === 'retry' && d.reason).not.toMatch(/First retry/);
  });
});
