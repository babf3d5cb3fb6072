import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../src/clock.js';
import { learn, makePolicy, statKeysFor } from '../../src/policy/index.js';
import { elapsedFactor } from '../../src/policy/priors.js';
import { makeRecoveryCurve } from '../../src/policy/recovery-curve.js';
import { continuationValue } from '../../src/policy/effort.js';
import { FAILED_AT, makeInput } from './input.js';

describe('learned recovery curve (recover-with-curve)', () => {
  it("is today's curve without data, and bends to the merchant's outcomes by time since the decline", () => {
    const empty = makeRecoveryCurve(new Map(), 'issuer', 0.1);
    for (const h of [2, 12, 30, 60, 100, 200]) expect(empty(h * HOUR_MS)).toBe(elapsedFactor('issuer', h * HOUR_MS));
    const stats = new Map<string, { successes: number; failures: number }>();
    // Retries 6–24 h after the decline succeeded far more often than the prior curve says.
    const ctx = { category: 'issuer' as const, attemptNumber: 1, timezone: 'UTC', declineAt: FAILED_AT };
    for (let i = 0; i < 200; i++) learn(stats, { ...ctx, at: FAILED_AT + 12 * HOUR_MS }, i % 2 === 0);
    const learned = makeRecoveryCurve(stats, 'issuer', 0.1);
    expect(learned(12 * HOUR_MS)).toBeGreaterThan(2 * elapsedFactor('issuer', 12 * HOUR_MS));
    expect(learned(3 * DAY_MS)).toBe(elapsedFactor('issuer', 3 * DAY_MS)); // other buckets unchanged
  });

  it('an outcome counts its time-since-decline bucket only when the decision asked for it', () => {
    const base = { category: 'funds' as const, attemptNumber: 2, at: FAILED_AT + 50 * HOUR_MS, timezone: 'UTC' };
    expect(statKeysFor({ ...base, declineAt: FAILED_AT })).toContain('cat:funds|since:48h');
    expect(statKeysFor(base).some((k) => k.includes('since'))).toBe(false);
    const d = makePolicy('recover-with-curve').decide(makeInput({ declineCode: 'generic_decline' }));
    expect(d.action === 'retry' && d.learnAs?.declineAt).toBe(FAILED_AT);
    const plain = makePolicy('recover').decide(makeInput({ declineCode: 'generic_decline' }));
    expect(plain.action === 'retry' && plain.learnAs?.declineAt).toBeUndefined();
  });
});

describe('window spending (recover-with-spend)', () => {
  it('values the rest of the window less the later a slot is, and never above 1', () => {
    const deadline = FAILED_AT + 30 * DAY_MS;
    const v = [1, 5, 15, 25, 29.5].map((d) => continuationValue(FAILED_AT + d * DAY_MS, deadline, 0.15, 7));
    for (let i = 1; i < v.length; i++) expect(v[i]).toBeLessThanOrEqual(v[i - 1]);
    expect(v[0]).toBeLessThan(1);
    expect(v[v.length - 1]).toBe(0);
    expect(continuationValue(FAILED_AT, deadline, 0.15, 0)).toBe(0); // no attempts left
  });

  it('looks over the whole window: a generic decline is retried within it, deterministically', () => {
    const spend = makePolicy('recover-with-spend');
    const d = spend.decide(makeInput({ declineCode: 'generic_decline' }));
    expect(d.action).toBe('retry');
    expect(spend.decide(makeInput({ declineCode: 'generic_decline' }))).toEqual(d);
  });
});
