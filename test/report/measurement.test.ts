/**
 * The like-for-like lift (src/report/measurement.ts) on a real SQLite file, seeded through the
 * store's own functions. Two arms with a known true difference: 400 new treatment cases of
 * which 160 recovered (40%) and 200 new control cases of which 60 recovered (30%), all final,
 * so the point estimate is exactly +10 pp; the Newcombe interval is checked against the
 * published method's formula and the anytime-valid one against the normal-mixture boundary
 * recomputed here from Howard et al. (2021). Backlog cases, cohorts still open and cases after
 * --as-of must not move the headline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, FakeClock } from '../../src/clock.js';
import { openStore, type Store } from '../../src/db/index.js';
import { buildReport } from '../../src/report/index.js';
import { computeMeasurement } from '../../src/report/measurement.js';
import { runCli } from '../helpers/cli.js';
import { addCase, ended, ourAttempt, recovered } from './seed.js';

const GO_LIVE = Date.UTC(2026, 0, 31);
const NOW = Date.UTC(2026, 3, 1);
const day = (d: number, h = 12) => GO_LIVE + d * DAY_MS + h * 3_600_000;

let dir: string;
let store: Store;

function seed(s: Store): void {
  s.settings.set({ env: 'test', scope: 'account', controlBaseline: 'stripe', dunningDays: 30, baselineWindowDays: 14, armsAssignedAt: GO_LIVE, defaultTimezone: 'UTC' });
  s.tx(() => {
    const arm = (name: 'treatment' | 'control', n: number, wins: number, amount: number) => {
      for (let i = 0; i < n; i++) {
        const entered = day(1 + (i % 20));
        const id = addCase(s, { arm: name, amount, currency: 'usd', entered, opening: 'insufficient_funds' });
        if (i < wins) {
          ourAttempt(s, id, entered + 2 * DAY_MS, 'succeeded');
          recovered(s, id, entered + 2 * DAY_MS, name === 'treatment' ? 'recover' : 'stripe', amount);
        } else {
          ourAttempt(s, id, entered + 2 * DAY_MS, 'declined');
          ended(s, id, 'lost', entered + 30 * DAY_MS);
        }
      }
    };
    arm('treatment', 400, 160, 2000);
    arm('control', 200, 60, 2000);
    // The backlog: taken over at go-live, control did better there; must stay out of the headline.
    for (let i = 0; i < 100; i++) {
      const id = addCase(s, { arm: i < 50 ? 'treatment' : 'control', amount: 1000, currency: 'usd', entered: GO_LIVE - 10 * DAY_MS, source: 'takeover', opening: 'insufficient_funds' });
      if (i >= 50 || i < 5) recovered(s, id, GO_LIVE + DAY_MS, i < 50 ? 'recover' : 'stripe', 1000);
      else ended(s, id, 'lost', GO_LIVE + 20 * DAY_MS);
    }
    // A cohort still open on NOW (one case in dunning), with an early recovery beside it.
    const open = addCase(s, { arm: 'control', amount: 2000, currency: 'usd', entered: NOW - 5 * DAY_MS, opening: 'insufficient_funds' });
    void open;
    const fast = addCase(s, { arm: 'treatment', amount: 2000, currency: 'usd', entered: NOW - 5 * DAY_MS + 60_000, opening: 'insufficient_funds' });
    recovered(s, fast, NOW - 4 * DAY_MS, 'recover', 2000);
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'recover-measure-'));
  store = openStore(join(dir, 'r.db'), { clock: new FakeClock(NOW) });
  seed(store);
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the like-for-like lift', () => {
  it('known +10 pp: point estimate, Newcombe (fixed-horizon) and anytime-valid intervals', () => {
    const m = buildReport(store, { now: NOW }).measurement;
    const h = m.headline;
    expect(m.assignedFrom).toBe('settings');
    expect(h.status).toBe('measured');
    expect([h.treatment.cases, h.treatment.recovered, h.control.cases, h.control.recovered]).toEqual([400, 160, 200, 60]);
    expect(h.difference).toBeCloseTo(0.1, 12);

    // Newcombe (1998) method 10 from the Wilson limits of 160/400 and 60/200.
    const wilson = (x: number, n: number) => {
      const z = 1.959963984540054, p = x / n, d = 1 + (z * z) / n;
      const c = (p + (z * z) / (2 * n)) / d, w = (z / d) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
      return [c - w, c + w];
    };
    const [l1, u1] = wilson(160, 400);
    const [l2, u2] = wilson(60, 200);
    expect(h.newcombe!.low).toBeCloseTo(0.1 - Math.sqrt((0.4 - l1) ** 2 + (u2 - 0.3) ** 2), 10);
    expect(h.newcombe!.high).toBeCloseTo(0.1 + Math.sqrt((u1 - 0.4) ** 2 + (0.3 - l2) ** 2), 10);
    // The fixed-horizon interval excludes 0 (+1.8 pp to ...): one pre-planned look would call it.
    expect(h.newcombe!.low).toBeCloseTo(0.0184, 4);

    // Normal mixture: half-width = sqrt(v)·sqrt(((n+ρ)/n)·ln((n+ρ)/(ρα²))), n = 1/(1/400+1/200),
    // ρ = 250/(2 ln 20 + ln(1 + 2 ln 20)), v from the smoothed rates 161/402 and 61/202.
    const q1 = 161 / 402, q2 = 61 / 202;
    const v = (q1 * (1 - q1)) / 400 + (q2 * (1 - q2)) / 200;
    const n = 1 / (1 / 400 + 1 / 200);
    const rho = 250 / (2 * Math.log(20) + Math.log(1 + 2 * Math.log(20)));
    const half = Math.sqrt(v) * Math.sqrt(((n + rho) / n) * Math.log((n + rho) / (rho * 0.05 * 0.05)));
    expect(h.anytime!.low).toBeCloseTo(0.1 - half, 10);
    expect(h.anytime!.high).toBeCloseTo(0.1 + half, 10);
    // Wider than the fixed-horizon interval, and here it still includes 0: no "beats" claim yet.
    expect(h.anytime!.high - h.anytime!.low).toBeGreaterThan(h.newcombe!.high - h.newcombe!.low);
    expect(h.anytime!.low).toBeLessThan(0);
    expect(h.winner).toBeNull();
    expect(m.message).toMatch(/^no difference shown yet: \+10\.0 pp/);
  });

  it('what it is worth: revenue per 100 failed invoices, attempts, the revenue the lift accounts for', () => {
    const h = buildReport(store, { now: NOW }).measurement.headline;
    // 160 × $20 over 400 cases = $8 per case = $800 per 100; control 60 × $20 / 200 = $6 → $600.
    expect(h.treatment.revenuePer100).toEqual({ usd: 80_000 });
    expect(h.control.revenuePer100).toEqual({ usd: 60_000 });
    expect(h.treatment.attemptsPerCase).toBe(1);
    expect(h.treatment.attemptsPerRecovery).toBe(400 / 160);
    expect(h.control.attemptsPerRecovery).toBe(200 / 60);
    const usd = h.revenue.find((x) => x.currency === 'usd')!;
    expect(usd.per100).toBe(20_000);
    expect(usd.accountsFor).toBe(80_000); // $2 per case × 400 treatment cases
    expect(usd.accountsForCs!.low).toBeLessThan(80_000);
    expect(usd.accountsForCs!.high).toBeGreaterThan(80_000);
  });

  it('the backlog is apart; the open cohort is "in progress"; the window difference is said', () => {
    const m = buildReport(store, { now: NOW }).measurement;
    expect([m.backlog.treatment.cases, m.backlog.treatment.recovered, m.backlog.control.cases, m.backlog.control.recovered]).toEqual([50, 5, 50, 50]);
    expect(m.headline.inProgress.days).toBe(1);
    expect(m.headline.inProgress.treatment.recovered).toBe(1);
    expect(m.headline.inProgress.control.cases).toBe(1);
    expect(m.windowNote).toContain('retries for 14 days, recover for 30');
    expect(m.mainCurrency).toBe('usd');
    // Undecided: how many cases would confirm the +10 pp seen so far (more than the 600 final now).
    expect(m.sampleSize!.effect).toBeCloseTo(0.1, 12);
    expect(m.sampleSize!.casesNeeded).toBeGreaterThan(600);
    // Two new cases in the last 30 days: at that volume it takes years, and the report says so plainly.
    expect(m.sampleSize!.perDay).toBeCloseTo(2 / 30, 10);
    expect(m.sampleSize!.daysMore).toBeGreaterThan(365);
    expect(m.message).toMatch(/; more than a year at your volume to detect a lift of \+10\.0 pp$/);
    expect(buildReport(store, { now: NOW, effect: 0.2 }).measurement.sampleSize!.daysMore).toBe(0);
  });

  it('--as-of reproduces a past day: later recoveries and cases do not count, open cohorts are in progress', () => {
    const asOf = GO_LIVE + 10 * DAY_MS;
    const m = buildReport(store, { now: asOf }).measurement;
    // On day 10 only cases that entered on days 1–9 exist, none is final yet: nothing mature.
    expect(m.headline.treatment.cases).toBe(0);
    expect(m.headline.status).toBe('in_progress');
    expect(m.headline.inProgress.treatment.cases).toBe(9 * 20);
    expect(m.headline.inProgress.treatment.recovered).toBeGreaterThan(0);
    expect(m.sampleSize!.daysMore).toBeGreaterThanOrEqual(20);
    expect(m.message).toMatch(/about \d+ more days at your volume to detect a lift of \+5\.0 pp/);
  });

  it('without a stored go-live moment: the first case, or (if created after now, as on an emulator clock) the backlog\'s last failure', () => {
    const other = openStore(join(dir, 'fallback.db'), { clock: new FakeClock(NOW) });
    other.settings.set({ env: 'test', scope: 'account', controlBaseline: 'stripe', defaultTimezone: 'UTC' });
    addCase(other, { arm: 'control', amount: 100, currency: 'usd', entered: day(-10), source: 'takeover' });
    addCase(other, { arm: 'control', amount: 100, currency: 'usd', entered: day(5) });
    const now = buildReport(other, { now: NOW }).measurement;
    expect([now.assignedFrom, now.assignedAt]).toEqual(['first_case', NOW]);
    const past = buildReport(other, { now: day(6) }).measurement;
    expect([past.assignedFrom, past.assignedAt]).toEqual(['backlog', day(-10)]);
    expect(past.headline.inProgress.control.cases).toBe(1);
    expect(past.backlog.inProgress.control.cases).toBe(1);
    other.close();
  });

  it('CLI: --as-of, --currency and --effect; bad values exit 2 naming the value; equal windows drop the note', async () => {
    const db = join(dir, 'cli.db');
    const s = openStore(db, { clock: new FakeClock(NOW) });
    seed(s);
    s.close();
    const clock = { overrides: { clock: new FakeClock(NOW) } };
    const json = async (...args: string[]) => {
      const r = await runCli(['--db', db, '--json', 'report', ...args], clock);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as { measurement: { asOf: number; mainCurrency: string; windowNote: string | null; sampleSize: { effect: number } } };
    };
    expect((await json('--as-of', '2026-02-10')).measurement.asOf).toBe(Date.UTC(2026, 1, 11));
    expect((await json('--currency', 'USD')).measurement.mainCurrency).toBe('usd');
    expect((await json('--effect', '20')).measurement.sampleSize.effect).toBe(0.2);
    for (const [args, text] of [
      [['--as-of', '2027-01-01'], 'invalid value for --as-of: "2027-01-01" (accepted: a date (2026-01-31) or date-time'],
      [['--as-of', 'yesterday'], 'invalid value for --as-of: "yesterday"'],
      [['--currency', 'eur'], 'invalid value for --currency: "eur" (accepted: usd)'],
      [['--currency', 'XYZ'], 'invalid value for --currency: "XYZ" (accepted: usd)'], // as typed, not lowercased
      [['--currency', 'dollars'], 'invalid value for --currency: "dollars" (accepted: a three-letter currency code such as usd)'],
      [['--effect', '0'], '--effect'],
    ] as const) {
      const r = await runCli(['--db', db, 'report', ...args], clock);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(text);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    // Windows made equal (recover config set): the lift no longer carries the window note.
    expect((await runCli(['--db', db, 'config', 'set', 'baseline-window-days', '30'], clock)).code).toBe(0);
    expect((await json()).measurement.windowNote).toBeNull();
    expect((await runCli(['--db', db, 'config', 'set', 'baseline-window-days', '0'], clock)).code).toBe(2);
  });

  it('the main currency is the one most recoveries are in, not the largest number of minor units', () => {
    const row = (currency: string, cases: number, recoveredAmount: number) => ({
      population: 'new' as const, day: 1, arm: 'treatment' as const, outcome: 'recovered' as const, currency, cases,
      amountDue: recoveredAmount, recoveredAmount, recoveredAmountSq: 0, retries: cases,
    });
    const input = {
      asOf: NOW, zone: 'UTC', assignedAt: GO_LIVE, assignedFrom: 'settings' as const, baseline: 'stripe', baselineLabel: 'Stripe',
      dunningDays: 30, baselineWindowDays: 30, controlShare: 0.1, minResolvedPerArm: 30,
      // 10 dollar invoices ($100.00 = 10,000 cents) against 2 yen invoices (¥200,000).
      rows: [row('usd', 10, 10_000), row('jpy', 2, 200_000)],
    };
    expect(computeMeasurement(input).mainCurrency).toBe('usd');
    expect(computeMeasurement({ ...input, currency: 'JPY' }).mainCurrency).toBe('jpy');
  });
});
