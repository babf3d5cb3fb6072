import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { DAY_MS, HOUR_MS } from '../../src/clock.js';
import { UsageError } from '../../src/errors.js';
import {
  assignArm,
  enumerateSlots,
  hashSeed,
  learn,
  makePolicy,
  mulberry32,
  statKeysFor,
  type Decision,
} from '../../src/policy/index.js';
import { localToUtc } from '../../src/policy/local-time.js';
import { sampleBeta } from '../../src/policy/random.js';
import { FAILED_AT, failed, makeInput } from './input.js';

const retry = (d: Decision) => {
  if (d.action !== 'retry') throw new Error(`expected retry: ${d.reason}`);
  return d;
};

describe('assignArm', () => {
  it('is stable and close to the share', () => {
    const ids = Array.from({ length: 20000 }, (_, i) => `cus_${i.toString(36)}x${i}`);
    const control = ids.filter((id) => assignArm(id, 0.1) === 'control').length / ids.length;
    expect(control).toBeGreaterThan(0.09);
    expect(control).toBeLessThan(0.11);
    for (const id of ids.slice(0, 100)) expect(assignArm(id, 0.1)).toBe(assignArm(id, 0.1));
  });
  it('raising the share never moves a control customer to treatment; share 0 means all treatment', () => {
    for (let i = 0; i < 2000; i++) {
      const id = `cus_${i}`;
      if (assignArm(id, 0.1) === 'control') expect(assignArm(id, 0.3)).toBe('control');
      expect(assignArm(id, 0)).toBe('treatment');
    }
  });
});

describe('random sources', () => {
  it('mulberry32 is deterministic and uniform enough', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 10000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });
  it('hashSeed separates parts', () => expect(hashSeed('ab', 'c')).not.toBe(hashSeed('a', 'bc')));
  it('Beta samples have the right mean', () => {
    const r = mulberry32(1);
    const xs = Array.from({ length: 5000 }, () => sampleBeta(3, 7, r));
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.3, 1);
  });
});

describe('learned statistics', () => {
  it('statKeysFor names category, attempt, local hour of week and day of month', () => {
    const at = Date.UTC(2026, 0, 16, 15); // Fri 16 Jan 09:00 Chicago
    expect(statKeysFor({ category: 'funds', attemptNumber: 2, at, timezone: 'America/Chicago' })).toEqual([
      'cat:funds',
      'cat:funds|n:2',
      'cat:funds|how:fri09',
      'cat:funds|dom:16',
    ]);
    expect(statKeysFor({ category: 'issuer', attemptNumber: 9, at, timezone: 'UTC' })[1]).toBe('cat:issuer|n:6');
  });
  it('learn increments every key', () => {
    const stats = new Map<string, { successes: number; failures: number }>();
    const ctx = { category: 'funds' as const, attemptNumber: 1, at: FAILED_AT, timezone: 'UTC' };
    learn(stats, ctx, true);
    learn(stats, ctx, false);
    learn(stats, ctx, false);
    for (const k of statKeysFor(ctx)) expect(stats.get(k)).toEqual({ successes: 1, failures: 2 });
  });
});

