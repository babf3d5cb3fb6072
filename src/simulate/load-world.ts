/** `--world builtin | file.json | ./world.mjs` → a WorldModule. Bad input → UsageError. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../errors.js';
import { createBuiltinWorld } from './builtin-world.js';
import { jsonWorld } from './json-world.js';
import type { WorldModule } from './types.js';
import { WORLD_NAMES, WORLD_SPECS } from './zoo.js';

export const WORLD_HELP =
  `builtin, builtin:<${WORLD_NAMES.join('|')}>, a .json file of recorded cases, or a .mjs/.js world module`;

export async function loadWorld(spec: string | undefined): Promise<{ name: string; world: WorldModule }> {
  const value = spec ?? 'builtin';
  if (value === 'builtin') return { name: 'builtin', world: createBuiltinWorld() };
  const zoo = /^builtin:(.*)$/.exec(value);
  if (zoo) {
    const spec = Object.hasOwn(WORLD_SPECS, zoo[1]) ? WORLD_SPECS[zoo[1]] : undefined;
    if (!spec) throw new UsageError(`invalid value for --world: ${JSON.stringify(value)} (accepted: ${WORLD_HELP})`);
    return { name: spec.name === 'builtin' ? 'builtin' : value, world: createBuiltinWorld(spec) };
  }
  const path = resolve(value);
  if (!/\.(json|mjs|js|cjs)$/i.test(value)) throw new UsageError(`invalid value for --world: ${JSON.stringify(value)} (accepted: ${WORLD_HELP})`);
  if (!existsSync(path)) throw new UsageError(`invalid value for --world: ${JSON.stringify(value)} (no such file; accepted: ${WORLD_HELP})`);
  if (/\.json$/i.test(value)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new UsageError(`invalid value for --world: ${JSON.stringify(value)} is not valid JSON (${(e as Error).message})`);
    }
    try {
      return { name: value, world: jsonWorld(raw) };
    } catch (e) {
      throw new UsageError(`invalid value for --world: ${JSON.stringify(value)}: ${(e as Error).message}`);
    }
  }
  const mod = (await import(pathToFileURL(path).href)) as Partial<WorldModule> & { default?: Partial<WorldModule> };
  const m = typeof mod.cases === 'function' ? mod : (mod.default ?? mod);
  if (typeof m.cases !== 'function' || typeof m.attempt !== 'function')
    throw new UsageError(`invalid value for --world: ${JSON.stringify(value)} must export functions cases() and attempt() (and optionally cardUpdatedAt())`);
  if (m.cardUpdatedAt !== undefined && typeof m.cardUpdatedAt !== 'function')
    throw new UsageError(`invalid value for --world: ${JSON.stringify(value)}: cardUpdatedAt must be a function`);
  const world: WorldModule = {
    cases: m.cases.bind(m),
    attempt: m.attempt.bind(m),
    ...(m.cardUpdatedAt ? { cardUpdatedAt: m.cardUpdatedAt.bind(m) } : {}),
  };
  return { name: value, world };
}
