/**
 * Cursor pages as Recharge 2021-11 gives them (docs.getrecharge.com/docs/using-cursor-pagination-
 * with-the-recharge-api): `limit` defaults to 50 and may be up to 250; the body carries
 * `next_cursor` / `previous_cursor`, null at the ends. The cursor is opaque: here it encodes the
 * filters, the sort and the last row's sort key, so a page never repeats or skips a row when rows
 * are added meanwhile; with a cursor the other filters are taken from it (assumption: Recharge asks
 * for only `cursor` and `limit` on the following pages).
 */
export type Row = Record<string, unknown> & { id: number };

export interface PageResult {
  status: number;
  body: Record<string, unknown>;
}

interface CursorState {
  f: Record<string, string>;
  s: string;
  /** Last row's [sort value, id]. */
  k: [string | number, number];
  dir: 'next' | 'prev';
}

const SORTS = new Set([
  'id-asc',
  'id-desc',
  'updated_at-asc',
  'updated_at-desc',
  'created_at-asc',
  'created_at-desc',
  'scheduled_at-asc',
  'scheduled_at-desc',
]);

export const unprocessable = (field: string, message: string): PageResult => ({
  status: 422,
  body: { errors: { [field]: [message] } },
});

/**
 * One page of `rows` (already the resource's full set), filtered by `filter(row, filters)`. `filters`
 * are the query's own parameters, except `limit`, `cursor`, `sort_by`.
 */
export function page(
  key: string,
  rows: Iterable<Row>,
  query: URLSearchParams,
  filter: (row: Row, f: Record<string, string>) => boolean,
  defaultSort = 'id-asc',
): PageResult {
  const limitRaw = query.get('limit');
  const limit = limitRaw === null ? 50 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 250) {
    return unprocessable('limit', 'must be an integer from 1 to 250');
  }
  let state: CursorState;
  const cursor = query.get('cursor');
  if (cursor) {
    try {
      state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorState;
    } catch {
      return unprocessable('cursor', 'is invalid');
    }
  } else {
    const f: Record<string, string> = {};
    for (const [k, v] of query) if (k !== 'limit' && k !== 'cursor' && k !== 'sort_by') f[k] = v;
    const s = query.get('sort_by') ?? defaultSort;
    if (!SORTS.has(s)) return unprocessable('sort_by', `must be one of ${[...SORTS].join(', ')}`);
    state = { f, s, k: ['', 0], dir: 'next' };
  }
  const [field, order] = state.s.split('-') as [string, 'asc' | 'desc'];
  const keyOf = (r: Row): [string | number, number] => [field === 'id' ? r.id : String(r[field] ?? ''), r.id];
  const sign = order === 'asc' ? 1 : -1;
  const cmp = (a: [string | number, number], b: [string | number, number]) =>
    sign * (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]);
  const all = [...rows].filter((r) => filter(r, state.f)).sort((a, b) => cmp(keyOf(a), keyOf(b)));
  let start: number;
  let end: number;
  if (!cursor) {
    start = 0;
    end = Math.min(all.length, limit);
  } else if (state.dir === 'next') {
    start = all.findIndex((r) => cmp(keyOf(r), state.k) > 0);
    if (start < 0) start = all.length;
    end = Math.min(all.length, start + limit);
  } else {
    end = all.findIndex((r) => cmp(keyOf(r), state.k) >= 0);
    if (end < 0) end = all.length;
    start = Math.max(0, end - limit);
  }
  const items = all.slice(start, end);
  const enc = (k: [string | number, number], dir: 'next' | 'prev') =>
    Buffer.from(JSON.stringify({ f: state.f, s: state.s, k, dir } satisfies CursorState)).toString('base64url');
  return {
    status: 200,
    body: {
      next_cursor: end < all.length && items.length ? enc(keyOf(items[items.length - 1]), 'next') : null,
      previous_cursor: start > 0 && items.length ? enc(keyOf(items[0]), 'prev') : null,
      [key]: items,
    },
  };
}
