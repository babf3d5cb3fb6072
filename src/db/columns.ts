/**
 * The one place where snake_case columns meet camelCase row types. Each table file declares a
 * `ColumnMap<Row>` (every field of the row interface must be mapped: the compiler checks it) and
 * selects with `selectList(map)`, which aliases each column to its camelCase name, so rows
 * come out of SQLite already shaped like the interface; only booleans (stored 0/1) and JSON
 * columns need a small fix-up in the table's `fromRow`.
 */
import type BetterSqlite3 from 'better-sqlite3';

export type Db = BetterSqlite3.Database;

/** Maps every property of a row interface to its column (or SQL expression). */
export type ColumnMap<T> = { readonly [K in keyof T]-?: string };

/** `col AS "camel", ...`, optionally qualified by a table alias. */
export function selectList<T>(map: ColumnMap<T>, alias?: string): string {
  const prefix = alias ? `${alias}.` : '';
  return Object.entries(map as Record<string, string>)
    .map(([field, column]) => `${prefix}${column} AS "${field}"`)
    .join(', ');
}

/** better-sqlite3 cannot bind booleans; SQLite stores them as 0/1. */
export function bit(value: boolean | undefined | null): 0 | 1 | null {
  if (value === undefined || value === null) return null;
  return value ? 1 : 0;
}

/** Named parameters must all be present; `undefined` becomes SQL NULL. */
export function orNull<T>(value: T | undefined): T | null {
  return value === undefined ? null : value;
}

/** Parses a JSON column written by this module; NULL stays null. */
export function parseJson(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}