describe('local time and windows', () => {
  it('localToUtc: skipped and repeated hours around daylight-saving changes', () => {
    expect(localToUtc('America/New_York', 2026, 3, 8, 2)).toBeNull();
    expect(new Date(localToUtc('America/New_York', 2026, 3, 8, 3)!).toISOString()).toBe('2026-03-08T07:00:00.000Z');
    expect(new Date(localToUtc('America/New_York', 2026, 11, 1, 1)!).toISOString()).toBe('2026-11-01T05:00:00.000Z');
    expect(new Date(localToUtc('Asia/Kolkata', 2026, 1, 1, 9, 30)!).toISOString()).toBe('2026-01-01T04:00:00.000Z');
  });

  it('slots follow the cron window in local time across a DST change', () => {
    const from = Date.UTC(2026, 2, 7, 5); // local midnight, 7 March (8 March has only 23 hours)
    const slots = enumerateSlots(['0 8-20 * * *'], 'America/New_York', from, from + 3 * DAY_MS);
    for (const s of slots) {
      const l = DateTime.fromMillis(s.at, { zone: 'America/New_York' });
      expect(l.hour).toBeGreaterThanOrEqual(8);
      expect(l.hour).toBeLessThanOrEqual(20);
      expect(l.minute).toBe(0);
    }
    expect(slots.length).toBe(13 * 3); // 7, 8, 9 March, local 08:00–20:00
  });

  it('day-of-month, last-day and weekday windows', () => {
    const from = Date.UTC(2026, 0, 1);
    const to = Date.UTC(2026, 2, 1);
    const days = (w: string) => [...new Set(enumerateSlots([w], 'UTC', from, to).map((s) => new Date(s.at).toISOString().slice(0, 10)))];
    expect(days('0 9 1,15 * *')).toEqual(['2026-01-01', '2026-01-15', '2026-02-01', '2026-02-15']);
    expect(days('0 9 L * *')).toEqual(['2026-01-31', '2026-02-28']);
    expect(days('0 9 * * 5#1')).toEqual(['2026-01-02', '2026-02-06']);
    expect(enumerateSlots(['30 9 * * 1-5'], 'UTC', from, from + 7 * DAY_MS).map((s) => new Date(s.at).toISOString().slice(11, 16))).toEqual(Array(5).fill('09:30'));
  });
});

describe('baseline policies', () => {
  it('names', () => {
    expect(makePolicy('recover').name).toBe('recover');
    expect(makePolicy('fixed:3,5,7').name).toBe('fixed:3,5,7');
    expect(makePolicy('daily').name).toBe('daily:7');
    expect(makePolicy('daily:3').name).toBe('daily:3');
    expect(makePolicy('smart-like').name).toBe('smart-like');
  });
  it.each(['smart', 'fixed:', 'fixed:0', 'daily:0', 'daily:x', ''])('rejects %j with a UsageError naming the value', (name) => {
    expect(() => makePolicy(name)).toThrow(UsageError);
    expect(() => makePolicy(name)).toThrow(/--policy.*accepted/);
  });
  it('daily:N retries every 24 h, N times', () => {
    const p = makePolicy('daily:2');
    expect(retry(p.decide(makeInput())).at).toBe(FAILED_AT + DAY_MS);
    expect(retry(p.decide(makeInput({ attempts: [failed(FAILED_AT + DAY_MS)] }))).at).toBe(FAILED_AT + 2 * DAY_MS);
    expect(p.decide(makeInput({ attempts: [failed(FAILED_AT + DAY_MS), failed(FAILED_AT + 2 * DAY_MS)] }))).toMatchObject({ action: 'stop' });
  });
  it('smart-like: 8 tries over 14 days at 10:00 local, and a prompt retry on a new card', () => {
    const p = makePolicy('smart-like');
    const first = retry(p.decide(makeInput()));
    expect(DateTime.fromMillis(first.at, { zone: 'America/Chicago' }).toFormat('yyyy-MM-dd HH:mm')).toBe('2026-01-07 10:00');
    const updated = FAILED_AT + 2 * HOUR_MS;
    expect(retry(p.decide(makeInput({ cardUpdatedAt: updated, now: updated }))).at).toBe(updated + HOUR_MS);
  });
  it('baselines stop on hard declines but do retry an expired card on schedule', () => {
    for (const name of ['fixed:3,5,7', 'daily', 'smart-like']) {
      expect(makePolicy(name).decide(makeInput({ declineCode: 'stolen_card' }))).toMatchObject({ action: 'stop', kind: 'hard_decline' });
      expect(makePolicy(name).decide(makeInput({ declineCode: 'expired_card' })).action).toBe('retry');
    }
  });
});
