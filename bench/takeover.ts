/**
 * The takeover benchmark: `recover takeover` against the emulator (in its own process, so the
 * peak RSS the runner reports is takeover's alone) with 50 ms latency per request and a limit
 * of 100 requests/s per key.
 *
 * 1. live mode (issue 18's target): ~100,000 open failed invoices on 2 connected accounts,
 *    pausing Stripe's retries on every managed invoice (one write per invoice, which Stripe has
 *    no batch for). The bound is the API calls the takeover made, counted by the emulator's
 *    request log (GET /_emulator/state), divided by the rate limit: the least wall time any
 *    client could take for them. Ratio = bound / wall time (1.0 = every second of the limit used).
 * 2. `--dry-run --json` over the same merchant: the plan streamed (peak RSS is the bench's).
 *
 * BENCH_TAKEOVER_CUSTOMERS overrides the size (default 130,000 customers ≈ 100,000 open
 * invoices; at 100 req/s the live part then takes about 17 minutes, bounded by the pauses).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../src/main.js';
import type { ContextOverrides } from '../src/context.js';
import { BIN, requestCounts, startEmulator, stopEmulator, type EmulatorChild as Emu } from './emulator-child.js';

const LATENCY_MS = 50;
const LIMIT_PER_SEC = 100;

/** Starts `recover emulator` in a child process with the generated merchant, the latency and the limit. */
function startTakeoverEmulator(customers: number): Promise<Emu> {
  return startEmulator(['--generate', String(customers), '--accounts', '2', '--rng-seed', '11',
    '--latency-ms', String(LATENCY_MS), '--rate-limit', String(LIMIT_PER_SEC)]);
}

async function cli(args: string[], overrides: ContextOverrides = {}): Promise<string> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = await main(['node', 'recover', ...args], { stdout, stderr, env: { NO_COLOR: '1' }, stdinIsTTY: false, overrides });
  if (code !== 0) throw new Error(`recover ${args.join(' ')} exited ${code}: ${err}`);
  return out;
}

interface Totals {
  listed: number; imported: number; invoicePages: number; intentPages: number; paused: number; skippedTotal: number;
}

interface Run { t: Totals; seconds: number; cpu: number; rssMiB: number; requests: number; throttled: number }

/**
 * Runs bin/recover under GNU time (its CPU seconds and peak RSS, printed on the last stderr
 * line); keeps the whole stdout of a live run (one summary) and the last 4 KiB of a dry run.
 */
