/**
 * Start-up benchmark (`npm run bench -- startup`): wall time of whole `bin/recover` processes,
 * against `node -e 0` (the floor: Node itself). Medians of RUNS runs each, ms:
 * - `recover --help`: the commander table only (commands are imported when they run);
 * - `recover status` on a missing database: exit 2 before SQLite or the Stripe SDK is loaded;
 * - `recover status` on an onboarded database, against an in-process emulator (so it includes
 *   the checks' HTTP round trips: 8 permission probes, the endpoint list, one invoice page).
 * The target (issue 11) is under 250 ms for --help and status on this machine.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { REQUIRED_PERMISSIONS } from '../src/config/settings.js';
import { startEmulator } from '../src/emulator/index.js';

const run = promisify(execFile);
const RUNS = Number(process.env.RECOVER_BENCH_STARTUP_RUNS ?? 15);
const BIN = resolve(import.meta.dirname, '../../bin/recover');
const KEY = 'rk_test_benchstartup00000000000b0b0';

async function median(args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    // A non-zero exit (status exits 2 on a missing database) is part of what is measured.
    await run(process.execPath, args, { env: { ...process.env, NO_COLOR: '1', ...env } }).catch(() => undefined);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function benchStartup(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'recover-bench-startup-'));
  const emu = await startEmulator({ port: 0, keys: { [KEY]: [...REQUIRED_PERMISSIONS] } });
  try {
    const db = join(dir, 'recover.db');
    await run(process.execPath, [BIN, '--db', db, '--stripe-api-base', emu.url, 'onboard', 'stripe', '--env', 'test',
      '--scope', 'account', '--primary-key', KEY, '--webhook-url', 'https://pay.example.com/stripe/webhook', '--yes']);
    const node = await median(['-e', '0']);
    const help = await median([BIN, '--help']);
    const missing = await median([BIN, '--db', join(dir, 'missing.db'), 'status']);
    const onboarded = await median([BIN, '--db', db, 'status']);
    return {
      command: 'npm run bench -- startup',
      runs: RUNS,
      'node -e 0 (ms)': node,
      'recover --help (ms)': help,
      'recover status, missing db (ms)': missing,
      'recover status, onboarded db + emulator (ms)': onboarded,
      'target for --help and status (ms)': '<= 250',
      '--help over node (ms)': help - node,
      'status over node, onboarded (ms)': onboarded - node,
      // The floor is Node's own start-up: how many of it each command costs.
      'recover --help / node -e 0': Math.round((help / node) * 100) / 100,
      'recover status (onboarded) / node -e 0': Math.round((onboarded / node) * 100) / 100,
    };
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
