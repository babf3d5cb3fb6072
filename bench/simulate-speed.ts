/**
 * `recover simulate` as a user runs it (`npm run bench -- simulate-speed`): bin/recover in its
 * own process, the default policies, 10,000 failed invoices arriving over 60 days (the default
 * 30-day dunning). Figures: wall time against the target (issue 18: <= 10 s on this machine),
 * and cases × days simulated per second of wall time. The machine is shared, so the run is
 * repeated (RECOVER_BENCH_SIMULATE_RUNS, default 3) and the child's own CPU time is printed
 * beside the wall time (bench/child-cpu.ts).
 */
import { loadavg } from 'node:os';
import { round, runRecover, summarise, type ChildRun } from './child-cpu.js';

const CASES = 10_000;
const DAYS = 60;
const RUNS = Number(process.env.RECOVER_BENCH_SIMULATE_RUNS ?? 3);

export async function benchSimulateSpeed(): Promise<Record<string, number | string>> {
  const args = ['simulate', '--count', String(CASES), '--days', String(DAYS), '--seed', '1'];
  const runs: ChildRun[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await runRecover(args));
  const s = summarise(runs);
  return {
    command: `recover ${args.join(' ')}`,
    runs: RUNS,
    'wall time, median (s; target <= 10)': round(s.median),
    'wall time, each run (s)': s.walls,
    'CPU time, each run (s)': s.cpus,
    'ratio target / median wall time': round(10 / s.median, 3),
    'peak RSS of the recover process, most of the runs (MiB)': s.peakRssMiB,
    'cases x days per second (median wall)': Math.round((CASES * DAYS) / s.median),
    'cases x days per CPU second (best run)': Math.round((CASES * DAYS) / s.bestCpu),
    'load average (1 min) at the end': round(loadavg()[0]),
  };
}