function child(args: string[]): Promise<{ tail: string; cpu: number; rssMiB: number }> {
  const proc = spawn('/usr/bin/time', ['-f', 'bench-time %U %S %M', process.execPath, BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  let err = '';
  const dry = args.includes('--dry-run');
  proc.stdout.on('data', (c: Buffer) => (out = dry ? (out + c.toString('utf8')).slice(-4096) : out + c.toString('utf8')));
  proc.stderr.on('data', (c: Buffer) => (err = (err + c.toString('utf8')).slice(-8192)));
  return new Promise((resolve, reject) => {
    proc.on('exit', (code) => {
      const m = /bench-time (\S+) (\S+) (\d+)/.exec(err);
      if (code !== 0 || !m) return reject(new Error(`recover ${args.join(' ')} exited ${code}: ${err}`));
      resolve({ tail: out, cpu: Number(m[1]) + Number(m[2]), rssMiB: Math.round(Number(m[3]) / 1024) });
    });
  });
}

/** Onboards a fresh database against the emulator and runs one takeover; returns its totals and wall time. */
async function takeover(emu: Emu, mode: 'shadow' | 'live', dryRun = false): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'recover-bench-takeover-'));
  try {
    const base = ['--db', join(dir, 'recover.db'), '--stripe-api-base', emu.url];
    await cli([...base, 'onboard', 'stripe', '--env', 'test', '--scope', 'connect', '--primary-key', 'sk_test_bench',
      '--webhook-url', 'http://127.0.0.1:9/stripe/webhook', '--control-baseline', 'stripe', '--mode', mode, '--yes']);
    // Just under the emulator's limit: the token bucket paces, 429s stay rare.
    await cli([...base, 'config', 'set', 'rateLimitPerSec', String(LIMIT_PER_SEC * 0.97)]);
    const before = await requestCounts(emu);
    const started = performance.now();
    // `recover takeover` in its own process (bin/recover, as a user runs it), so its CPU and
    // peak RSS are its own. A dry run's plan is one JSON document of every invoice: only its
    // tail (the totals) is kept here. The generated merchant lives on the emulator's clock.
    const args = [...base, '--json', 'takeover', '--clock', 'emulator', '--concurrency', '8', ...(dryRun ? ['--dry-run'] : [])];
    const r = await child(args);
    const seconds = (performance.now() - started) / 1000;
    const after = await requestCounts(emu);
    const t = dryRun ? totalsFromTail(r.tail) : (JSON.parse(r.tail) as { total: Totals }).total;
    const throttled = (after.byStatus['429'] ?? 0) - (before.byStatus['429'] ?? 0);
    return { t, seconds, cpu: r.cpu, rssMiB: r.rssMiB, requests: after.total - before.total, throttled };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The `total` object of a `--dry-run --json` document, found in its last few KiB. */
function totalsFromTail(tail: string): Totals {
  const at = tail.lastIndexOf('"total":');
  const open = tail.indexOf('{', at);
  if (at < 0 || open < 0) throw new Error(`no totals at the end of the dry-run plan: …${tail.slice(-300)}`);
  let depth = 0;
  for (let i = open; i < tail.length; i++) {
    if (tail[i] === '{') depth++;
    else if (tail[i] === '}' && --depth === 0) return JSON.parse(tail.slice(open, i + 1)) as Totals;
  }
  throw new Error(`unterminated totals at the end of the dry-run plan: …${tail.slice(-300)}`);
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function benchTakeover(): Promise<Record<string, number | string>> {
  const customers = Number(process.env.BENCH_TAKEOVER_CUSTOMERS ?? 130_000);
  const figures: Record<string, number | string> = {
    command: `BENCH_TAKEOVER_CUSTOMERS=${customers} npm run bench -- takeover`,
    emulator: `${LATENCY_MS} ms latency, ${LIMIT_PER_SEC} req/s per key`,
  };
  const emu = await startTakeoverEmulator(customers);
  try {
    const live = await takeover(emu, 'live');
    const t = live.t;
    // The least wall time for these calls at the limit (429s are calls too: they spend the limit).
    const bound = live.requests / LIMIT_PER_SEC;
    figures['live: open invoices listed'] = t.listed;
    figures['live: imported'] = t.imported;
    figures['live: Stripe retries paused'] = t.paused;
    figures['live: list pages (invoices + payment intents)'] = `${t.invoicePages} + ${t.intentPages}`;
    figures['live: API calls (emulator request log)'] = live.requests;
    figures['live: of them 429'] = live.throttled;
    figures['live: bound = calls / 100 req/s (s)'] = round(bound);
    figures['live: elapsed (s)'] = round(live.seconds);
    figures['live: ratio bound / elapsed (target >= 0.8)'] = round(bound / live.seconds, 3);
    figures['live: takeover CPU (s)'] = round(live.cpu);
    figures['live: takeover CPU per invoice (ms)'] = round((live.cpu * 1000) / Math.max(1, t.listed), 3);
    figures['live: takeover peak RSS (MiB; target <= 150)'] = live.rssMiB;

    process.stderr.write(`takeover bench, live part: ${JSON.stringify(figures)}\n`);
    global.gc?.();
    const dry = await takeover(emu, 'live', true);
    const dryBound = dry.requests / LIMIT_PER_SEC;
    figures['dry run --json: invoices planned'] = dry.t.listed;
    figures['dry run: API calls'] = dry.requests;
    figures['dry run: elapsed (s)'] = round(dry.seconds);
    figures['dry run: ratio bound / elapsed'] = round(dryBound / dry.seconds, 3);
    figures['dry run: CPU per invoice (ms)'] = round((dry.cpu * 1000) / Math.max(1, dry.t.listed), 3);
    figures['dry run: takeover peak RSS (MiB; target <= 150)'] = dry.rssMiB;
  } finally {
    await stopEmulator(emu);
  }
  // The bench shares the machine with the emulator (and whatever else runs): say how busy it was.
  figures['load average (1 min) at the end'] = round(loadavg()[0], 2);
  return figures;
}
