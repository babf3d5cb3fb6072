/**
 * Webhook ingest against its bound (`npm run bench -- ingest`): the daemon's receiver and a
 * minimal reference receiver written here — node:http, the SDK's signature check
 * (src/stripe constructEvent), one better-sqlite3 autocommit INSERT per event in a WAL
 * database with synchronous=NORMAL (the store's settings), then the 200 — under the same load
 * generator (bench/load.ts). Figures: events/s accepted durably and p99 acknowledgement
 * latency of each, and their ratios. Targets (issue 18): throughput >= 0.7 × the reference's,
 * p99 <= 1.5 × the reference's.
 *
 * The reference's SQL lives here, not in src/db/: it is the yardstick, not recover.
 * RECOVER_BENCH_INGEST_EVENTS overrides the number of events per run (default 20,000).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../src/db/index.js';
import { Daemon } from '../src/daemon/daemon.js';
import { constructEvent } from '../src/stripe/index.js';
import { SECRET, sendEvents, type LoadResult } from './load.js';

/** The reference: verify, insert, 200 (400 on a bad signature, as any receiver must). */
interface Receiver {
  url: string;
  count: () => number;
  /** Events already processed (the daemon's inbox) when the load ends. */
  processed?: () => number;
  close: () => Promise<void>;
}

async function reference(file: string): Promise<Receiver> {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE events (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, raw TEXT NOT NULL, received_at INTEGER NOT NULL
  )`);
  const insert = db.prepare(
    'INSERT INTO events (id, type, raw, received_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        const event = constructEvent(raw, req.headers['stripe-signature'] as string | undefined, SECRET);
        insert.run(event.id, event.type, raw, Date.now());
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"received":true}');
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/stripe/webhook`,
    count: () => (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
}

async function daemonReceiver(file: string): Promise<Receiver> {
  const store = openStore(file, { checkpoint: 'background' });
  store.settings.set({ env: 'test', scope: 'account' });
  store.secrets.set('primary_key', 'sk_test_bench');
  store.secrets.set('webhook_secret', SECRET);
  // The loop runs, as in `recover run`: the inbox is processed on the same event loop while the
  // receiver answers (no account is set up, so each event is claimed, started, parsed, skipped
  // and marked processed: the inbox's own cost, without Stripe calls).
  const daemon = new Daemon({ store, apiBase: 'http://127.0.0.1:9', http: { host: '127.0.0.1', port: 0 } });
  await daemon.start();
  return {
    url: `${daemon.url}/stripe/webhook`,
    count: () => store.events.count(),
    processed: () => store.events.count() - store.events.countUnprocessed(),
    close: async () => {
      await daemon.stop();
      store.close();
    },
  };
}

type Measured = LoadResult & { stored: number; processed: number };

async function measure(open: () => Promise<Receiver>, n: number, concurrency: number, tag: string): Promise<Measured> {
  const r = await open();
  try {
    const load = await sendEvents(r.url, n, concurrency, tag);
    return { ...load, stored: r.count(), processed: r.processed?.() ?? 0 };
  } finally {
    await r.close();
  }
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const perSec = (r: LoadResult) => Math.round((r.ok / r.ms) * 1000);

export async function benchIngest(): Promise<Record<string, number | string>> {
  const n = Number(process.env.RECOVER_BENCH_INGEST_EVENTS ?? 20_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recover-bench-ingest-'));
  const figures: Record<string, number | string> = {
    command: 'npm run bench -- ingest', 'events per run (signed, ~3 KiB)': n,
  };
  try {
    for (const concurrency of [32, 4]) {
      // Alternated, twice each, best kept: the two share a busy 2-core machine.
      const runs: Record<'ref' | 'rec', Measured[]> = { ref: [], rec: [] };
      for (let i = 0; i < 2; i++) {
        const file = (who: string) => path.join(dir, `${who}-${concurrency}-${i}.db`);
        runs.ref.push(await measure(() => reference(file('ref')), n, concurrency, `r${i}c${concurrency}`));
        runs.rec.push(await measure(() => daemonReceiver(file('rec')), n, concurrency, `d${i}c${concurrency}`));
      }
      const best = (xs: Measured[]) => xs.reduce((a, b) => (perSec(b) > perSec(a) ? b : a));
      const ref = best(runs.ref);
      const rec = best(runs.rec);
      const at = `${concurrency} in flight`;
      figures[`${at}: reference events/s (stored ${ref.stored})`] = perSec(ref);
      const recKey = `${at}: recover events/s (stored ${rec.stored}, processed ${rec.processed} by the last ack)`;
      figures[recKey] = perSec(rec);
      figures[`${at}: throughput ratio recover / reference (target >= 0.7)`] = round(perSec(rec) / perSec(ref));
      figures[`${at}: reference p99 ack (ms)`] = round(ref.p99, 2);
      figures[`${at}: recover p99 ack (ms)`] = round(rec.p99, 2);
      figures[`${at}: p99 ratio recover / reference (target <= 1.5)`] = round(rec.p99 / ref.p99);
      figures[`${at}: recover p50 ack (ms)`] = round(rec.p50, 2);
    }
    figures['load average (1 min) at the end'] = round(os.loadavg()[0], 2);
    return figures;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
