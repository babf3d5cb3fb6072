/**
 * Runs `bin/recover` in its own process and returns its wall time, its own CPU time (user +
 * system, s) and its peak RSS (MiB, every thread's: the process's maxRSS), read by a module
 * preloaded with --import that writes them at exit. (The runner's own "peak RSS" is the bench
 * process's, not the child's.)
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
// Writes "<CPU time, µs> <maxRSS, KiB>" to $RECOVER_BENCH_CPU_FILE as the process exits.
const CPU_HOOK =
  'data:text/javascript,' +
  encodeURIComponent(
    "import { writeFileSync } from 'node:fs';" +
      "process.on('exit', () => { const u = process.cpuUsage();" +
      ' const rss = process.resourceUsage().maxRSS;' +
      ' writeFileSync(process.env.RECOVER_BENCH_CPU_FILE, `${u.user + u.system} ${rss}`); });',
  );

export interface ChildRun {
  wallSeconds: number;
  cpuSeconds: number;
  /** Peak resident set of the child (MiB). */
  peakRssMiB: number;
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
    const [cpuMicros, rssKiB] = readFileSync(cpuFile, 'utf8').split(' ').map(Number);
    return { wallSeconds, cpuSeconds: cpuMicros / 1e6, peakRssMiB: Math.round(rssKiB / 1024), stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

/** The median of the runs' wall times, each run's wall and CPU time, for the figures. */
export function summarise(runs: ChildRun[]): {
  median: number;
  walls: string;
  cpus: string;
  bestCpu: number;
  peakRssMiB: number;
} {
  const walls = runs.map((r) => r.wallSeconds);
  const sorted = [...walls].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor((sorted.length - 1) / 2)],
    walls: walls.map((w) => round(w, 1)).join(', '),
    cpus: runs.map((r) => round(r.cpuSeconds, 1)).join(', '),
    bestCpu: Math.min(...runs.map((r) => r.cpuSeconds)),
    peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)),
  };
}
