/**
 * The takeover benchmark: `recover takeover` against the emulator (in its own process, so the
 * peak RSS the runner reports is takeover's alone) with 50 ms latency per request and a limit
 * of 100 requests/s per key.
 *
 * 1. ~100,000 open failed invoices on 2 connected accounts, shadow mode (no pauses): the read
 *    path. Figures: invoices/s, list pages, and the ratio of the achieved request rate to the
 *    100 req/s bound (1.0 = every second of the limit used).
 * 2. A few thousand invoices in live mode, pausing Stripe's retries on each managed invoice
 *    (one write per invoice, which Stripe has no batch for): invoices/s including the pauses.
 *
 * BENCH_TAKEOVER_CUSTOMERS overrides the size of part 1 (default 130,000 customers ≈ 100,000
 * open invoices).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../src/main.js';
import type { ContextOverrides } from '../src/context.js';

const BIN = fileURLToPath(new URL('../../bin/recover', import.meta.url));
const LATENCY_MS = 50;
const LIMIT_PER_SEC = 100;

interface Emu {
  url: string;
  clockStart: number;
  proc: ChildProcess;
}

/** Starts `recover emulator` in a child process; resolves once it prints its URL and clock. */
async function startEmulator(customers: number): Promise<Emu> {
  const proc = spawn(process.execPath, [BIN, 'emulator', '--port', '0', '--generate', String(customers), '--accounts', '2', '--rng-seed', '11',
    '--latency-ms', String(LATENCY_MS), '--rate-limit', String(LIMIT_PER_SEC),
    '--allow-local-webhooks'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  return new Promise((resolve, reject) => {
    proc.on('exit', (code) => reject(new Error(`emulator exited (${code}) before it was ready:\n${text}`)));
    proc.stdout!.on('data', (c: Buffer) => {
      text += c.toString('utf8');
      const url = /listening on (\S+)/.exec(text)?.[1];
      const clock = /clock (\S+?);?$/m.exec(text)?.[1] ?? /clock (\S+)/.exec(text)?.[1];
      if (url && clock && text.includes('Press Ctrl-C')) resolve({ url, clockStart: Date.parse(clock), proc });
    });
  });
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

/** Onboards a fresh database against the emulator and runs one takeover; returns its totals and wall time. */
async function takeover(emu: Emu, mode: 'shadow' | 'live'): Promise<{ t: Totals; seconds: number; cpu: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'recover-bench-takeover-'));
  try {
    const base = ['--db', join(dir, 'recover.db'), '--stripe-api-base', emu.url];
    await cli([...base, 'onboard', 'stripe', '--env', 'test', '--scope', 'connect', '--primary-key', 'sk_test_bench',
      '--webhook-url', 'http://127.0.0.1:9/stripe/webhook', '--control-baseline', 'stripe', '--mode', mode, '--yes']);
    // Just under the emulator's limit: the token bucket paces, 429s stay rare.
    await cli([...base, 'config', 'set', 'rateLimitPerSec', String(LIMIT_PER_SEC * 0.97)]);
    // The generated merchant lives on the emulator's clock.
    const clock = { now: () => emu.clockStart };
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    const out = await cli([...base, '--json', 'takeover', '--concurrency', '8'], { clock });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { t: (JSON.parse(out) as { total: Totals }).total, seconds, cpu: (cpu.user + cpu.system) / 1e6 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function stop(emu: Emu): Promise<void> {
  return new Promise((resolve) => {
    emu.proc.removeAllListeners('exit');
    emu.proc.on('exit', () => resolve());
    emu.proc.kill('SIGTERM');
  });
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function benchTakeover(): Promise<Record<string, number | string>> {
  const customers = Number(process.env.BENCH_TAKEOVER_CUSTOMERS ?? 130_000);
  const figures: Record<string, number | string> = { emulator: `${LATENCY_MS} ms latency, ${LIMIT_PER_SEC} req/s per key` };

  let emu = await startEmulator(customers);
  try {
    const { t, seconds, cpu } = await takeover(emu, 'shadow');
    const requests = t.invoicePages + t.intentPages;
    figures['read path: open invoices listed'] = t.listed;
    figures['read path: imported'] = t.imported;
    figures['read path: list pages (invoices + payment intents)'] = `${t.invoicePages} + ${t.intentPages}`;
    figures['read path: elapsed (s)'] = round(seconds);
    figures['read path: takeover CPU (s)'] = round(cpu);
    figures['read path: takeover CPU per invoice (ms)'] = round((cpu * 1000) / t.listed, 3);
    figures['read path: invoices/s'] = Math.round(t.listed / seconds);
    figures['read path: requests/s'] = round(requests / seconds);
    figures['read path: ratio to the 100 req/s bound'] = round(requests / seconds / LIMIT_PER_SEC, 3);
  } finally {
    await stop(emu);
  }

  emu = await startEmulator(3000);
  try {
    const { t, seconds } = await takeover(emu, 'live');
    const requests = t.invoicePages + t.intentPages + t.paused;
    figures['live (pausing each managed invoice): invoices listed'] = t.listed;
    figures['live: Stripe retries paused'] = t.paused;
    figures['live: elapsed (s)'] = round(seconds);
    figures['live: invoices/s'] = Math.round(t.listed / seconds);
    figures['live: ratio to the 100 req/s bound'] = round(requests / seconds / LIMIT_PER_SEC, 3);
  } finally {
    await stop(emu);
  }
  figures['takeover process heap after (MiB)'] = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  // The bench shares the machine with the emulator (and whatever else runs): say how busy it was.
  figures['load average (1 min) at the end'] = round(loadavg()[0], 2);
  return figures;
}
