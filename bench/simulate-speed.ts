/**
 * `recover simulate` as a user runs it (`npm run bench -- simulate-speed`): bin/recover in its
 * own process, the default policies, 10,000 failed invoices arriving over 60 days (the default
 * 30-day dunning). Figures: wall time against the target (issue 18: <= 10 s on this machine),
 * and cases × days simulated per second of wall time. The machine is shared, so the run is
 * repeated (RECOVER_BENCH_SIMULATE_RUNS, default 3) and the child's own CPU time (user + system,
 * read by a preloaded module at its exit) is printed beside the wall time: under load the wall
 * time grows with the neighbours' work, the CPU time much less.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../../bin/recover');
const CASES = 10_000;
const DAYS = 60;
const RUNS = Number(process.env.RECOVER_BENCH_SIMULATE_RUNS ?? 3);
// Writes the process's CPU time (µs) to $RECOVER_BENCH_CPU_FILE as it exits.
const CPU_HOOK =
  'data:text/javascript,' +
  encodeURIComponent(
    "import { writeFileSync } from 'node:fs';" +
      "process.on('exit', () => { const u = process.cpuUsage();" +
      ' writeFileSync(process.env.RECOVER_BENCH_CPU_FILE, String(u.user + u.system)); });',
  );

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

export async function benchSimulateSpeed(): Promise<Record<string, number | string>> {
  const args = ['simulate', '--count', String(CASES), '--days', String(DAYS), '--seed', '1'];
  const dir = mkdtempSync(join(tmpdir(), 'recover-bench-sim-'));
  const walls: number[] = [];
  const cpus: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const cpuFile = join(dir, `cpu-${i}`);
      const t0 = performance.now();
      await run(process.execPath, ['--import', CPU_HOOK, BIN, ...args], {
        env: { ...process.env, NO_COLOR: '1', RECOVER_BENCH_CPU_FILE: cpuFile },
        maxBuffer: 16 * 1024 * 1024,
      });
      walls.push((performance.now() - t0) / 1000);
      cpus.push(Number(readFileSync(cpuFile, 'utf8')) / 1e6);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const sorted = [...walls].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return {
    command: `recover ${args.join(' ')}`,
    runs: RUNS,
    'wall time, median (s; target <= 10)': round(median),
    'wall time, each run (s)': walls.map((w) => round(w, 1)).join(', '),
    'CPU time, each run (s)': cpus.map((c) => round(c, 1)).join(', '),
    'ratio target / median wall time': round(10 / median, 3),
    'cases x days per second (median wall)': Math.round((CASES * DAYS) / median),
    'cases x days per CPU second (best run)': Math.round((CASES * DAYS) / Math.min(...cpus)),
    'load average (1 min) at the end': round(loadavg()[0]),
  };
}
