/**
 * Runs `bin/recover` in its own process and returns its wall time and its own CPU time (user +
 * system, s), read by a module preloaded with --import that writes process.cpuUsage() at exit.
 * On a shared machine the wall time grows with the neighbours' work, the CPU time much less, so
 * the speed benchmarks print both.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../../bin/recover');
// Writes the process's CPU time (µs) to $RECOVER_BENCH_CPU_FILE as it exits.
const CPU_HOOK =
  'data:text/javascript,' +
  encodeURIComponent(
    "import { writeFileSync } from 'node:fs';" +
      "process.on('exit', () => { const u = process.cpuUsage();" +
      ' writeFileSync(process.env.RECOVER_BENCH_CPU_FILE, String(u.user + u.system)); });',
  );

export interface ChildRun {
  wallSeconds: number;
  cpuSeconds: number;
  stdout: string;
}

export async function runRecover(args: string[], cwd?: string): Promise<ChildRun> {
  const dir = mkdtempSync(join(tmpdir(), 'recover-bench-cpu-'));
  try {
    const cpuFile = join(dir, 'cpu');
    const t0 = performance.now();
    const { stdout } = await run(process.execPath, ['--import', CPU_HOOK, BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', RECOVER_BENCH_CPU_FILE: cpuFile },
      maxBuffer: 16 * 1024 * 1024,
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    return { wallSeconds, cpuSeconds: Number(readFileSync(cpuFile, 'utf8')) / 1e6, stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

/** The median of the runs' wall times, each run's wall and CPU time, for the figures. */
export function summarise(runs: ChildRun[]): { median: number; walls: string; cpus: string; bestCpu: number } {
  const walls = runs.map((r) => r.wallSeconds);
  const sorted = [...walls].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor((sorted.length - 1) / 2)],
    walls: walls.map((w) => round(w, 1)).join(', '),
    cpus: runs.map((r) => round(r.cpuSeconds, 1)).join(', '),
    bestCpu: Math.min(...runs.map((r) => r.cpuSeconds)),
  };
}
