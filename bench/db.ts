/**
 * Store benchmark (`npm run bench -- db`):
 * - fills a temp database with 1,000,000 cases, each with one scheduled attempt spread over
 *   30 days (generated inside SQLite in one transaction);
 * - times one scheduler tick = claimDue(now, lease, 50, owner) + nextDueAt() (target < 5 ms)
 *   with half the attempts due, under SQLite's own checkpointing and under the background
 *   checkpointer the daemon uses; the claimed attempts are then finished (untimed), as the
 *   executor would;
 * - measures the webhook inbox's durable insert rate (each insert its own transaction, as
 *   the receiver does before answering 200) and the per-row import rate through the typed API
 *   (what takeover does).
 * RECOVER_BENCH_DB_CASES (or `cases`) overrides the case count for a quick run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DAY_MS, FakeClock } from '../src/clock.js';
import { openStore, type OpenStoreOptions, type Store } from '../src/db/index.js';
import { fillSyntheticBacklog } from './synthetic.js';

const T0 = Date.UTC(2026, 0, 1);
const LEASE_MS = 60_000;
const BATCH = 50;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Deterministic LCG so every run imports the same rows. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Times `count` scheduler ticks at `now`; returns sorted durations in ms. */
function ticks(store: Store, now: number, count: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const claimed = store.attempts.claimDue(now, LEASE_MS, BATCH, 'bench');
    store.attempts.nextDueAt();
    times.push(performance.now() - t);
    store.tx(() => {
      for (const a of claimed) store.attempts.finish(a.id, 'bench', { outcome: 'succeeded', at: now });
    });
  }
  return times.sort((a, b) => a - b);
}

/** Events per second, each insert its own transaction; ~4 KiB bodies, like an invoice event. */
function inboxRate(store: Store, count: number): number {
  const padding = 'x'.repeat(4000);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const id = `evt_bench${i}`;
    store.events.insertIfNew({ id, type: 'invoice.payment_failed', objectId: `in_${i}`, created: T0 + i, raw: JSON.stringify({ id, padding }) });
  }
  return count / ((performance.now() - start) / 1000);
}

/** Cases per second through cases.upsert + attempts.schedule, in one transaction. */
function apiImportRate(store: Store, n: number): number {
  const rand = rng(7);
  const start = performance.now();
  store.tx(() => {
    for (let i = 0; i < n; i++) {
      const failedAt = T0 - Math.floor(rand() * 5 * DAY_MS);
      const { id } = store.cases.upsert({
        accountId: 'self',
        invoiceId: `in_api${i}`,
        customerId: `cus_api${Math.floor(rand() * n)}`,
        amountDue: 500 + Math.floor(rand() * 20_000),
        currency: 'usd',
        invoiceCreatedAt: failedAt - 3_600_000,
        firstFailedAt: failedAt,
        source: 'takeover',
        arm: rand() < 0.1 ? 'control' : 'treatment',
        status: 'in_dunning',
        dunningDeadline: failedAt + 30 * DAY_MS,
        lastFailedAt: failedAt,
        lastDeclineCode: 'insufficient_funds',
      });
      store.attempts.schedule(id, T0 + Math.floor(rand() * 30 * DAY_MS));
    }
  });
  return n / ((performance.now() - start) / 1000);
}

export async function benchDb(opts: { cases?: number } = {}): Promise<Record<string, number | string>> {
  const n = opts.cases ?? Number(process.env.RECOVER_BENCH_DB_CASES ?? 1_000_000);
  const rows = Math.min(20_000, n); // inbox events and API imports
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recover-bench-db-'));
  const file = path.join(dir, 'bench.db');
  const open = (o: OpenStoreOptions = {}) => openStore(file, { clock: new FakeClock(T0), ...o });
  try {
    open().close(); // create + migrate
    const t = performance.now();
    fillSyntheticBacklog(file, { cases: n, start: T0, spreadMs: 30 * DAY_MS });
    const fillSeconds = (performance.now() - t) / 1000;
    const sizeMiB = fs.statSync(file).size / 2 ** 20;
    fs.readFileSync(file); // warm the OS page cache as a running daemon's would be

    const backlogNow = T0 + 15 * DAY_MS; // half of the attempts are due
    let store = open();
    const autoCk = ticks(store, backlogNow, 300);
    store.close();

    store = open({ checkpoint: 'background' });
    const bgCk = ticks(store, backlogNow, 600);
    const idle = ticks(store, T0 - 1, 300); // nothing due: the daemon only asks when to wake
    const inbox = inboxRate(store, rows);
    const imported = apiImportRate(store, rows);
    store.close();

    return {
      cases: n,
      'fill, bulk SQL (s)': fillSeconds,
      'database size (MiB)': Math.round(sizeMiB),
      'tick (claim 50 + nextDueAt), background checkpoints: median (ms)': percentile(bgCk, 0.5),
      'tick, background checkpoints: p99 (ms)': percentile(bgCk, 0.99),
      'tick, SQLite auto checkpoints: median (ms)': percentile(autoCk, 0.5),
      'tick, SQLite auto checkpoints: p99 (ms)': percentile(autoCk, 0.99),
      'tick, nothing due: median (ms)': percentile(idle, 0.5),
      'tick, nothing due: p99 (ms)': percentile(idle, 0.99),
      'tick target (ms)': '< 5',
      'inbox insert, 4 KiB event, own transaction (events/s)': Math.round(inbox),
      'import via API, upsert + schedule (cases/s)': Math.round(imported),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
