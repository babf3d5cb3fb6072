/**
 * Recovery API intake (`npm run bench -- api`): requests/s accepted durably by POST /v1/recoveries
 * on the daemon's real HTTP server — each answer is sent after its transaction (case, first
 * decision, API facts, result event, idempotent answer) committed to the WAL file — with the
 * PaymentMethod read from the emulator (in this process) for the card facts. The load is
 * RECOVER_BENCH_API_N failed payments (default 1,000) from 16 concurrent clients, then the same
 * again under the same Idempotency-Keys (replays: no Stripe call, no write).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApiKey } from '../src/api/keys.js';
import { openStore } from '../src/db/index.js';
import { Daemon } from '../src/daemon/daemon.js';
import { startEmulator, GENERATED_API_KEY, GENERATED_API_KEY_PERMISSIONS } from '../src/emulator/index.js';

const CLIENTS = 16;
/** The merchant's own tools: any sk_test_ key has full access at the emulator. */
const FULL_KEY = 'sk_test_benchapi000000000000001';

async function stripe(base: string, p: string, params: Record<string, string>): Promise<{ id: string }> {
  const res = await fetch(`${base}${p}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${FULL_KEY}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return (await res.json()) as { id: string };
}

export async function benchApi(): Promise<Record<string, number | string>> {
  const n = Number(process.env.RECOVER_BENCH_API_N ?? 1000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recover-bench-api-'));
  const emu = await startEmulator({ port: 0, keys: { [GENERATED_API_KEY]: GENERATED_API_KEY_PERMISSIONS } });
  const store = openStore(path.join(dir, 'recover.db'), { checkpoint: 'background' });
  // The emulator's rate: with Stripe itself the PaymentMethod read is bound by its limit (25/s test, 100/s live).
  store.settings.set({
    env: 'test',
    scope: 'account',
    mode: 'live',
    controlBaseline: 'fixed:3,5,7',
    rateLimitPerSec: 2000,
  });
  store.secrets.set('api_stripe_key', GENERATED_API_KEY);
  store.accounts.upsert({ id: 'self', environment: 'test', kind: 'main', name: null });
  const { key } = createApiKey(store, 'test');
  const daemon = new Daemon({
    store,
    apiBase: emu.url,
    http: { host: '127.0.0.1', port: 0 },
    loop: false,
    apiRateLimit: { perSec: 1e6, burst: 1e6 },
  });
  await daemon.start();
  const bodies: string[] = [];
  for (let i = 0; i < n; i++) {
    const cus = await stripe(emu.url, '/v1/customers', { email: `b${i}@example.com` });
    const pm = await stripe(emu.url, '/v1/payment_methods/pm_card_visa/attach', { customer: cus.id });
    bodies.push(
      JSON.stringify({
        paymentMethod: { customer: cus.id, token: pm.id },
        amount: 2500,
        currency: 'usd',
        declineCode: 'insufficient_funds',
        invoiceId: `bench-${i}`,
        customerId: `m-${i}`,
      }),
    );
  }
  const run = async () => {
    const latencies: number[] = [];
    let next = 0;
    let failed = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < n) {
          const i = next++;
          const s = performance.now();
          const res = await fetch(`${daemon.url}/v1/recoveries`, {
            method: 'POST',
            body: bodies[i],
            headers: {
              Authorization: `Bearer ${key}`,
              'Content-Type': 'application/json',
              'Idempotency-Key': `b-${i}`,
            },
          });
          await res.arrayBuffer();
          if (res.status !== 202) failed++;
          latencies.push(performance.now() - s);
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    return { perSec: n / secs, p50: latencies[Math.floor(n * 0.5)]!, p99: latencies[Math.floor(n * 0.99)]!, failed };
  };
  const first = await run();
  const replay = await run();
  const cases = store.cases.count();
  await daemon.stop();
  store.close();
  await emu.close();
  fs.rmSync(dir, { recursive: true, force: true });
  if (cases !== n || first.failed)
    throw new Error(`expected ${n} cases and no failure, got ${cases} and ${first.failed}`);
  return {
    'payments posted': n,
    'accepted durably (req/s)': Math.round(first.perSec),
    'p50 answer (ms)': Number(first.p50.toFixed(1)),
    'p99 answer (ms)': Number(first.p99.toFixed(1)),
    'idempotent replays (req/s)': Math.round(replay.perSec),
    'replay p99 (ms)': Number(replay.p99.toFixed(1)),
  };
}
