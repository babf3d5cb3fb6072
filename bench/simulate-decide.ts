/**
 * Decision time of recover's policy with 100 past charges per customer (the pay-cycle belief's
 * worst realistic input): 2,000 insufficient-funds decisions, each on a different customer and
 * day, timed one by one (performance.now, ms), in 5 rounds after a warm-up round. On a shared
 * machine a preempted decision lands in the tail, so the p99 of every round is reported with the
 * load average. Measured here, never in a test.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DAY_MS, HOUR_MS } from '../src/clock.js';
import { decideTreatment, mulberry32 } from '../src/policy/index.js';
import type { AttemptRecord, CustomerPayment, PolicyInput, PolicySettings } from '../src/policy/index.js';

const DECISIONS = 2_000;
const PAST_CHARGES = 100;
const SETTINGS: PolicySettings = {
  windows: ['0 8-20 * * *'],
  dunningDays: 30,
  defaultTimezone: 'UTC',
  controlBaseline: 'stripe',
  attemptCost: 25,
};

function input(i: number): PolicyInput {
  const r = mulberry32(i + 1);
  const failedAt = Date.UTC(2026, 0, 5) + Math.floor(r() * 60) * DAY_MS + 14 * HOUR_MS;
  // 100 charges over the last 200 days: renewals and retries, a third declined for funds.
  const payments: CustomerPayment[] = Array.from({ length: PAST_CHARGES }, (_, k) => ({
    at: failedAt - (PAST_CHARGES - k) * 2 * DAY_MS + Math.floor(r() * 12) * HOUR_MS,
    succeeded: r() < 0.66,
    declineCode: 'insufficient_funds',
  })).map((p) => (p.succeeded ? { at: p.at, succeeded: true } : p));
  const retries = Math.floor(r() * 3);
  const attempts: AttemptRecord[] = [];
  for (let k = 0; k <= retries; k++) {
    const by = k ? 'recover' : 'stripe';
    attempts.push({ at: failedAt + k * 2 * DAY_MS, outcome: 'failed', declineCode: 'insufficient_funds', by });
  }
  const now = attempts[attempts.length - 1].at;
  return {
    case: {
      id: `in_${i}`,
      customerId: `cus_${i}`,
      amount: 2900,
      currency: 'usd',
      failedAt,
      invoiceCreatedAt: failedAt - HOUR_MS,
      dunningDeadline: failedAt + 30 * DAY_MS,
      arm: 'treatment',
    },
    attempts,
    card: {
      brand: 'visa',
      funding: 'debit',
      fingerprint: `fp_${i}`,
      attempts24h: 0,
      attempts30d: attempts.length,
      declines24h: 0,
      sameAmountAttempts30d: attempts.length,
    },
    customer: { timezone: 'America/Chicago', payments },
    settings: SETTINGS,
    stats: new Map(),
    now,
    random: mulberry32(i),
  };
}

const ROUNDS = 5;

export function benchDecideTime(): Record<string, number | string> {
  const inputs = Array.from({ length: DECISIONS }, (_, i) => input(i));
  for (const x of inputs) decideTreatment(x); // warm the JIT and the memoised calendars
  const p50s: number[] = [];
  const p99s: number[] = [];
  const cpu99s: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const times: number[] = [];
    // CPU time of this process per decision (µs → ms): a decision preempted by other work on the
    // machine stays short here while its wall time grows, so the two tell load from slowness.
    const cpu: number[] = [];
    for (const x of inputs) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      decideTreatment(x);
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    const q = (xs: number[], p: number) => {
      xs.sort((a, b) => a - b);
      return Math.round(xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] * 1000) / 1000;
    };
    p50s.push(q(times, 0.5));
    p99s.push(q(times, 0.99));
    cpu99s.push(q(cpu, 0.99));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return {
    'decide p50 (ms)': median(p50s),
    'decide p99 (ms)': median(p99s),
    'decide p99 per round (ms)': p99s.join(', '),
    'decide p99 CPU time (ms)': median(cpu99s),
    'load average during the bench (1 min)': Math.round(loadavg()[0] * 10) / 10,
  };
}
