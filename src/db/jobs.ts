/**
 * Crash-safe scheduled jobs (e.g. `cancel_subscription` after a delay at the end of dunning).
 * The lease protocol of src/db/queue.ts, as for attempts: claim, start, finish as the owner.
 * A job whose lease expired is handed out again, so a job's work must be idempotent (use
 * `recover:job:<id>` as the Stripe idempotency key).
 */
import { parseJson, selectList, type ColumnMap, type Db } from './columns.js';
import { createQueue, type QueueSpec } from './queue.js';
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
  /** How many times it was started (counted at start, as for attempts). */
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
/** Jobs as a queue (src/db/queue.ts). */
const JOB_QUEUE: Omit<QueueSpec, 'columns'> = {
  table: 'jobs',
  dueColumn: 'run_at',
  doneColumn: 'done_at',
  dueIndex: 'jobs_due',
  leaseIndex: 'jobs_leases',
};
type Row = Omit<Job, 'payload'> & { payload: string };
const fromRow = (r: Row): Job => ({ ...r, payload: parseJson(r.payload) });

export interface JobsRepo {
  schedule(job: NewJob): { id: number; inserted: boolean };
  /** Claims up to `limit` due, undone jobs (unclaimed or lease expired), earliest first. */
  claimDue(now: number, leaseMs: number, limit: number, owner: string): Job[];
  nextDueAt(): number | null;
  /** Before the Stripe call: the owner still holds an unexpired lease; tries + 1. */
  start(id: number, owner: string, now: number): boolean;
  renew(id: number, owner: string, until: number): boolean;
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
  const finish = db.prepare<{ id: number; owner: string; outcome: string; at: number; result: string | null }>(
    `UPDATE jobs SET done_at = :at, outcome = :outcome, result = :result
     WHERE id = :id AND claimed_by = :owner AND done_at IS NULL`,
  );
  const cancel = db.prepare<{ caseId: number; at: number; now: number; result: string | null }>(
    `UPDATE jobs SET done_at = :at, outcome = 'canceled', result = :result
     WHERE case_id = :caseId AND done_at IS NULL AND (claimed_until IS NULL OR claimed_until <= :now)`,
  );
  const get = db.prepare<[number], Row>(`SELECT ${cols} FROM jobs WHERE id = ?`);
  const queue = createQueue<Row, Job>(
    db,
    { ...JOB_QUEUE, columns: cols },
    fromRow,
    (j) => j.runAt,
    (j) => j.id,
  );
  const forCase = db.prepare<[number], Row>(`SELECT ${cols} FROM jobs WHERE case_id = ? ORDER BY run_at, id`);
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
  return {
    schedule: (j) => scheduleTx.immediate(j),
    claimDue: (t, leaseMs, limit, owner) => queue.claimDue(t, leaseMs, limit, owner),
    nextDueAt: () => queue.nextDueAt(),
    start: (id, owner, t) => queue.start(id, owner, t),
    renew: (id, owner, until) => queue.renew(id, owner, until),
    finish: (id, owner, outcome, at, result) =>
      finish.run({ id, owner, outcome, at, result: result ?? null }).changes > 0,
    release: (id, owner, retryAt) => queue.release(id, owner, retryAt),
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
    releaseLeasesExcept: (keep) => queue.releaseLeasesExcept(keep),
  };
}
