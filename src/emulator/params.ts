import { invalidRequest, unknownParameter } from './api-error.js';

/**
 * Request parameters as `qs` parses the SDK's bracketed form encoding: strings, arrays and
 * nested objects. These helpers read them the way Stripe validates them.
 */
export type Params = Record<string, unknown>;

/** Parameters every endpoint accepts. */
const ALWAYS_ALLOWED = new Set(['expand']);
const LIST_PARAMS = ['limit', 'starting_after', 'ending_before'];

/** Rejects a top-level parameter the endpoint does not know, like Stripe does. */
export function allowOnly(params: Params, allowed: readonly string[], list = false): void {
  for (const key of Object.keys(params)) {
    if (ALWAYS_ALLOWED.has(key) || allowed.includes(key) || (list && LIST_PARAMS.includes(key))) continue;
    throw unknownParameter(key);
  }
}

export function str(params: Params, name: string): string | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalidRequest(`Invalid string: ${JSON.stringify(v)}`, name);
  return v;
}

export function requiredStr(params: Params, name: string): string {
  const v = str(params, name);
  if (v === undefined || v === '') {
    throw invalidRequest(`Missing required param: ${name}.`, name, 'parameter_missing');
  }
  return v;
}

export function bool(params: Params, name: string): boolean | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw invalidRequest(`Invalid boolean: ${String(v)}`, name, 'parameter_invalid_boolean');
}

export function int(params: Params, name: string): number | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw invalidRequest(`Invalid integer: ${String(v)}`, name, 'parameter_invalid_integer');
  return n;
}

/** `metadata[k]=v` updates: an empty string deletes a key, `metadata=` (empty) clears all. */
export function mergeMetadata(current: Record<string, string>, update: unknown): Record<string, string> {
  if (update === undefined) return current;
  if (update === '') return {};
  if (typeof update !== 'object' || update === null || Array.isArray(update)) {
    throw invalidRequest('Invalid hash', 'metadata', 'parameter_invalid_string');
  }
  const out = { ...current };
  for (const [k, v] of Object.entries(update as Record<string, unknown>)) {
    if (v === '' || v === null) delete out[k];
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else throw invalidRequest(`Invalid metadata value for key ${k}`, `metadata[${k}]`);
  }
  return out;
}

/** An array of strings (`name[]=a&name[]=b` or `name[0]=a`), or null when absent. */
export function stringList(p: Params, name: string): string[] | null {
  const v = p[name];
  if (v === undefined) return null;
  const list = Array.isArray(v) ? v : typeof v === 'object' && v !== null ? Object.values(v) : null;
  if (!list || list.some((x) => typeof x !== 'string')) throw invalidRequest('Invalid array', name);
  return list as string[];
}

/** `expand[]` (or `expand[0]`) values. */
export function expandList(params: Params): string[] {
  const v = params.expand;
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : typeof v === 'object' && v !== null ? Object.values(v) : [v];
  for (const item of list) {
    if (typeof item !== 'string') throw invalidRequest('Invalid array', 'expand');
  }
  return list as string[];
}

/** A `created`-style filter: an exact unix second, or `{gt, gte, lt, lte}`. */
export interface Range {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

export function range(params: Params, name: string): Range | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') {
    const exact = int(params, name) as number;
    return { gte: exact, lte: exact };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidRequest('Invalid timestamp', name);
  const out: Range = {};
  for (const [op, raw] of Object.entries(v as Record<string, unknown>)) {
    if (op !== 'gt' && op !== 'gte' && op !== 'lt' && op !== 'lte') throw unknownParameter(`${name}[${op}]`);
    out[op] = int({ [op]: raw }, op) as number;
  }
  return out;
}

export function inRange(value: number | null | undefined, r: Range | undefined): boolean {
  if (!r) return true;
  if (value === null || value === undefined) return false;
  if (r.gt !== undefined && !(value > r.gt)) return false;
  if (r.gte !== undefined && !(value >= r.gte)) return false;
  if (r.lt !== undefined && !(value < r.lt)) return false;
  if (r.lte !== undefined && !(value <= r.lte)) return false;
  return true;
}

/** Canonical JSON (sorted keys) used to compare the parameters of two idempotent requests. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value as object).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
