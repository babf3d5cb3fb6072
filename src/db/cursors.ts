/** Resumable import progress: one opaque value (e.g. a Stripe page cursor) per account and name. */
import type { Db } from './columns.js';

export interface Cursor {
  accountId: string;
  name: string;
  value: string;
  updatedAt: number;
}

export interface CursorsRepo {
  get(accountId: string, name: string): string | undefined;
  set(accountId: string, name: string, value: string): void;
  delete(accountId: string, name: string): boolean;
  list(): Cursor[];
}

export function createCursorsRepo(db: Db, now: () => number): CursorsRepo {
  const get = db.prepare<[string, string], { value: string }>(`SELECT value FROM cursors WHERE account_id = ? AND name = ?`);
  const set = db.prepare<{ accountId: string; name: string; value: string; now: number }>(
    `INSERT INTO cursors (account_id, name, value, updated_at) VALUES (:accountId, :name, :value, :now)
     ON CONFLICT (account_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  const del = db.prepare<[string, string]>(`DELETE FROM cursors WHERE account_id = ? AND name = ?`);
  const list = db.prepare<[], Cursor>(
    `SELECT account_id AS accountId, name, value, updated_at AS updatedAt FROM cursors ORDER BY account_id, name`,
  );
  return {
    get: (accountId, name) => get.get(accountId, name)?.value,
    set: (accountId, name, value) => void set.run({ accountId, name, value, now: now() }),
    delete: (accountId, name) => del.run(accountId, name).changes > 0,
    list: () => list.all(),
  };
}
