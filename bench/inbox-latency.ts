/**
 * How fast the daemon absorbs a burst of failed renewals when Stripe answers slowly
 * (`npm run bench -- inbox-latency`, issue 18).
 *
 * `recover emulator` runs in a child process with `--latency-ms` L and `--rate-limit` R (per key:
 * 25 req/s is Stripe's test-mode limit, 100 the live one, issue 18) on a generated merchant
 * (BASE_CUSTOMERS customers) plus N customers whose subscription invoice is created 10 minutes
 * after the clock start and whose card declines (insufficient_funds) at the first attempt an hour
 * later. The daemon (the Daemon class, as `recover run --clock emulator` builds it) is onboarded
 * against it with the least-privilege restricted key (GENERATED_KEY), mode live, its token bucket
 * at 0.97 × R. Then the emulator's clock is advanced 2 h over the billing time: N renewals fail at
 * once, and their webhooks (invoice.created/finalized/payment_failed, charge.failed, …) arrive.
 *
 * Figures: the time from the first webhook of the burst to the last of the N cases opened, cases/s,
 * the bound = the Stripe calls the daemon made meanwhile (the emulator's request log, 429s
 * included: they spend the limit too) ÷ R, and ratio = bound / elapsed (1.0 = every second of
 * the limit used; a serial inbox under latency stays far below); p50/p99 from the
 * invoice.payment_failed webhook's ack to its "case opened". The emulator's token bucket starts full
 * (a second's worth of tokens), so a run that keeps the limit busy may come a little above 1.0.
 * "Events processed" counts up to the last case: a serial inbox still has the pauses' own
 * invoice.updated webhooks waiting behind the burst then.
 *
 * BENCH_INBOX_LATENCY_RENEWALS overrides N (default 100: the slowest configuration, L = 250 ms at
 * 25 req/s, then runs in ~1–2 min); BENCH_INBOX_LATENCY_CONFIGS picks configurations, e.g.
 * "250/25,250/100" (latency ms / req/s).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { openStore } from '../src/db/index.js';
import { EmulatorClock } from '../src/daemon/clock.js';
import { Daemon } from '../src/daemon/daemon.js';
import { GENERATED_KEY, generateMerchant } from '../src/emulator/index.js';
import { main } from '../src/main.js';
import { requestCounts, startEmulator, stopEmulator, type EmulatorChild as Emu } from './emulator-child.js';
import { pct } from './load.js';

const HOUR_MS = 3_600_000;
/** The 1st of the month, when merchants bill: the clock start of every run. */
const START = Date.UTC(2026, 11, 1, 9);
const BASE_CUSTOMERS = 200;
/** No reconcile during a run (the default is hourly on the emulator clock, which jumps 2 h). */
const NO_RECONCILE = '0 0 1 1 *';
/** Longest wait for the burst's cases, wall ms (a run is meant to take <= 2 min). */
const TIMEOUT_MS = 240_000;

