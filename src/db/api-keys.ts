/**
 * The Recovery API's bearer keys (migration 006). Only the SHA-256 of a key is stored; the key
 * itself is shown once, by the command that creates it. `prefix` is the redacted form lists show.
 */
import { selectList, type ColumnMap, type Db } from './columns.js';

export interface ApiKey {
  id: number;
  prefix: string;
  hash: string;
  mode: 'test' | 'live';
  name: string | null;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

const COLUMNS: ColumnMap<ApiKey> = {
  id: 'id',
  prefix: 'prefix',
  hash: 'hash',
  mode: 'mode',
  name: 'name',
  createdAt: 'created_at',
  revokedAt: 'revoked_at',
  lastUsedAt: 'last_used_at',
};

export interface ApiKeysRepo {
  create(k: { prefix: string; hash: string; mode: 'test' | 'live'; name?: string | null }): ApiKey;
  /** An active (not revoked) key by its hash. */
  byHash(hash: string): ApiKey | undefined;
  get(id: number): ApiKey | undefined;
  list(): ApiKey[];
  /** Returns false if the key does not exist or was already revoked. */
  revoke(id: number): boolean;
  touch(id: number, at: number): void;
}

export function createApiKeysRepo(db: Db, now: () => number): ApiKeysRepo {
  const sel = selectList(COLUMNS);
  const insert = db.prepare<{ prefix: string; hash: string; mode: string; name: string | null; now: number }>(
    `INSERT INTO api_keys (prefix, hash, mode, name, created_at) VALUES (:prefix, :hash, :mode, :name, :now)`,
  );
  const byHash = db.prepare<[string], ApiKey>(`SELECT ${sel} FROM api_keys WHERE hash = ? AND revoked_at IS NULL`);
  const get = db.prepare<[number], ApiKey>(`SELECT ${sel} FROM api_keys WHERE id = ?`);
  const list = db.prepare<[], ApiKey>(`SELECT ${sel} FROM api_keys ORDER BY id`);
  const revoke = db.prepare<[number, number]>(`UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`);
  const touch = db.prepare<[number, number]>(`UPDATE api_keys SET last_used_at = ? WHERE id = ?`);
  return {
    create(k) {
      const id = Number(insert.run({ ...k, name: k.name ?? null, now: now() }).lastInsertRowid);
      return get.get(id)!;
    },
    byHash: (hash) => byHash.get(hash),
    get: (id) => get.get(id),
    list: () => list.all(),
    revoke: (id) => revoke.run(now(), id).changes > 0,
    touch: (id, at) => void touch.run(at, id),
  };
}
