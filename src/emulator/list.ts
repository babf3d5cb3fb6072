import { invalidRequest, noSuch } from './api-error.js';
import { int, range, str, type Params, type Range } from './params.js';
import type { Row, SortedRows } from './store.js';

/**
 * Stripe's cursor pagination over a sorted table: newest first, `limit` 1..100 (default 10),
 * `starting_after` (older than the cursor), `ending_before` (newer than the cursor, still
 * returned newest first), `has_more`. `created[gt|gte|lt|lte]` narrows the walk by binary
 * search; other filters are predicates checked while walking.
 */
export interface ListSpec {
  /** The rows to walk (a whole table or one of its indexes); undefined = nothing matches. */
  rows: SortedRows | undefined;
  /** Finds a cursor object by id (in the whole table, not just the index). */
  lookup: (id: string) => Row | undefined;
  /** Word used in "No such …" for an unknown cursor. */
  label: string;
  filter?: (row: Row) => boolean;
  /** Applies `created` from the params unless false. */
  createdFilter?: boolean;
  /** An extra lower bound on created, unix seconds (events: 30 days of retention). */
  minCreated?: number;
}

export interface Page {
  rows: Row[];
  hasMore: boolean;
}

export function parseLimit(params: Params): number {
  const limit = int(params, 'limit') ?? 10;
  if (limit < 1) throw invalidRequest('This value must be greater than or equal to 1.', 'limit', 'parameter_invalid_integer');
  if (limit > 100) throw invalidRequest('This value must be less than or equal to 100.', 'limit', 'parameter_invalid_integer');
  return limit;
}

export function listPage(params: Params, spec: ListSpec): Page {
  const limit = parseLimit(params);
  const after = str(params, 'starting_after') || undefined;
  const before = str(params, 'ending_before') || undefined;
  if (after && before) {
    throw invalidRequest('You may only specify one of these parameters: ending_before, starting_after.', 'ending_before');
  }
  const created: Range | undefined = spec.createdFilter === false ? undefined : range(params, 'created');
  const rows = spec.rows?.rows;
  if (!rows || rows.length === 0) {
    checkCursor(spec, after ?? before, after ? 'starting_after' : 'ending_before');
    return { rows: [], hasMore: false };
  }
  const base = spec.rows as SortedRows;
  let lo = 0;
  let hi = rows.length;
  const lower = Math.max(
    created?.gte ?? -Infinity,
    created?.gt !== undefined ? created.gt + 1 : -Infinity,
    spec.minCreated ?? -Infinity,
  );
  if (lower !== -Infinity) lo = base.firstAtOrAfter(lower);
  if (created?.lt !== undefined) hi = Math.min(hi, base.firstAtOrAfter(created.lt));
  if (created?.lte !== undefined) hi = Math.min(hi, base.firstAtOrAfter(created.lte + 1));

  const out: Row[] = [];
  const take = (r: Row): boolean => {
    if (spec.filter && !spec.filter(r)) return false;
    out.push(r);
    return out.length > limit;
  };
  if (before) {
    const cursor = checkCursor(spec, before, 'ending_before') as Row;
    let pos = base.lowerBound(cursor);
    if (rows[pos] === cursor) pos++;
    for (let j = Math.max(pos, lo); j < hi; j++) if (take(rows[j])) break;
    const hasMore = out.length > limit;
    // The `limit` objects just newer than the cursor, newest first.
    const page = out.slice(0, limit).reverse();
    return { rows: page, hasMore };
  }
  let start = hi - 1;
  if (after) {
    const cursor = checkCursor(spec, after, 'starting_after') as Row;
    start = Math.min(start, base.lowerBound(cursor) - 1);
  }
  for (let j = start; j >= lo; j--) if (take(rows[j])) break;
  return { rows: out.slice(0, limit), hasMore: out.length > limit };
}

function checkCursor(spec: ListSpec, id: string | undefined, param: string): Row | undefined {
  if (!id) return undefined;
  const row = spec.lookup(id);
  if (!row) throw noSuch(spec.label, id, param);
  return row;
}
