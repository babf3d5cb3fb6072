/**
 * Crash-safe scheduled jobs (e.g. `cancel_subscription` after a delay at the end of dunning).
 * Same lease protocol as attempts: claim with a lease in one statement, finish as the owner.
 * A job whose lease expired is handed out again, so a job's work must be idempotent (use
 * `recover:job:<id>` as the Stripe idempotency key).
 */
import { parseJson, selectList, type ColumnMap, type Db } from './columns.js';
import type { JobOutcome } from './types.js';

export interface Job {
  id: number;
  kind: string;
  /** Unique: scheduling the same key again returns the existing job. */
  dedupeKey: string;
  caseId: number | null;
  runAt: number;
  payload: unknown;
  claimedUntil: number | null;
  claimedBy: string | null;
  tries: number;
  doneAt: number | null;
  outcome: JobOutcome | null;
  result: string | null;
  createdAt: number;
}

export interface NewJob {
  kind: string;
  dedupeKey: string;
  caseId?: number | null;
  runAt: number;
  payload?: unknown;
}

const COLUMNS: ColumnMap<Job> = {
  id: 'id',
  kind: 'kind',
  dedupeKey: 'dedupe_key',
  caseId: 'case_id',
  runAt: 'run_at',
  payload: 'payload',
  claimedUntil: 'claimed_until',
  claimedBy: 'claimed_by',
  tries: 'tries',
  doneAt: 'done_at',
  outcome: 'outcome',
  result: 'result',
  createdAt: 'created_at',
};
type Row = Omit<Job, 'payload'> & { payload: string };
const fromRow = (r: Row): Job => ({ ...r, payload: parseJson(r.payload) });

export interface JobsRepo {
  schedule(job: NewJob): { id: number; inserted: boolean };
  /** Claims up to `limit` due, undone jobs (unclaimed or lease expired); tries + 1 each. */
  claimDue(now: number, leaseMs: number, limit: number, owner: string): Job[];
  nextDueAt(): number | null;
  finish(id: number, owner: string, outcome: JobOutcome, at: number, result?: string | null): boolean;
  release(id: number, owner: string, retryAt?: number): boolean;
  /** Cancels the case's undone jobs that nobody holds a live lease on; returns how many. */
  cancelForCase(caseId: number, at: number, now: number, result?: string | null): number;
  get(id: number): Job | undefined;
  getByKey(dedupeKey: string): Job | undefined;
  listForCase(caseId: number): Job[];
  /** Like attempts.releaseLeasesExcept: drops leases of dead owners (single-daemon lock holder only). */
  releaseLeasesExcept(keep: string): number;
}

export function createJobsRepo(db: Db, now: () => number): JobsRepo {
  const cols = selectList(COLUMNS);
  const insert = db.prepare<Record<string, unknown>>(
    `INSERT INTO jobs (kind, dedupe_key, case_id, run_at, payload, created_at)
     VALUES (:kind, :dedupeKey, :caseId, :runAt, :payload, :now) ON CONFLICT (dedupe_key) DO NOTHING`,
  );
  const byKey = db.prepare<[string], Row>(`SELECT ${cols} FROM jobs WHERE dedupe_key = ?`);
  const claim = db.prepare<{ now: number; until: number; owner: string; limit: number }, Row>(
    `UPDATE jobs SET claimed_until = :until, claimed_by = :owner, tries = tries + 1
     WHERE id IN (
       SELECT id FROM jobs INDEXED BY jobs_due
       WHERE done_at IS NULL AND run_at <= :now AND (claimed_until IS NULL OR claimed_until <= :now)
       ORDER BY run_at, id LIMIT :limit)
     RETURNING ${cols}`,
  );
  const firstUnclaimed = db.prepare<[], { t: number }>(
    `SELECT run_at AS t FROM jobs INDEXED BY jobs_due WHERE done_at IS NULL AND claimed_until IS NULL ORDER BY run_at LIMIT 1`,
  );
  const firstLeaseEnd = db.prepare<[], { t: number | null }>(
    `SELECT min(claimed_until) AS t FROM jobs INDEXED BY jobs_leases WHERE done_at IS NULL AND claimed_until IS NOT NULL`,
  );
  const finish = db.prepare<{ id: number; owner: string; outcome: string; at: number; result: string | null }>(
    `UPDATE jobs SET done_at = :at, outcome = :outcome, result = :result
     WHERE id = :id AND claimed_by = :owner AND done_at IS NULL`,
  );
  const release = db.prepare<{ id: number; owner: string; retryAt: number | null }>(
    `UPDATE jobs SET claimed_until = NULL, claimed_by = NULL, run_at = coalesce(:retryAt, run_at)
     WHERE id = :id AND claimed_by = :owner AND done_at IS NULL`,
  );
  const cancel = db.prepare<{ caseId: number; at: number; now: number; result: string | null }>(
    `UPDATE jobs SET done_at = :at, outcome = 'canceled', result = :result
     WHERE case_id = :caseId AND done_at IS NULL AND (claimed_until IS NULL OR claimed_until <= :now)`,
  );
  const get = db.prepare<[number], Row>(`SELECT ${cols} FROM jobs WHERE id = ?`);
  const forCase = db.prepare<[number], Row>(`SELECT ${cols} FROM jobs WHERE case_id = ? ORDER BY run_at, id`);
  const releaseOthers = db.prepare<[string]>(
    `UPDATE jobs SET claimed_until = NULL, claimed_by = NULL
     WHERE done_at IS NULL AND claimed_until IS NOT NULL AND claimed_by <> ?`,
  );
  const scheduleTx = db.transaction((j: NewJob) => {
    const inserted =
      insert.run({
        kind: j.kind,
        dedupeKey: j.dedupeKey,
        caseId: j.caseId ?? null,
        runAt: j.runAt,
        payload: JSON.stringify(j.payload ?? {}),
        now: now(),
      }).changes === 1;
    return { id: byKey.get(j.dedupeKey)!.id, inserted };
  });
  const claimTx = db.transaction((p: { now: number; until: number; owner: string; limit: number }) => claim.all(p));
  return {
    schedule: (j) => scheduleTx.immediate(j),
    claimDue(t, leaseMs, limit, owner) {
      if (limit <= 0) return [];
      return claimTx
        .immediate({ now: t, until: t + leaseMs, owner, limit })
        .map(fromRow)
        .sort((a, b) => a.runAt - b.runAt || a.id - b.id);
    },
    nextDueAt() {
      const a = firstUnclaimed.get()?.t ?? null;
      const b = firstLeaseEnd.get()?.t ?? null;
      return a === null ? b : b === null ? a : Math.min(a, b);
    },
    finish: (id, owner, outcome, at, result) => finish.run({ id, owner, outcome, at, result: result ?? null }).changes > 0,
    release: (id, owner, retryAt) => release.run({ id, owner, retryAt: retryAt ?? null }).changes > 0,
    cancelForCase: (caseId, at, t, result) => cancel.run({ caseId, at, now: t, result: result ?? null }).changes,
    get(id) {
      const r = get.get(id);
      return r ? fromRow(r) : undefined;
    },
    getByKey(key) {
      const r = byKey.get(key);
      return r ? fromRow(r) : undefined;
    },
    listForCase: (caseId) => forCase.all(caseId).map(fromRow),
    releaseLeasesExcept: (keep) => releaseOthers.run(keep).changes,
  };
}
