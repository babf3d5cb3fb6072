/**
 * Report benchmark (`npm run bench -- report`): a merchant with 100,000 failed invoices over
 * 120 days (10% control, one to three retries each, 40% recovered, the rest lost at a 30-day
 * deadline or still in dunning), written through the store's typed API; then times
 * `buildReport` (the whole report: headline, breakdowns, network-cap audit and the like-for-like
 * lift over every cohort since go-live) at now and with --as-of 30 days back.
 * RECOVER_BENCH_REPORT_CASES overrides the case count for a quick run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DAY_MS, FakeClock } from '../src/clock.js';
import { openStore, type Store } from '../src/db/index.js';
import { buildReport } from '../src/report/index.js';

const T0 = Date.UTC(2026, 0, 1);
const DAYS = 120;
const NOW = T0 + DAYS * DAY_MS;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function fill(store: Store, cases: number): void {
  const rnd = rng(7);
  store.settings.set({ env: 'test', scope: 'account', controlBaseline: 'stripe', armsAssignedAt: T0, defaultTimezone: 'UTC' });
  store.accounts.upsert({ id: 'self', environment: 'test', kind: 'main' });
  store.tx(() => {
    for (let i = 0; i < cases; i++) {
      const entered = T0 + Math.floor(rnd() * DAYS * DAY_MS);
      const arm = rnd() < 0.1 ? 'control' : 'treatment';
      const { id } = store.cases.upsert({
        accountId: 'self', invoiceId: `in_b${i}`, customerId: `cus_b${i}`, amountDue: 900 + (i % 9) * 1000,
        currency: i % 10 === 0 ? 'eur' : 'usd', invoiceCreatedAt: entered - 3_600_000, firstFailedAt: entered,
        source: 'webhook', arm, status: arm === 'control' ? 'observing' : 'in_dunning', dunningDeadline: entered + 30 * DAY_MS,
        cardBrand: 'visa', cardFingerprint: `fp_b${i}`, customerTimezone: null, lastFailedAt: entered, lastDeclineCode: 'insufficient_funds',
      });
      store.attempts.record({ caseId: id, by: 'stripe', outcome: 'declined', at: entered, declineCode: 'insufficient_funds' });
      const retries = 1 + Math.floor(rnd() * 3);
      const wins = rnd() < 0.4;
      for (let k = 1; k <= retries; k++) {
        const at = entered + k * 3 * DAY_MS;
        if (at >= NOW) break;
        const ok = wins && k === retries;
        store.attempts.record({ caseId: id, by: 'stripe', outcome: ok ? 'succeeded' : 'declined', at, declineCode: ok ? null : 'insufficient_funds' });
        if (ok) store.cases.markRecovered(id, { at, by: 'stripe', amount: 900 + (i % 9) * 1000 });
      }
      if (!wins && entered + 30 * DAY_MS < NOW) store.cases.setStatus(id, 'lost', { at: entered + 30 * DAY_MS });
    }
  });
}

function time(fn: () => unknown, runs: number): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  return t.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

export async function benchReport(): Promise<Record<string, number | string>> {
  const cases = Number(process.env.RECOVER_BENCH_REPORT_CASES ?? 100_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recover-bench-report-'));
  try {
    const store = openStore(path.join(dir, 'r.db'), { clock: new FakeClock(NOW) });
    const fillStart = performance.now();
    fill(store, cases);
    const fillS = (performance.now() - fillStart) / 1000;
    const r = buildReport(store, { now: NOW });
    const nowMs = time(() => buildReport(store, { now: NOW }), 5);
    const asOfMs = time(() => buildReport(store, { now: NOW - 30 * DAY_MS }), 5);
    const liftMs = time(() => store.report.liftGroups({ since: 0, until: NOW, assignedAt: T0 }, NOW), 5);
    store.close();
    return {
      cases,
      'fill (s)': fillS,
      'report, now (ms, median of 5)': nowMs,
      'report, --as-of 30 days back (ms, median of 5)': asOfMs,
      'of which the lift query (ms)': liftMs,
      'lift status': r.measurement.headline.status,
      'final cases in the lift': r.measurement.headline.treatment.cases + r.measurement.headline.control.cases,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
