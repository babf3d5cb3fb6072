/**
 * The one lease protocol for due work: attempts, end-of-dunning jobs, the webhook inbox, the outbox.
 * A row is due when its due column is <= now and it is not done; a claim hands up to N due rows
 * to one owner until now + leaseMs in one IMMEDIATE transaction (one UPDATE … RETURNING), so two
 * daemons on one file never both own a row: SQLite serialises writers and every later statement
 * re-checks the lease it depends on. A row whose lease expired is handed out again (its owner
 * died), so the work behind it must be idempotent.
 *
 * `tries` counts starts, not claims: `start` is the last check before the outside call (the
 * owner still holds an unexpired lease), and only a call that began is a try.
 */
import type { Db } from './columns.js';

export interface QueueSpec {
  table: 'attempts' | 'jobs' | 'outbox' | 'events';
  /** The integer key the queue addresses rows by: `id`, or `rowid` (events, keyed by Stripe's evt_ id). */
  idColumn?: 'id' | 'rowid';
  /** Epoch ms column the row is due at. */
  dueColumn: string;
  /** Epoch ms column set when the row is done; NULL = still to do. */
  doneColumn: string;
  /** Index on (due) WHERE done IS NULL, and on (claimed_until) WHERE done IS NULL. */
  dueIndex: string;
  leaseIndex: string;
  /** SELECT list of the row (RETURNING of the claim). */
  columns: string;
  /** Extra assignments on start, e.g. attempts' first `started_at` (bound parameter `:now`). */
  onStart?: string;
}

export interface Queue<Row> {
  /** Up to `limit` due rows for `owner` until now + leaseMs, earliest due first. */
  claimDue(now: number, leaseMs: number, limit: number, owner: string): Row[];
  /** Earliest time claimDue could return something (may be <= now), or null if nothing pending. */
  nextDueAt(): number | null;
  /** Before the outside call: the owner still holds an unexpired lease; tries + 1. */
  start(id: number, owner: string, now: number): boolean;
  /** Extends the lease of a row the owner still holds. */
  renew(id: number, owner: string, until: number): boolean;
  /** Gives the row back (optionally due later). */
  release(id: number, owner: string, retryAt?: number): boolean;
  /**
   * Drops every lease on an undone row not held by `keep`. Only for a daemon that holds the
   * single-daemon lock, at start-up: the owners of those leases are dead. Returns how many.
   */
  releaseLeasesExcept(keep: string): number;
}

type ClaimParams = { now: number; until: number; owner: string; limit: number };

export function createQueue<Raw, Row>(
  db: Db,
  s: QueueSpec,
  map: (raw: Raw) => Row,
  dueOf: (row: Row) => number,
  idOf: (row: Row) => number,
): Queue<Row> {
  const undone = `${s.doneColumn} IS NULL`;
  const id = s.idColumn ?? 'id';
  const claim = db.prepare<ClaimParams, Raw>(
    `UPDATE ${s.table} SET claimed_until = :until, claimed_by = :owner
     WHERE ${id} IN (
       SELECT ${id} FROM ${s.table} INDEXED BY ${s.dueIndex}
       WHERE ${undone} AND ${s.dueColumn} <= :now AND (claimed_until IS NULL OR claimed_until <= :now)
       ORDER BY ${s.dueColumn}, ${id} LIMIT :limit)
     RETURNING ${s.columns}`,
  );
  const firstUnclaimed = db.prepare<[], { t: number }>(
    `SELECT ${s.dueColumn} AS t FROM ${s.table} INDEXED BY ${s.dueIndex}
     WHERE ${undone} AND claimed_until IS NULL ORDER BY ${s.dueColumn} LIMIT 1`,
  );
  const firstLeaseEnd = db.prepare<[], { t: number | null }>(
    `SELECT min(claimed_until) AS t FROM ${s.table} INDEXED BY ${s.leaseIndex}
     WHERE ${undone} AND claimed_until IS NOT NULL`,
  );
  const start = db.prepare<{ id: number; owner: string; now: number }>(
    `UPDATE ${s.table} SET ${s.onStart ? `${s.onStart}, ` : ''}tries = tries + 1
     WHERE ${id} = :id AND claimed_by = :owner AND claimed_until > :now AND ${undone}`,
  );
  const renew = db.prepare<{ id: number; owner: string; until: number }>(
    `UPDATE ${s.table} SET claimed_until = :until WHERE ${id} = :id AND claimed_by = :owner AND ${undone}`,
  );
  const release = db.prepare<{ id: number; owner: string; retryAt: number | null }>(
    `UPDATE ${s.table} SET claimed_until = NULL, claimed_by = NULL, ${s.dueColumn} = coalesce(:retryAt, ${s.dueColumn})
     WHERE ${id} = :id AND claimed_by = :owner AND ${undone}`,
  );
  const releaseOthers = db.prepare<[string]>(
    `UPDATE ${s.table} SET claimed_until = NULL, claimed_by = NULL
     WHERE ${undone} AND claimed_until IS NOT NULL AND claimed_by <> ?`,
  );
  const claimTx = db.transaction((p: ClaimParams) => claim.all(p));
  return {
    claimDue(now, leaseMs, limit, owner) {
      if (limit <= 0) return [];
      const rows = claimTx.immediate({ now, until: now + leaseMs, owner, limit }).map(map);
      // RETURNING gives no order guarantee; callers expect earliest first.
      return rows.sort((a, b) => dueOf(a) - dueOf(b) || idOf(a) - idOf(b));
    },
    nextDueAt() {
      const a = firstUnclaimed.get()?.t ?? null;
      const b = firstLeaseEnd.get()?.t ?? null;
      return a === null ? b : b === null ? a : Math.min(a, b);
    },
    start: (id, owner, now) => start.run({ id, owner, now }).changes > 0,
    renew: (id, owner, until) => renew.run({ id, owner, until }).changes > 0,
    release: (id, owner, retryAt) => release.run({ id, owner, retryAt: retryAt ?? null }).changes > 0,
    releaseLeasesExcept: (keep) => releaseOthers.run(keep).changes,
  };
}
