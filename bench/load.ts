/**
 * The webhook load generator shared by the ingest benchmarks: signed events POSTed over
 * keep-alive HTTP from a worker thread (the receiver keeps the main thread, as on a 2-core
 * machine), a fixed number of requests in flight. Returns the wall time, the 200s and each
 * request's acknowledgement latency (ms, as the client sees it).
 */
import { Worker } from 'node:worker_threads';
import { signPayload } from '../src/stripe/index.js';

export const SECRET = 'whsec_benchbenchbenchbenchbenchbench';

export function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** A realistic invoice.payment_failed body (~3 KiB). */
export function eventBody(i: number, createdSec: number, tag = 'bench'): string {
  const pad = 'x'.repeat(2400);
  return JSON.stringify({
    id: `evt_${tag}${String(i).padStart(10, '0')}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: createdSec,
    livemode: false,
    type: 'invoice.payment_failed',
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: {
      object: {
        id: `in_${tag}${i}`,
        object: 'invoice',
        customer: `cus_bench${i % 5000}`,
        amount_due: 2500,
        amount_remaining: 2500,
        currency: 'usd',
        status: 'open',
        attempt_count: 1,
        description: pad,
      },
    },
  });
}

const LOADER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: workerData.concurrency });
const { url, bodies, headers, concurrency } = workerData;
const u = new URL(url);
const lat = new Float64Array(bodies.length);
let next = 0, ok = 0, failed = 0;
function one(i) {
  return new Promise((resolve) => {
    const t = performance.now();
    const headersOf = {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(bodies[i]),
      'Stripe-Signature': headers[i],
    };
    const target = { agent, host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: headersOf };
    const req = http.request(target, (res) => {
      res.resume();
      res.on('end', () => {
        lat[i] = performance.now() - t;
        if (res.statusCode === 200) ok++;
        else failed++;
        resolve();
      });
    });
    req.on('error', () => { failed++; resolve(); });
    req.end(bodies[i]);
  });
}
async function lane() { while (next < bodies.length) await one(next++); }
(async () => {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, lane));
  parentPort.postMessage({ ms: performance.now() - t0, ok, failed, lat: Array.from(lat) });
})();
`;

export interface LoadResult {
  n: number;
  ms: number;
  ok: number;
  failed: number;
  p50: number;
  p99: number;
}

/** Sends `n` freshly signed events to `url` with `concurrency` in flight. */
export async function sendEvents(url: string, n: number, concurrency: number, tag: string): Promise<LoadResult> {
  const now = Math.floor(Date.now() / 1000);
  const bodies = Array.from({ length: n }, (_, i) => eventBody(i, now, tag));
  const headers = bodies.map((b) => signPayload(b, SECRET, now));
  const r = await new Promise<{ ms: number; ok: number; failed: number; lat: number[] }>((resolve, reject) => {
    const w = new Worker(LOADER, { eval: true, workerData: { url, bodies, headers, concurrency } });
    w.once('message', resolve);
    w.once('error', reject);
  });
  const lat = r.lat.sort((a, b) => a - b);
  return { n, ms: r.ms, ok: r.ok, failed: r.failed, p50: pct(lat, 0.5), p99: pct(lat, 0.99) };
}
