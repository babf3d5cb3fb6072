/**
 * `recover demo` as a newcomer runs it (`npm run bench -- demo-speed`): bin/recover in its own
 * process, 2,000 customers over 30 days with renewals, the report and its HTML written to a
 * temporary directory. Figure: wall time against the target (issue 18: <= 30 s on this machine)
 * and the process's own CPU time (bench/child-cpu.ts: user + system of every thread, the
 * emulator's worker included), RECOVER_BENCH_DEMO_RUNS runs (default 2). The CPU time is the
 * figure to compare on a shared machine; the wall time needs the load printed beside it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { round, runRecover, summarise, type ChildRun } from './child-cpu.js';

const RUNS = Number(process.env.RECOVER_BENCH_DEMO_RUNS ?? 2);

export async function benchDemoSpeed(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'recover-bench-demo-'));
  const args = ['demo', '--html', join(dir, 'demo-report.html')];
  const runs: ChildRun[] = [];
  const loadBefore = loadavg()[0];
  try {
    for (let i = 0; i < RUNS; i++) runs.push(await runRecover(args, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const s = summarise(runs);
  return {
    command: 'recover demo (2,000 customers, 30 days, renewals)',
    runs: RUNS,
    'wall time, median (s; target <= 30)': round(s.median, 1),
    'wall time, each run (s)': s.walls,
    'CPU time, each run (s)': s.cpus,
    'CPU time, least (s)': round(s.bestCpu, 1),
    'ratio target / median wall time': round(30 / s.median, 3),
    'peak RSS of the recover process, most of the runs (MiB)': s.peakRssMiB,
    'load average (1 min) before and at the end': `${round(loadBefore)}, ${round(loadavg()[0])}`,
  };
}
