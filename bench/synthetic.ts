/**
 * Synthetic bulk data for benchmarks and load tests (not used by the product): fills a
 * migrated database with `cases` in-dunning cases, each with one scheduled attempt spread
 * evenly-ish over `spreadMs`, generated inside SQLite in two INSERT … SELECT statements, so a
 * million rows take seconds instead of the ~30 s the per-row API needs. Rows go through the
 * same constraints and indexes as real ones. Deterministic: the same arguments give the same rows.
 */
import Database from 'better-sqlite3';
import { DAY_MS } from '../src/clock.js';

export interface SyntheticBacklog {
  cases: number;
  /** First scheduled time (ms); attempts fall in [start, start + spreadMs). */
  start: number;
  spreadMs: number;
  accountId?: string;
  /** Share of customers in the control arm, as 1 in `controlEvery`. */
  controlEvery?: number;
}

/**
 * Opens its own connection; no other connection may be open (the store must be closed): the
 * load runs without a journal (pages go straight to the file, not through the WAL and back)
 * and with a large cache, then puts the database back in WAL mode. A failed load leaves a
 * broken file, which is fine for the throw-away databases this is for.
 */
export function fillSyntheticBacklog(path: string, opts: SyntheticBacklog): void {
  const db = new Database(path, { fileMustExist: true, timeout: 60_000 });
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('foreign_keys = ON');
    db.pragma('cache_size = -1048576'); // 1 GiB (in KiB), for the bulk load only
    const account = opts.accountId ?? 'self';
    const p = { n: opts.cases, start: opts.start, spread: opts.spreadMs, account, control: opts.controlEvery ?? 10, day: DAY_MS };
    db.transaction(() => {
      db.prepare(
        `INSERT INTO accounts (id, environment, kind, added_at, updated_at)
         VALUES (:account, 'test', CASE WHEN :account = 'self' THEN 'main' ELSE 'connected' END, :start, :start)
         ON CONFLICT (id) DO NOTHING`,
      ).run(p);
      const before = db.prepare(`SELECT coalesce(max(id), 0) FROM cases`).pluck().get() as number;
      // Case columns follow the row number (sequential index inserts are cheap; the scheduler
      // never reads them). Attempt due times are hashed from the id, so due order is unrelated
      // to row order, as in real life, and a claim touches scattered pages.
      db.prepare(
        `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < :n)
         INSERT INTO cases (account_id, invoice_id, customer_id, amount_due, currency, status, arm, source,
           invoice_created_at, first_failed_at, dunning_deadline, last_failed_at, last_decline_code, created_at, updated_at)
         SELECT :account, printf('in_syn%09d', :before + i), printf('cus_syn%09d', :before + i),
           500 + (i * 40503) % 20000, 'usd', 'in_dunning',
           CASE WHEN (i * 2246822519) % :control = 0 THEN 'control' ELSE 'treatment' END, 'takeover',
           :start - :day, :start - :day + i, :start + 29 * :day, :start - :day + i,
           'insufficient_funds', :start, :start
         FROM seq`,
      ).run({ ...p, before });
      db.prepare(
        `INSERT INTO attempts (case_id, n, made_by, scheduled_at, idempotency_key, created_at)
         SELECT id, 1, 'recover', :start + (id * 2654435761) % :spread,
           'recover:' || account_id || ':' || invoice_id || ':1', :start
         FROM cases WHERE id > :before`,
      ).run({ ...p, before });
    })();
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
}
