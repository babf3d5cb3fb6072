/**
 * A quick sweep for tuning (not part of `npm run bench`): recover variants against the cached
 * baselines, per zoo world and seed. SWEEP_WORLDS, SWEEP_SEEDS, SWEEP_COUNT, SWEEP_POLICIES (comma-
 * separated; `|` separates policy names since fixed:3,5,7 has commas). Prints revenue ÷ fixed:3,5,7
 * revenue recovery rate, revenue ÷ fixed:3,5,7 and attempts per recovered ÷ smart-like, pooled over the seeds.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { runSimulation } from '../src/simulate/index.js';
import type { PolicyRunResult } from '../src/simulate/types.js';

const worlds = (process.env.SWEEP_WORLDS ?? 'builtin,annual,payroll,fatigue,global').split(',');
const seeds = (process.env.SWEEP_SEEDS ?? '1,2').split(',').map(Number);
const count = Number(process.env.SWEEP_COUNT ?? 3000);
const policies = (process.env.SWEEP_POLICIES ?? 'recover').split('|');
const settings = process.env.SWEEP_COST ? { attemptCost: Number(process.env.SWEEP_COST) } : {};
const cacheFile = `/tmp/sweep-baselines-${count}.json`;
const cache: Record<string, { rev: number; per: number }> = existsSync(cacheFile)
  ? JSON.parse(readFileSync(cacheFile, 'utf8'))
  : {};

const revenue = (r: PolicyRunResult) => Object.values(r.revenueRecovered).reduce((a, b) => a + b, 0);

async function main(): Promise<void> {
  const rows: string[] = [];
  for (const w of worlds) {
    const tot = new Map<string, { rev: number; att: number; rec: number; risk: number }>();
    const base = { fixed: 0, smartAtt: 0, smartRec: 0 };
    for (const seed of seeds) {
      for (const b of ['fixed:3,5,7', 'smart-like']) {
        const k = `${w}|${seed}|${b}`;
        if (!cache[k]) {
          const r = (await runSimulation({ seed, count, world: `builtin:${w}`, policies: [b] })).policies[0];
          cache[k] = { rev: revenue(r), per: r.attempts / r.recovered };
          writeFileSync(cacheFile, JSON.stringify(cache));
        }
      }
      base.fixed += cache[`${w}|${seed}|fixed:3,5,7`].rev;
      const sm = cache[`${w}|${seed}|smart-like`];
      base.smartAtt += sm.per;
      base.smartRec += 1;
      const rep = await runSimulation({ seed, count, world: `builtin:${w}`, policies, settings });
      for (const r of rep.policies) {
        const t = tot.get(r.policy) ?? { rev: 0, att: 0, rec: 0, risk: 0 };
        t.risk += Object.values(r.revenueAtRisk).reduce((a, b) => a + b, 0);
        t.rev += revenue(r);
        t.att += r.attempts;
        t.rec += r.recovered;
        tot.set(r.policy, t);
      }
    }
    const smartPer = base.smartAtt / base.smartRec;
    for (const [p, t] of tot)
      rows.push(
        `${w.padEnd(11)} ${p.padEnd(40)} ${((100 * t.rev) / t.risk).toFixed(1)} %  ` +
          `${(t.rev / base.fixed).toFixed(3)}× fixed  ` +
          `${(t.att / t.rec / smartPer).toFixed(3)}× attempts`,
      );
    console.log(rows.slice(-tot.size).join('\n'));
  }
}
await main();
