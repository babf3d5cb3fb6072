/** The policy's learned Beta-Binomial counts. Keys are opaque strings chosen by the policy. */
import type { Db } from './columns.js';

export interface StatCounts {
  successes: number;
  failures: number;
}

export interface StatsRepo {
  /** Adds `by` (default 1) to the key's successes or failures. */
  increment(key: string, success: boolean, by?: number): void;
  get(key: string): StatCounts | undefined;
  load(): Map<string, StatCounts>;
}

export function createStatsRepo(db: Db, now: () => number): StatsRepo {
  const inc = db.prepare<{ key: string; s: number; f: number; now: number }>(
    `INSERT INTO learned_stats (key, successes, failures, updated_at) VALUES (:key, :s, :f, :now)
     ON CONFLICT (key) DO UPDATE SET successes = successes + excluded.successes,
       failures = failures + excluded.failures, updated_at = excluded.updated_at`,
  );
  const get = db.prepare<[string], StatCounts>(`SELECT successes, failures FROM learned_stats WHERE key = ?`);
  const all = db.prepare<[], StatCounts & { key: string }>(`SELECT key, successes, failures FROM learned_stats`);
  return {
    increment(key, success, by = 1) {
      if (!Number.isInteger(by) || by < 0) throw new Error(`stats.increment: by must be a non-negative integer, got ${by}`);
      inc.run({ key, s: success ? by : 0, f: success ? 0 : by, now: now() });
    },
    get: (key) => get.get(key),
    load() {
      const out = new Map<string, StatCounts>();
      for (const r of all.iterate()) out.set(r.key, { successes: r.successes, failures: r.failures });
      return out;
    },
  };
}
