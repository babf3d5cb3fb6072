/**
 * `recover report` against the hand-computed case set of fixture.ts, through the real CLI.
 * Every expected number below is a literal worked out by hand from the fixture; the working is
 * in the comments (T1…T10 treatment, C1…C4 control, all of account `self`, February 2026).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import type { Report } from '../../src/report/index.js';
import { buildReport } from '../../src/report/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDb, tempDir } from '../helpers/env.js';
import { D, NOW, seedHandComputed } from './fixture.js';

const HOUR = 3_600_000;

async function report(db: string, ...args: string[]): Promise<Report> {
  const r = await runCli(['--db', db, 'report', '--json', ...args], { overrides: { clock: new FakeClock(NOW) } });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

describe('recover report on a hand-computed case set', () => {
  it('headline: counts, amounts per currency, rates, median, attempts', async () => {
    const db = tempDb();
    seedHandComputed(db).close();
    const r = await report(db, '--since', '2026-02-01', '--until', '2026-02-28', '--account', 'self');

    expect(r.period.since).toBe(Date.UTC(2026, 1, 1));
    expect(r.period.until).toBe(Date.UTC(2026, 2, 1)); // a date-only --until includes that day
    expect(r.account).toBe('self');
    const h = r.headline;
    // T1..T10 + C1..C4
    expect(h.entered).toBe(14);
    // usd: 1000+1500+2500+800+1200+600+400+900 (T) + 1000+2000+700+300 (C) = 12900
    expect(h.enteredAmount).toEqual({ eur: 500, jpy: 3000, usd: 12900 });
    // T1, T2, T3, T4, C1, C2
    expect(h.recovered).toBe(6);
    // usd: T1 1000 + T4 1500 + C1 1000 + C2 2000 = 5500
    expect(h.recoveredAmount).toEqual({ eur: 500, jpy: 3000, usd: 5500 });
    // in dunning: T7, T10, C4 → resolved 14 − 3 = 11
    expect(h.inDunning).toBe(3);
    expect(h.inDunningAmount).toEqual({ usd: 2400 });
    expect(h.inDunningByStatus).toEqual({ in_dunning: 1, observing: 1, waiting_card_update: 1 });
    expect(h.resolved).toBe(11);
    expect(h.recoveryRate).toBeCloseTo(6 / 11, 12);
    // lost: T5, C3 (status lost) and T8 (past its deadline, still open)
    expect(h.lost).toBe(3);
    expect(h.lostPendingClose).toBe(1);
    expect(h.lostAmount).toEqual({ usd: 3800 });
    expect(h.hardDeclined).toBe(1); // T6
    expect(h.closed).toBe(1); // T9
    // times to recover: T2 24h, T4 24h, T1 53h, C1 96h, C2 96h, T3 111h → median (53 + 96) / 2
    expect(h.medianTimeToRecoverMs).toBe(74.5 * HOUR);
    // retries up to the success on recovered invoices: T1 2, T2 1, T3 3, T4 0, C1 2, C2 2 (1 + the paid one) = 10
    expect(h.attemptsPerRecovered).toBeCloseTo(10 / 6, 12);
    // retries on resolved cases: the 10 above + T5 3 + T8 1 + C3 2 = 16
    expect(h.retriesPerRecovery).toBeCloseTo(16 / 6, 12);
    // our attempts in February on known cards: T1 2, T2 1, T3 3, T5 3, T7 1, T8 1
    expect(h.networkCapViolations.total).toBe(0);
    expect(h.networkCapViolations.audited).toBe(11);
  });

  it('attribution, lift (in progress, then measured), pre-takeover baseline', async () => {
    const db = tempDb();
    seedHandComputed(db).close();
    const r = await report(db, '--since', '2026-02-01', '--until', '2026-02-28', '--account', 'self');

    expect(r.attribution).toEqual([
      { by: 'recover', label: 'our retry', count: 3, share: 0.5, amount: { eur: 500, jpy: 3000, usd: 1000 } },
      { by: 'customer', label: 'the customer (card update or other payment)', count: 1, share: 1 / 6, amount: { usd: 1500 } },
      { by: 'stripe', label: 'Stripe (its own retries)', count: 2, share: 2 / 6, amount: { usd: 3000 } },
    ]);

    const l = r.lift;
    expect(l.baseline).toBe('stripe');
    expect(l.baselineLabel).toBe('Stripe Smart Retries');
    // treatment: 10 entered, T7 + T10 in dunning, 8 resolved, 4 recovered (T1..T4)
    expect(l.treatment).toMatchObject({ entered: 10, inDunning: 2, resolved: 8, recovered: 4, notRecovered: 4, rate: 0.5 });
    expect(l.treatment.recoveredAmount).toEqual({ eur: 500, jpy: 3000, usd: 2500 });
    // resolved usd: T1 1000 + T4 1500 + T5 2500 + T6 800 + T8 600 + T9 400 = 6800
    expect(l.treatment.resolvedAmount).toEqual({ eur: 500, jpy: 3000, usd: 6800 });
    // retries: on recovered T1 2 + T2 1 + T3 3 + T4 0 = 6; on resolved + T5 3 + T8 1 = 10
    expect(l.treatment.attemptsPerRecovered).toBe(1.5);
    expect(l.treatment.retries).toBe(10);
    expect(l.treatment.retriesPerRecovery).toBe(2.5);
    // control: 4 entered, C4 in dunning, 3 resolved, 2 recovered (C1, C2)
    expect(l.control).toMatchObject({ entered: 4, inDunning: 1, resolved: 3, recovered: 2, notRecovered: 1 });
    expect(l.control.rate).toBeCloseTo(2 / 3, 12);
    expect(l.control.recoveredAmount).toEqual({ usd: 3000 });
    expect(l.control.resolvedAmount).toEqual({ usd: 3700 });
    expect(l.control.attemptsPerRecovered).toBe(2); // C1 2, C2 2
    expect(l.control.retriesPerRecovery).toBe(3); // + C3 2 = 6 over 2
    // Wilson 95% for 2/3 (hand computation): 0.2077 to 0.9385
    expect(l.control.ci95!.low).toBeCloseTo(0.20766, 4);
    expect(l.control.ci95!.high).toBeCloseTo(0.93851, 4);
    // fewer than 30 resolved in each arm: no difference shown
    expect(l.status).toBe('in_progress');
    expect(l.difference).toBeNull();
    expect(l.ci95).toBeNull();
    expect(l.revenue).toBeNull();
    expect(l.needed).toEqual({ treatment: 22, control: 27 });
    expect(l.message).toBe(
      'measurement in progress: needs 27 more resolved control cases (3 of 30; 1 still in dunning) and 22 more resolved treatment cases (8 of 30; 2 still in dunning)',
    );

    // Pre-takeover: H1 (recovered, 1 retry), H2 (not), H3 (recovered, 2 retries); H4 is case x1 now.
    expect(r.preTakeover).toMatchObject({
      invoices: 3,
      recovered: 2,
      recoveredAmount: { eur: 500, usd: 1000 },
      attemptsPerRecovered: 1.5,
      takenOver: 1,
      from: Date.UTC(2025, 11, 1),
      to: Date.UTC(2025, 11, 10),
    });
    expect(r.preTakeover!.rate).toBeCloseTo(2 / 3, 12);
  });

  it('the lift once both arms are large enough: difference, Newcombe CI, revenue it accounts for', () => {
    const db = tempDb();
    const store = seedHandComputed(db);
    const r = buildReport(store, { now: NOW, period: { since: D(1), until: D(1) + 28 * 24 * HOUR }, account: 'self', minResolvedPerArm: 3 });
    store.close();
    const l = r.lift;
    expect(l.status).toBe('measured');
    // 4/8 − 2/3 = −1/6; Newcombe (hand-computed from the Wilson limits 0.2152–0.7848 and 0.2077–0.9385)
    expect(l.difference).toBeCloseTo(-1 / 6, 12);
    expect(l.ci95!.low).toBeCloseTo(-0.56037, 4);
    expect(l.ci95!.high).toBeCloseTo(0.37351, 4);
    expect(l.significant).toBe(false);
    // difference × treatment amount at stake (resolved): usd 6800, eur 500, jpy 3000
    expect(l.revenue).toEqual([
      { currency: 'eur', atStake: 500, lift: -83, low: -280, high: 187 },
      { currency: 'jpy', atStake: 3000, lift: -500, low: -1681, high: 1121 },
      { currency: 'usd', atStake: 6800, lift: -1133, low: -3810, high: 2540 },
    ]);
    expect(l.needed).toBeNull();
  });

  it('breakdowns: decline code, card brand, attempt number, local hour; feed; timeline', async () => {
    const db = tempDb();
    seedHandComputed(db).close();
    const r = await report(db, '--since', '2026-02-01', '--until', '2026-02-28', '--account', 'self');
    const b = r.breakdowns;

    expect(b.byDeclineCode).toEqual([
      // T1, T3, T5, T7, T8, C1, C3; T7 in dunning; recovered T1 (usd 1000), T3 (jpy 3000), C1 (usd 1000)
      { key: 'insufficient_funds', category: 'soft', cases: 7, resolved: 6, recovered: 3, inDunning: 1, rate: 0.5, recoveredAmount: { jpy: 3000, usd: 2000 } },
      // T2 (eur 500), C2 (usd 2000)
      { key: 'do_not_honor', category: 'soft', cases: 2, resolved: 2, recovered: 2, inDunning: 0, rate: 1, recoveredAmount: { eur: 500, usd: 2000 } },
      // T4 (recovered by the customer), T10 (last decline, in dunning)
      { key: 'expired_card', category: 'needs_card_update', cases: 2, resolved: 1, recovered: 1, inDunning: 1, rate: 1, recoveredAmount: { usd: 1500 } },
      { key: 'generic_decline', category: 'soft', cases: 1, resolved: 1, recovered: 0, inDunning: 0, rate: 0, recoveredAmount: {} }, // T9
      { key: 'stolen_card', category: 'hard', cases: 1, resolved: 1, recovered: 0, inDunning: 0, rate: 0, recoveredAmount: {} }, // T6
      { key: 'unknown', category: 'soft', cases: 1, resolved: 0, recovered: 0, inDunning: 1, rate: null, recoveredAmount: {} }, // C4
    ]);
    expect(b.byCardBrand).toEqual([
      // T1, T3, T4, T6, T7, T8, C1, C4; in dunning T7, C4; recovered T1, T3, T4, C1
      { key: 'visa', cases: 8, resolved: 6, recovered: 4, inDunning: 2, rate: 4 / 6, recoveredAmount: { jpy: 3000, usd: 3500 } },
      // T2, T5, C2, C3; recovered T2, C2
      { key: 'mastercard', cases: 4, resolved: 4, recovered: 2, inDunning: 0, rate: 0.5, recoveredAmount: { eur: 500, usd: 2000 } },
      { key: 'amex', cases: 1, resolved: 1, recovered: 0, inDunning: 0, rate: 0, recoveredAmount: {} }, // T9
      { key: 'unknown', cases: 1, resolved: 0, recovered: 0, inDunning: 1, rate: null, recoveredAmount: {} }, // T10
    ]);
    // Numbered on the invoice (src/attempt-number.ts): attempt 1 is the failed first payment, so
    // a case's first retry is attempt 2.
    expect(b.byAttemptNumber).toEqual([
      // 1st retries: T1 ✗, T2 ✓, T3 ✗, T5 ✗, T7 ✗, T8 ✗, C1 ✗, C2 ✗, C3 ✗
      { n: 2, attempts: 9, successes: 1, rate: 1 / 9 },
      // 2nd: T1 ✓, T3 ✗, T5 ✗, C1 ✓, C2 ✓ (paid, seen only as invoice.paid), C3 ✗
      { n: 3, attempts: 6, successes: 3, rate: 0.5 },
      // 3rd: T3 ✓, T5 ✗
      { n: 4, attempts: 2, successes: 1, rate: 0.5 },
    ]);
    const hours = b.byHour.filter((x) => x.attempts > 0);
    expect(hours).toEqual([
      { hour: 0, attempts: 3, successes: 0, rate: 0 }, // T8, C3 ×2 (UTC)
      { hour: 1, attempts: 2, successes: 1, rate: 0.5 }, // C1 ×2 (Paris)
      { hour: 8, attempts: 1, successes: 1, rate: 1 }, // T2 (UTC)
      { hour: 9, attempts: 2, successes: 0, rate: 0 }, // T3 ×2 (Tokyo)
      { hour: 10, attempts: 2, successes: 1, rate: 0.5 }, // T1 ×2 (New York)
      { hour: 12, attempts: 7, successes: 2, rate: 2 / 7 }, // T3 ✓ (Tokyo), T5 ×3, T7, C2 ✗ and ✓ (UTC)
    ]);
    expect(b.byHour).toHaveLength(24);

    // Feed: most recent recovery first.
    expect(r.feed.map((f) => [f.invoiceId, f.customerId, f.at, f.amount, f.currency, f.attempt, f.by])).toEqual([
      ['in_T3', 'cus_T3', D(10, 3), 3000, 'jpy', 4, 'recover'],
      ['in_C2', 'cus_C2', D(9, 12), 2000, 'usd', 3, 'stripe'],
      ['in_T4', 'cus_T4', D(7, 18), 1500, 'usd', null, 'customer'],
      ['in_C1', 'cus_C1', D(6, 0), 1000, 'usd', 3, 'stripe'],
      ['in_T2', 'cus_T2', D(5, 8), 500, 'eur', 2, 'recover'],
      ['in_T1', 'cus_T1', D(4, 15), 1000, 'usd', 3, 'recover'],
    ]);

    // Timeline: every day of February, recoveries on the 4th, 5th, 6th, 7th, 9th, 10th.
    expect(r.timeline).toHaveLength(28);
    expect(r.timeline[0].day).toBe('2026-02-01');
    expect(r.timeline[27].day).toBe('2026-02-28');
    expect(r.timeline.filter((d) => d.recovered > 0)).toEqual([
      { day: '2026-02-04', recovered: 1, amount: { usd: 1000 } },
      { day: '2026-02-05', recovered: 1, amount: { eur: 500 } },
      { day: '2026-02-06', recovered: 1, amount: { usd: 1000 } },
      { day: '2026-02-07', recovered: 1, amount: { usd: 1500 } },
      { day: '2026-02-09', recovered: 1, amount: { usd: 2000 } },
      { day: '2026-02-10', recovered: 1, amount: { jpy: 3000 } },
    ]);
  });

  it('all accounts by default; the default period is the last 30 days before now', async () => {
    const db = tempDb();
    seedHandComputed(db).close();
    const all = await report(db, '--since', '2026-02-01', '--until', '2026-02-28');
    expect(all.account).toBeNull();
    // + Y1 of acct_1Other (usd 5000, recovered by our retry)
    expect(all.headline.entered).toBe(15);
    expect(all.headline.recovered).toBe(7);
    expect(all.headline.recoveredAmount).toEqual({ eur: 500, jpy: 3000, usd: 10500 });
    expect(all.attribution[0].count).toBe(4);

    // now = Mar 1 12:00 → since = Jan 30 12:00: every February case, Y1, and the March 1 06:00 case.
    const def = await report(db);
    expect(def.period.since).toBe(NOW - 30 * 24 * HOUR);
    expect(def.period.until).toBe(NOW);
    expect(def.headline.entered).toBe(16);

    // relative and ISO date-time forms
    const rel = await report(db, '--since', '45d', '--until', '2026-02-15T00:00:00Z', '--account', 'self');
    expect(rel.period.since).toBe(NOW - 45 * 24 * HOUR);
    expect(rel.period.until).toBe(D(15));
    // January's x1 (Jan 20) is within 45 days of Mar 1 12:00 (since = Jan 15 12:00); Feb 15 onwards is not.
    expect(rel.headline.entered).toBe(12); // x1 + T1..T6, T8, T9 (entered ≤ Feb 12) + C1..C3
  });

  it('bad usage exits 2; an unknown account exits 1; a missing database exits 2', async () => {
    const db = tempDb();
    seedHandComputed(db).close();
    const clock = { overrides: { clock: new FakeClock(NOW) } };
    const bad = await runCli(['--db', db, 'report', '--since', 'yesterday'], clock);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid value for --since');
    const empty = await runCli(['--db', db, 'report', '--since', '2026-02-10', '--until', '2026-02-01'], clock);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('the period is empty');
    const acct = await runCli(['--db', db, 'report', '--account', 'acct_nope'], clock);
    expect(acct.code).toBe(1);
    expect(acct.stderr).toContain('unknown account acct_nope');
    const missing = await runCli(['--db', join(tempDir(), 'none.db'), 'report'], clock);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no database at');
    const both = await runCli(['--db', db, 'report', '--json', '--csv'], clock);
    expect(both.code).toBe(2);
  });

  it('tables by default (no colour under NO_COLOR), CSV to stdout or a file, HTML to a file', async () => {
    const db = tempDb();
    seedHandComputed(db).close();
    const clock = { overrides: { clock: new FakeClock(NOW) } };
    const args = ['--db', db, 'report', '--since', '2026-02-01', '--until', '2026-02-28', '--account', 'self'];

    const text = await runCli(args, clock);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toMatch(/\u001b\[/);
    expect(text.stdout).toContain('cases entered dunning');
    expect(text.stdout).toMatch(/recovered\s+│ 6\s+€5\.00 \+ ¥3,000 \+ \$55\.00/);
    expect(text.stdout).toMatch(/recovery rate\s+│ 54\.5% of 11 resolved cases/);
    expect(text.stdout).toContain('measurement in progress: needs 27 more resolved control cases');
    expect(text.stdout).toMatch(/median time to recover\s+│ 3\.1 days/);
    // Narrow amount columns: the main currency and a count of the others (eight in full made 12-line rows).
    expect(text.stdout).toMatch(/│ our retry\s+│ 3\s+│ 50\.0%\s+│ \$10\.00 \+ 2 more\s+│/);
    expect(text.stdout).toContain('amounts in USD; "+ N more": other currencies (all in --json, --csv, --html)');
    expect(text.stdout).toContain('in_T3');


    const csv = await runCli([...args, '--csv'], clock);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('section,key,metric,value,currency');
    expect(lines).toContain('headline,,entered,14,');
    expect(lines).toContain('headline,,recovered_amount,55.00,usd');
    expect(lines).toContain('headline,,recovered_amount,3000,jpy');
    expect(lines).toContain('lift,control,resolved,3,');
    expect(lines).toContain('decline_code,insufficient_funds,cases,7,');
    expect(lines).toContain('attempt_number,3,successes,3,');
    expect(lines).toContain('feed,in_T4,how,customer,');

    const dir = tempDir();
    const files = await runCli([...args, '--csv', join(dir, 'r.csv'), '--html', join(dir, 'r.html')], clock);
    expect(files.code).toBe(0);
    expect(files.stdout).toContain('cases entered dunning'); // the tables are still printed
    expect(files.stderr).toContain(`wrote HTML report to ${join(dir, 'r.html')}`);
    expect(readFileSync(join(dir, 'r.csv'), 'utf8')).toBe(csv.stdout);
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });
});
