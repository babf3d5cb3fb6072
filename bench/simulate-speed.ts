/**
 * `recover simulate` as a user runs it (`npm run bench -- simulate-speed`): bin/recover in its
 * own process, the default policies, 10,000 failed invoices arriving over 60 days (the default
 * 30-day dunning). Figures: wall time against the target (issue 18: <= 10 s on this machine),
 * and cases × days simulated per second of wall time.
 */
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../../bin/recover');
const CASES = 10_000;
const DAYS = 60;

export async function benchSimulateSpeed(): Promise<Record<string, number | string>> {
  const args = ['simulate', '--count', String(CASES), '--days', String(DAYS), '--seed', '1'];
  const t0 = performance.now();
  await run(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  return {
    command: `recover ${args.join(' ')}`,
    'wall time (s; target <= 10)': Math.round(seconds * 100) / 100,
    'ratio target / wall time': Math.round((10 / seconds) * 1000) / 1000,
    'cases x days per second': Math.round((CASES * DAYS) / seconds),
    'load average (1 min) at the end': Math.round(loadavg()[0] * 100) / 100,
  };
}
