/**
 * Result-webhook delivery (issue 16 §4): RECOVER_BENCH_WEBHOOKS (default 5,000) recorded events
 * delivered by the daemon's deliverer (claim with a lease, sign, POST, record the try and the
 * outcome in one transaction) to a node:http receiver in a worker thread that answers 200.
 * Concurrency as the daemon's default (4) and at 16. Figures: deliveries/s, per-delivery p50/p99.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { FakeClock } from '../src/clock.js';
import { defaultSettings } from '../src/config/settings.js';
import { openStore } from '../src/db/index.js';
import { createLogger } from '../src/log.js';
import { newSigningSecret, WebhookDeliverer } from '../src/outbox/index.js';
import { pct } from './load.js';

const N = Number(process.env.RECOVER_BENCH_WEBHOOKS ?? 5000);
const T0 = Date.UTC(2026, 0, 1);

const RECEIVER = `
const http = require('node:http');
const { parentPort } = require('node:worker_threads');
const s = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('ok')); });
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => parentPort.postMessage(s.address().port));
`;

async function once(concurrency: number, port: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recover-bench-webhooks-'));
  const clock = new FakeClock(T0);
  const store = openStore(path.join(dir, 'recover.db'), { clock });
  try {
    store.secrets.set('result_webhook_secret', newSigningSecret());
    const settings = { ...defaultSettings(), resultWebhookUrl: `http://127.0.0.1:${port}/hooks` };
    store.tx(() => {
      for (let i = 0; i < N; i++)
        store.outbox.record({
          type: 'recovery.succeeded',
          dedupeKey: `recovery.succeeded:case:${i}`,
          caseId: null,
          at: T0,
          data: { recoveryId: `rcv_${i}`, invoiceId: `in_${i}`, amountCollected: 4200, currency: 'usd' },
        });
    });
    const durations: number[] = [];
    const d = new WebhookDeliverer({
      store,
      logger: createLogger({ level: 'silent', format: 'json' }),
      owner: 'bench',
      leaseMs: 60_000,
      concurrency,
      now: () => clock.now(),
      report: (r) => durations.push(r.durationMs),
    });
    const t = performance.now();
    let sent = 0;
    while (sent < N) sent += await d.runDue(settings, () => false);
    const s = (performance.now() - t) / 1000;
    const delivered = store.outbox.list({ limit: N }).filter((m) => m.outcome === 'delivered').length;
    if (delivered !== N) throw new Error(`only ${delivered} of ${N} delivered`);
    durations.sort((a, b) => a - b);
    return { perSec: N / s, p50: pct(durations, 0.5), p99: pct(durations, 0.99) };
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchWebhooks(): Promise<Record<string, number>> {
  const worker = new Worker(RECEIVER, { eval: true });
  const port = await new Promise<number>((r) => worker.once('message', r));
  try {
    const c4 = await once(4, port);
    const c16 = await once(16, port);
    return {
      messages: N,
      'deliveries/s (concurrency 4)': c4.perSec,
      'p50 ms (concurrency 4)': c4.p50,
      'p99 ms (concurrency 4)': c4.p99,
      'deliveries/s (concurrency 16)': c16.perSec,
      'p99 ms (concurrency 16)': c16.p99,
    };
  } finally {
    await worker.terminate();
  }
}
