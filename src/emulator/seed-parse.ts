import { readFileSync } from 'node:fs';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../clock.js';
import { isValidZone } from './behaviour.js';
import { seedSchema, type Behaviour, type Seed, type SeedTime } from './seed-schema.js';
import type { RuntimeBehaviour } from './behaviour.js';

/**
 * Seed validation: the zod schema, then what a schema cannot say (ids unique across the seed,
 * references to payment methods that exist, valid timezones). Every problem is reported with
 * its path, e.g. `account.customers[2].payment_methods[0].behaviour.type: …`.
 */
export class SeedError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid seed: ${issues.slice(0, 10).join('; ')}${issues.length > 10 ? ` (and ${issues.length - 10} more)` : ''}`);
    this.name = 'SeedError';
  }
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(root)';
}

/** Seeds that parseSeed produced (and nobody could have changed since, unless they mutate it). */
const parsed = new WeakSet<object>();

export function parseSeed(input: unknown): Seed {
  if (input && typeof input === 'object' && parsed.has(input)) return input as Seed;
  const result = seedSchema.safeParse(input);
  if (!result.success) {
    throw new SeedError(result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`));
  }
  checkReferences(result.data);
  parsed.add(result.data);
  return result.data;
}

/**
 * Marks a seed built by our own code (the generator) as already valid, so startEmulator does
 * not run the schema over 100,000 customers again. The generator's test checks the claim.
 */
export function trustSeed(seed: Seed): Seed {
  parsed.add(seed);
  return seed;
}

/** Reads and validates a seed file; errors name the file. */
export function readSeedFile(path: string): Seed {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SeedError([`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SeedError([`${path} is not valid JSON: ${(e as Error).message}`]);
  }
  return parseSeed(json);
}

function checkReferences(seed: Seed): void {
  const issues: string[] = [];
  const ids = new Map<string, string>();
  const claim = (id: string | undefined, path: string) => {
    if (!id) return;
    const first = ids.get(id);
    if (first) issues.push(`${path}.id: duplicate id "${id}" (also at ${first})`);
    else ids.set(id, path);
  };
  const accounts = [
    { a: seed.account, path: 'account' },
    ...seed.connected_accounts.map((a, i) => ({ a, path: `connected_accounts[${i}]` })),
  ];
  for (const { a, path } of accounts) {
    claim(a.id, path);
    if (!isValidZone(a.timezone)) issues.push(`${path}.timezone: unknown timezone "${a.timezone}"`);
    a.customers.forEach((c, ci) => {
      const cp = `${path}.customers[${ci}]`;
      claim(c.id, cp);
      if (c.timezone && !isValidZone(c.timezone)) issues.push(`${cp}.timezone: unknown timezone "${c.timezone}"`);
      const pms = new Set<string>();
      c.payment_methods.forEach((pm, pi) => {
        claim(pm.id, `${cp}.payment_methods[${pi}]`);
        if (pm.id) pms.add(pm.id);
      });
      c.updates.forEach((u, ui) => {
        const up = `${cp}.updates[${ui}]`;
        if (u.type === 'new_payment_method') {
          claim(u.payment_method.id, `${up}.payment_method`);
          if (u.payment_method.id) pms.add(u.payment_method.id);
        } else if (!pms.has(u.payment_method)) {
          issues.push(`${up}.payment_method: "${u.payment_method}" is not one of this customer's payment methods`);
        }
      });
      const invoices = [
        ...c.invoices.map((inv, ii) => ({ inv, p: `${cp}.invoices[${ii}]` })),
        ...c.subscriptions.flatMap((s, si) => {
          const sp = `${cp}.subscriptions[${si}]`;
          claim(s.id, sp);
          if (s.default_payment_method && !pms.has(s.default_payment_method)) {
            issues.push(`${sp}.default_payment_method: "${s.default_payment_method}" is not one of this customer's payment methods`);
          }
          return s.invoices.map((inv, ii) => ({ inv, p: `${sp}.invoices[${ii}]` }));
        }),
      ];
      for (const { inv, p } of invoices) {
        claim(inv.id, p);
        inv.credit_notes.forEach((cn, ni) => claim(cn.id, `${p}.credit_notes[${ni}]`));
        if (inv.status === 'draft' && inv.attempts.length > 0) issues.push(`${p}.attempts: a draft invoice cannot have attempts`);
        inv.attempts.forEach((at, ai) => {
          if (at.payment_method && !pms.has(at.payment_method)) {
            issues.push(`${p}.attempts[${ai}].payment_method: "${at.payment_method}" is not one of this customer's payment methods`);
          }
        });
        if (inv.attempts.length > 0 && c.payment_methods.length === 0) {
          issues.push(`${p}.attempts: the customer has no payment method to charge`);
        }
      }
    });
  }
  for (const [i, k] of seed.keys.entries()) claim(k.key, `keys[${i}]`);
  if (issues.length) throw new SeedError(issues);
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: MINUTE_MS, h: HOUR_MS, d: DAY_MS };

/** Epoch ms for a seed time: epoch ms as is, ISO parsed, "-3d"-style offsets from `start`. */
export function resolveTime(t: SeedTime, start: number): number {
  if (typeof t === 'number') return t;
  const m = /^([+-])(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(t);
  if (m) return Math.round(start + (m[1] === '-' ? -1 : 1) * Number(m[2]) * UNITS[m[3]]);
  return Date.parse(t);
}

export function runtimeBehaviour(b: Behaviour, start: number): RuntimeBehaviour {
  if (b.type !== 'schedule') return b as RuntimeBehaviour;
  return { ...b, succeed_after: b.succeed_after === undefined ? undefined : resolveTime(b.succeed_after, start) };
}
