/**
 * Persistent counters (e.g. webhook rejections by reason: a rejected webhook stores nothing but
 * a count) and a small key/value `meta` table for facts such as "last reconcile at".
 */
import type { Db } from './columns.js';

export interface Counter {
  name: string;
  value: number;
  updatedAt: number;
}

export interface CountersRepo {
  increment(name: string, by?: number): void;
  get(name: string): number;
  /** Counters whose name starts with `prefix` (all when omitted). */
  list(prefix?: string): Counter[];
  /** Counts a rejected webhook under `webhook_rejected:<reason>`. */
  /** `by`: several at once (the webhook server counts them in memory and writes them in batches). */
  recordWebhookRejection(reason: string, by?: number): void;
  /** Rejected webhooks by reason. */
  webhookRejections(): Record<string, number>;
}

export interface MetaRepo {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

const REJECTED = 'webhook_rejected:';

export function createCountersRepo(db: Db, now: () => number): CountersRepo {
  const inc = db.prepare<{ name: string; by: number; now: number }>(
    `INSERT INTO counters (name, value, updated_at) VALUES (:name, :by, :now)
     ON CONFLICT (name) DO UPDATE SET value = value + excluded.value, updated_at = excluded.updated_at`,
  );
  const get = db.prepare<[string], { value: number }>(`SELECT value FROM counters WHERE name = ?`);
  // substr comparison rather than LIKE: names may contain % or _.
  const list = db.prepare<[string, string], Counter>(
    `SELECT name, value, updated_at AS updatedAt FROM counters WHERE substr(name, 1, length(?)) = ? ORDER BY name`,
  );
  const api: CountersRepo = {
    increment: (name, by = 1) => void inc.run({ name, by, now: now() }),
    get: (name) => get.get(name)?.value ?? 0,
    list: (prefix = '') => list.all(prefix, prefix),
    recordWebhookRejection: (reason, by = 1) => api.increment(REJECTED + reason, by),
    webhookRejections: () =>
      Object.fromEntries(api.list(REJECTED).map((c) => [c.name.slice(REJECTED.length), c.value])),
  };
  return api;
}

export function createMetaRepo(db: Db, now: () => number): MetaRepo {
  const get = db.prepare<[string], { value: string }>(`SELECT value FROM meta WHERE key = ?`);
  const set = db.prepare<{ key: string; value: string; now: number }>(
    `INSERT INTO meta (key, value, updated_at) VALUES (:key, :value, :now)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  return {
    get: (key) => get.get(key)?.value,
    set: (key, value) => void set.run({ key, value, now: now() }),
  };
}
