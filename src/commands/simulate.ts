/**
 * `recover simulate`: runs retry policies on a virtual clock over a population of failed invoices
 * (the built-in synthetic merchant, a recorded JSON file, or a world module) and prints them side
 * by side. Needs no database and no Stripe key.
 */
import { badValue } from '../errors.js';
import { renderReport } from '../simulate/format.js';
import { DEFAULT_POLICIES, runSimulation } from '../simulate/index.js';
import type { SimulationReport } from '../simulate/types.js';

export interface SimulateOptions {
  /** Comma-separated policy names; default all four. */
  policy?: string;
  /** 'builtin' | file.json | ./world.mjs */
  world?: string;
  // Checked once, by the commander table (src/cli.ts): the command does not check them again.
  seed?: number;
  count?: number;
  days?: number;
  dunningDays?: number;
  /** Warm the learned state on this many earlier days of failures first. */
  warm?: number;
  json?: boolean;
}

/** The part of the command context this command uses (the CLI's Output satisfies it). */
export interface SimulateContext {
  out: {
    line(text: string): void;
    result(value: unknown): void;
    /** Progress on a terminal (stderr); the CLI's Output shows nothing when piped or under --json. */
    spinner?(text: string): { update(text: string): void; stop(): void; ready?: Promise<void> };
  };
}

export async function runSimulate(options: SimulateOptions, ctx: SimulateContext): Promise<SimulationReport> {
  const policies = options.policy === undefined ? DEFAULT_POLICIES : options.policy.split(',').reduce<string[]>(joinFixedDays, []);
  if (policies.length === 0) throw badValue('--policy', options.policy, 'one or more of recover, fixed:<days>,..., daily[:N], smart-like, comma-separated');
  const count = options.count ?? 2000;
  const numbers = {
    seed: options.seed ?? 1,
    count,
    days: options.days ?? 30,
    dunningDays: options.dunningDays ?? 30,
    warm: options.warm ?? 0,
  };
  const spinner = ctx.out.spinner?.('Simulating…');
  // The simulation blocks the event loop: the spinner must be drawn first (ora loads on first use,
  // which on a busy machine took longer than the start of the computation, so nothing was shown).
  await spinner?.ready;
  const report = await runSimulation({
    policies,
    world: options.world,
    ...numbers,
    onPolicy: (name, i, n) => spinner?.update(`Simulating ${name} (${i}/${n}) over ${count} failed invoices…`),
  }).finally(() => spinner?.stop());
  if (options.json) {
    ctx.out.result(report);
  } else {
    for (const line of renderReport(report)) ctx.out.line(line);
  }
  return report;
}

/**
 * `--policy recover,fixed:3,5,7,smart-like`: the commas inside fixed:3,5,7 are part of the name,
 * so bare numbers are glued back onto the preceding fixed:… entry.
 */
function joinFixedDays(acc: string[], part: string): string[] {
  const p = part.trim();
  if (p === '') return acc;
  const prev = acc[acc.length - 1];
  if (/^\d+$/.test(p) && prev !== undefined && /^fixed:\d+(,\d+)*$/.test(prev)) acc[acc.length - 1] = `${prev},${p}`;
  else acc.push(p);
  return acc;
}
