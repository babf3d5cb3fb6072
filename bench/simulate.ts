/**
 * The simulate benchmark: all four default policies on the built-in world, 10,000 failed invoices
 * each, seeds 1–3. Figures are summed (counts, revenue) or pooled (rates, attempts per recovered
 * invoice) over the three seeds; the median days is the mean of the three medians.
 */
import { DEFAULT_POLICIES, runSimulation } from '../src/simulate/index.js';
import type { PolicyRunResult } from '../src/simulate/types.js';

export const BENCH_SEEDS = [1, 2, 3];
export const BENCH_COUNT = 10_000;

export async function benchSimulate(): Promise<Record<string, number | string>> {
  const started = Date.now();
  const runs = new Map<string, PolicyRunResult[]>();
  for (const seed of BENCH_SEEDS) {
    const report = await runSimulation({ seed, count: BENCH_COUNT, policies: DEFAULT_POLICIES });
    for (const r of report.policies) runs.set(r.policy, [...(runs.get(r.policy) ?? []), r]);
  }
  const figures: Record<string, number | string> = {
    world: 'builtin',
    'cases per policy per seed': BENCH_COUNT,
    seeds: BENCH_SEEDS.join(','),
  };
  for (const [policy, rs] of runs) {
    const sum = (f: (r: PolicyRunResult) => number) => rs.reduce((a, r) => a + f(r), 0);
    const cases = sum((r) => r.cases);
    const recovered = sum((r) => r.recovered);
    const attempts = sum((r) => r.attempts);
    const revenue = sum((r) => r.revenueRecovered.usd ?? 0);
    const atRisk = sum((r) => r.revenueAtRisk.usd ?? 0);
    figures[`${policy}: recovered`] = recovered;
    figures[`${policy}: recovery rate (%)`] = round((100 * recovered) / cases, 2);
    figures[`${policy}: recovered revenue (usd)`] = round(revenue / 100, 2);
    figures[`${policy}: revenue recovery rate (%)`] = round((100 * revenue) / atRisk, 2);
    figures[`${policy}: attempts`] = attempts;
    figures[`${policy}: attempts per recovered invoice`] = round(attempts / recovered, 3);
    figures[`${policy}: network-cap violations`] = sum((r) => r.networkCapViolations);
    figures[`${policy}: median days to recover`] = round(sum((r) => r.medianDaysToRecover ?? 0) / rs.length, 2);
  }
  figures['simulate wall time (s)'] = round((Date.now() - started) / 1000, 1);
  return figures;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