/** The generated merchant plus `n` customers whose renewal fails 70 min after START. */
function seedFile(dir: string, n: number): string {
  const seed = generateMerchant({ customers: BASE_CUSTOMERS, rngSeed: 18, start: START }) as unknown as {
    account: { customers: unknown[] };
  };
  for (let i = 0; i < n; i++) {
    const tag = `lb${i}`;
    seed.account.customers.push({
      id: `cus_${tag}`,
      email: `burst.${i}@example.com`,
      country: 'US',
      payment_methods: [
        { id: `pm_${tag}`, brand: 'visa', behaviour: { type: 'decline', decline_code: 'insufficient_funds' } },
      ],
      subscriptions: [
        { id: `sub_${tag}`, price: 2900, invoices: [{ id: `in_${tag}`, amount: 2900, created: '+10m' }] },
      ],
    });
  }
  const file = join(dir, 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

async function cli(args: string[]): Promise<void> {
  const stdout = new PassThrough().resume();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = await main(['node', 'recover', ...args], { stdout, stderr, env: { NO_COLOR: '1' }, stdinIsTTY: false });
  if (code !== 0) throw new Error(`recover ${args.join(' ')} exited ${code}: ${err}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function control(
  emu: Emu,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${emu.url}/_emulator/${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

/** API requests the emulator has answered so far (its request log). */
const requests = async (emu: Emu) => (await requestCounts(emu)).total;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the emulator's request count stays put for `quietMs` (the daemon's start-up reads done). */
async function settle(emu: Emu, quietMs = 1500): Promise<void> {
  let last = -1;
  for (;;) {
    const n = await requests(emu);
    if (n === last) return;
    last = n;
    await sleep(quietMs);
  }
}

interface Burst {
  elapsedS: number;
  cases: number;
  calls: number;
  p50: number;
  p99: number;
  events: number;
}

/** One configuration: a fresh emulator and database, the burst, its figures. */
async function burst(latencyMs: number, limit: number, n: number): Promise<Burst> {
  const dir = mkdtempSync(join(tmpdir(), 'recover-bench-inbox-latency-'));
  const emu = await startEmulator([
    '--seed',
    seedFile(dir, n),
    '--latency-ms',
    String(latencyMs),
    '--rate-limit',
    String(limit),
  ]);
  const clock = new EmulatorClock(emu.url);
  let daemon: Daemon | undefined;
  try {
    const db = join(dir, 'recover.db');
    const port = await freePort();
    const base = ['--db', db, '--stripe-api-base', emu.url];
    const onboard = 'onboard stripe --env test --scope account --control-baseline stripe --mode live --yes'.split(' ');
    const webhook = `http://127.0.0.1:${port}/stripe/webhook`;
    await cli([...base, ...onboard, '--primary-key', GENERATED_KEY, '--webhook-url', webhook]);
    // Just under the emulator's limit, as a merchant would set it: the token bucket paces, 429s stay rare.
    await cli([...base, 'config', 'set', 'rateLimitPerSec', String(limit * 0.97)]);
    await clock.start();
    const store = openStore(db, { clock, checkpoint: 'background' });
    daemon = new Daemon({
      store,
      clock,
      apiBase: emu.url,
      http: { host: '127.0.0.1', port },
      reconcileCron: NO_RECONCILE,
    });
    await daemon.start();
    await settle(emu);

    const ackAt = new Map<string, number>();
    const latencies: number[] = [];
    let firstWebhook = 0;
    let lastCase = 0;
    let events = 0;
    daemon.on('webhook', (r) => {
      const t = performance.now();
      firstWebhook ||= t;
      if (!r.duplicate) ackAt.set(r.id, t);
    });
    daemon.on('processed', (r) => {
      events++;
      if (r.type !== 'invoice.payment_failed' || !r.result.startsWith('case opened')) return;
      // Only the burst's renewals (the generated merchant's Smart Retries may fail meanwhile too).
      if (!store.events.get(r.id)?.objectId?.startsWith('in_lb')) return;
      const t = performance.now();
      lastCase = t;
      const at = ackAt.get(r.id);
      if (at !== undefined) latencies.push(t - at);
    });
    const before = await requests(emu);
    // Over the billing time: every burst invoice is created (+10 min), finalized and fails (+70 min).
    await control(emu, 'POST', 'clock', { advance_ms: 2 * HOUR_MS });
    await clock.sync();
    const opened = () => {
      let k = 0;
      for (let i = 0; i < n; i++) if (store.cases.getByInvoice(`in_lb${i}`)) k++;
      return k;
    };
    const until = performance.now() + TIMEOUT_MS;
    let cases = 0;
    while ((cases = opened()) < n && performance.now() < until) await sleep(100);
    const calls = (await requests(emu)) - before;
    latencies.sort((a, b) => a - b);
    const elapsedS = (lastCase - firstWebhook) / 1000;
    await daemon.stop();
    daemon = undefined;
    store.close();
    return { elapsedS, cases, calls, p50: pct(latencies, 0.5), p99: pct(latencies, 0.99), events };
  } finally {
    if (daemon) await daemon.stop();
    clock.close();
    await stopEmulator(emu);
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function benchInboxLatency(): Promise<Record<string, number | string>> {
  const n = Number(process.env.BENCH_INBOX_LATENCY_RENEWALS ?? 100);
  const configs = (process.env.BENCH_INBOX_LATENCY_CONFIGS ?? '50/25,250/25,50/100,250/100')
    .split(',')
    .map((c) => c.split('/').map(Number) as [number, number]);
  const figures: Record<string, number | string> = {
    command: `BENCH_INBOX_LATENCY_RENEWALS=${n} npm run bench -- inbox-latency`,
    'failed renewals in the burst': n,
  };
  for (const [latencyMs, limit] of configs) {
    const b = await burst(latencyMs, limit, n);
    const bound = b.calls / limit;
    const at = `${latencyMs} ms, ${limit} req/s`;
    figures[`${at}: cases opened`] = b.cases;
    figures[`${at}: first webhook to last case (s)`] = round(b.elapsedS, 2);
    figures[`${at}: cases/s`] = round(b.cases / b.elapsedS, 2);
    figures[`${at}: failed renewals per hour`] = Math.round((b.cases / b.elapsedS) * 3600);
    figures[`${at}: Stripe calls (emulator request log)`] = b.calls;
    figures[`${at}: events processed by the last case`] = b.events;
    figures[`${at}: bound = calls / limit (s)`] = round(bound, 2);
    figures[`${at}: ratio bound / elapsed`] = round(bound / b.elapsedS, 3);
    figures[`${at}: webhook-to-case p50 (ms)`] = Math.round(b.p50);
    figures[`${at}: webhook-to-case p99 (ms)`] = Math.round(b.p99);
    figures[`${at}: load average (1 min)`] = round(loadavg()[0], 2);
    process.stderr.write(`inbox-latency ${at}: ${JSON.stringify(b)}\n`);
  }
  return figures;
}
