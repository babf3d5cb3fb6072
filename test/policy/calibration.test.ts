/**
 * The learned timing after the failure (recover-with-calibrate, src/policy/calibration.ts): each
 * outcome counted by time since the failure and the estimate's decile, a bucket's correction its
 * observed ÷ expected successes relative to the category's, 1 without evidence.
 */
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/clock.js';
import { CALIBRATION_STRENGTH, calibrationKey, makeCalibration } from '../../src/policy/calibration.js';
import { learn, makePolicy, statKeysFor } from '../../src/policy/index.js';
import type { StatCounts } from '../../src/policy/types.js';
import { FAILED_AT, makeInput } from './input.js';

/** Funds retries at `days` after the failure, estimated 35 % each: `wins` of `n` succeeded. */
function add(stats: Map<string, StatCounts>, days: number, n: number, wins: number): void {
  const calibration = { failedAt: FAILED_AT, estimate: 0.35 };
  const ctx = { category: 'funds' as const, attemptNumber: 1, timezone: 'UTC', calibration };
  for (let i = 0; i < n; i++) learn(stats, { ...ctx, at: FAILED_AT + days * DAY_MS }, i < wins);
}

/** Early retries (1–2 days) beat their estimates; later ones (2–14 days) fall short of them. */
function fastClearing(): Map<string, StatCounts> {
  const stats = new Map<string, StatCounts>();
  add(stats, 1.5, 100, 60);
  for (const d of [3, 5, 10]) add(stats, d, 100, 20);
  return stats;
}

describe('learned timing after the failure (recover-with-calibrate)', () => {
  it("counts an outcome under its time since the failure and its estimate's decile, only when asked", () => {
    const base = { category: 'funds' as const, attemptNumber: 2, at: FAILED_AT + 1.5 * DAY_MS, timezone: 'UTC' };
    expect(statKeysFor({ ...base, calibration: { failedAt: FAILED_AT, estimate: 0.35 } })).toContain(
      'cal:funds|sf:1d|p:3',
    );
    expect(statKeysFor(base).some((k) => k.startsWith('cal:'))).toBe(false);
    expect(calibrationKey('issuer', 20 * DAY_MS, 0.999)).toBe('cal:issuer|sf:14d|p:9');
    expect(calibrationKey('funds', 0, 0)).toBe('cal:funds|sf:0d|p:0');
  });

  it('is 1 without evidence, and observed ÷ expected relative to the category with it', () => {
    const none = makeCalibration(new Map(), 'funds');
    for (const d of [0.5, 1.5, 3, 5, 10, 20]) expect(none(d * DAY_MS).ratio).toBe(1);
    const cal = makeCalibration(fastClearing(), 'funds');
    const k = CALIBRATION_STRENGTH;
    // 120 successes where the estimates (decile 3, midpoint 35 %) expected 4 × 35 = 140.
    const level = (120 + k) / (140 + k);
    expect(cal(1.5 * DAY_MS)).toMatchObject({ label: '1–2 days', observed: 60 });
    expect(cal(1.5 * DAY_MS).expected).toBeCloseTo(35, 9);
    expect(cal(1.5 * DAY_MS).ratio).toBeCloseTo((60 + k * level) / (35 + k) / level, 9);
    expect(cal(1.5 * DAY_MS).ratio).toBeGreaterThan(1.5);
    expect(cal(3 * DAY_MS).ratio).toBeCloseTo((20 + k * level) / (35 + k) / level, 9);
    expect(cal(3 * DAY_MS).ratio).toBeLessThan(0.85);
    // A bucket without outcomes keeps the estimates as they are.
    expect(cal(20 * DAY_MS).ratio).toBeCloseTo(1, 9);
    expect(cal(0.5 * DAY_MS).ratio).toBeCloseTo(1, 9);
  });

  it('moves the retry to where retries succeeded more than estimated, and says so', () => {
    const input = makeInput({ timezone: 'America/Chicago' });
    const plain = makePolicy('recover-with-calibrate').decide(input);
    const fast = makePolicy('recover-with-calibrate').decide({ ...input, stats: fastClearing() });
    const dflt = makePolicy('recover').decide(input);
    if (plain.action !== 'retry' || fast.action !== 'retry' || dflt.action !== 'retry') throw new Error('retries');
    // Without evidence: today's choice, the same slot as the default policy's.
    expect(plain.at).toBe(dflt.at);
    expect(plain.at - FAILED_AT).toBeGreaterThanOrEqual(2 * DAY_MS);
    expect(fast.at - FAILED_AT).toBeLessThan(2 * DAY_MS);
    expect(fast.reason).toMatch(
      /Timing after the failure \(1–2 days\): retries then succeeded 60 times where the estimates expected 35\.0/,
    );
    // What it learns from is the estimate before the correction.
    expect(fast.learnAs?.calibration?.failedAt).toBe(FAILED_AT);
    expect(fast.estimate).toBeGreaterThan(fast.learnAs!.calibration!.estimate);
    expect(dflt.learnAs?.calibration).toBeUndefined();
    expect(dflt.reason).not.toMatch(/Timing after the failure/);
  });
});
