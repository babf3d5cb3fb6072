/**
 * Payment attempts. Our own attempts (`by: 'recover'`) are scheduled, claimed with a lease,
 * started, and finished, through the one lease protocol of src/db/queue.ts; attempts made by
 * Stripe or the customer are recorded already finished. `finish` re-checks the lease too.
 */
import { orNull, selectList, type ColumnMap, type Db } from './columns.js';
import { createQueue, type QueueSpec } from './queue.js';
import type { AttemptBy, AttemptOutcome } from './types.js';
import type { DeclineFacts } from '../decline.js';

export interface Attempt {
  id: number;
  caseId: number;
  /** Attempt number within the case (1, 2, …); unique per case. */
  n: number;
  by: AttemptBy;
  scheduledAt: number;
  /** Lease expiry (ms); null when unclaimed. */
  claimedUntil: number | null;
  claimedBy: string | null;
  /** How many times it was started (more than 1 = resumed after a crash or timeout). */
  tries: number;
  startedAt: number | null;
  finishedAt: number | null;
  outcome: AttemptOutcome | null;
  declineCode: string | null;
  adviceCode: string | null;
  networkAdviceCode: string | null;
  networkDeclineCode: string | null;
  chargeId: string | null;
  /** Minor units actually attempted, when known. */
  amount: number | null;
  currency: string | null;
  /** Our attempts only: `recover:<account>:<invoice>:<n>`, reused on every retry of the call. */
  idempotencyKey: string | null;
  note: string | null;
  createdAt: number;
}

const COLUMNS: ColumnMap<Attempt> = {
  id: 'id',
  caseId: 'case_id',
  n: 'n',
  by: 'made_by',
  scheduledAt: 'scheduled_at',
  claimedUntil: 'claimed_until',
  claimedBy: 'claimed_by',
  tries: 'tries',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  outcome: 'outcome',
  declineCode: 'decline_code',
  adviceCode: 'advice_code',
  networkAdviceCode: 'network_advice_code',
  networkDeclineCode: 'network_decline_code',
  chargeId: 'charge_id',
  amount: 'amount',
  currency: 'currency',
  idempotencyKey: 'idempotency_key',
  note: 'note',
  createdAt: 'created_at',
};
const COLS = selectList(COLUMNS);
/** Attempts as a queue (src/db/queue.ts); a first start also sets started_at (a resume keeps it). */
const ATTEMPT_QUEUE: QueueSpec = {
  table: 'attempts',
  dueColumn: 'scheduled_at',
  doneColumn: 'finished_at',
  dueIndex: 'attempts_due',
  leaseIndex: 'attempts_leases',
  columns: COLS,
  onStart: 'started_at = coalesce(started_at, :now)',
};

/** The idempotency key of our attempt n on an invoice (the SQL in `schedule` builds the same). */
export function attemptIdempotencyKey(accountId: string, invoiceId: string, n: number): string {
  return `recover:${accountId}:${invoiceId}:${n}`;
}

/** Decline facts (src/decline.ts), any of them absent, and the charge they came with. */
export type DeclineCodes = Partial<DeclineFacts> & { chargeId?: string | null };

export interface AttemptResult extends DeclineCodes {
  outcome: AttemptOutcome;
  /** When it finished (ms). */
  at: number;
  amount?: number | null;
  currency?: string | null;
  note?: string | null;
}

export interface ObservedAttempt extends AttemptResult {
  caseId: number;
  by: Exclude<AttemptBy, 'recover'>;
}

export interface AttemptsRepo {
  /**
   * Schedules our next attempt on an active case: n = previous max + 1, idempotency key built
   * from it. Throws if the case is unknown or ended, or already has a pending attempt (move that
   * one with `reschedule` instead).
   */
  schedule(caseId: number, scheduledAt: number, note?: string | null): Attempt;
  /** Records an attempt made by Stripe or the customer. With a chargeId, a repeat is a no-op. */
  record(observed: ObservedAttempt): { attempt: Attempt; inserted: boolean };
  /**
   * Claims up to `limit` due attempts (scheduled_at <= now, unfinished, unclaimed or lease
   * expired) for `owner` until now + leaseMs, earliest first. One statement, one transaction.
   * A claimed attempt with `startedAt` set was interrupted: resume it with the same key.
   */
  claimDue(now: number, leaseMs: number, limit: number, owner: string): Attempt[];
  /** Earliest time claimDue could return something (may be <= now), or null if nothing pending. */
  nextDueAt(): number | null;
  /** Must succeed before charging: the owner still holds an unexpired lease on an unfinished attempt. */
  markStarted(id: number, owner: string, now: number): boolean;
  /** Extends the lease of an attempt the owner still holds. */
  renew(id: number, owner: string, until: number): boolean;
  /** Records the result; false if the owner no longer holds it or it was already finished. */
  finish(id: number, owner: string, result: AttemptResult): boolean;
  /** Gives the attempt back (optionally due later); keeps started_at, so a resume reuses the key. */
  release(id: number, owner: string, retryAt?: number): boolean;
  /** Moves the case's pending attempt if it is not currently leased; false otherwise. */
  reschedule(caseId: number, scheduledAt: number, now: number): boolean;
  /** Cancels the case's pending attempt if it has not started; returns how many were canceled. */
  cancelPending(caseId: number, at: number, note?: string | null): number;
  get(id: number): Attempt | undefined;
  getByIdempotencyKey(key: string): Attempt | undefined;
  getByChargeId(chargeId: string): Attempt | undefined;
  pendingForCase(caseId: number): Attempt | undefined;
  listForCase(caseId: number): Attempt[];
  /** Started and not finished: calls that were in progress (e.g. when a daemon died). */
  listInFlight(): Attempt[];
  /** Attempts of cases that entered dunning in [since, until) — for reports. */
  iterateForCasesEntered(since: number, until: number, accountId?: string): IterableIterator<Attempt>;
  /**
   * Drops every lease on an unfinished attempt not held by `keep` (started_at is kept, so a
   * resumed call reuses its idempotency key). Only for a daemon that holds the single-daemon
   * lock, at start-up: the owners of those leases are dead. Returns how many were released.
   */
  releaseLeasesExcept(keep: string): number;
}

export function createAttemptsRepo(db: Db, now: () => number): AttemptsRepo {
  // run() + lastInsertRowid rather than RETURNING, which doubles the cost of an insert.
  const schedule = db.prepare<{ caseId: number; scheduledAt: number; note: string | null; now: number }>(
    `INSERT INTO attempts (case_id, n, made_by, scheduled_at, idempotency_key, note, created_at)
     SELECT c.id, x.n, 'recover', :scheduledAt,
            'recover:' || c.account_id || ':' || c.invoice_id || ':' || x.n, :note, :now
     FROM cases c, (SELECT coalesce(max(n), 0) + 1 AS n FROM attempts WHERE case_id = :caseId) x
     WHERE c.id = :caseId AND c.ended_at IS NULL`,
  );
  const caseState = db.prepare<[number], { endedAt: number | null }>(
    `SELECT ended_at AS endedAt FROM cases WHERE id = ?`,
  );
  const record = db.prepare<Record<string, unknown>>(
    `INSERT INTO attempts (case_id, n, made_by, scheduled_at, started_at, finished_at, outcome, decline_code,
       advice_code, network_advice_code, network_decline_code, charge_id, amount, currency, note, created_at)
     SELECT :caseId, coalesce(max(n), 0) + 1, :by, :at, :at, :at, :outcome, :declineCode, :adviceCode,
       :networkAdviceCode, :networkDeclineCode, :chargeId, :amount, :currency, :note, :now
     FROM attempts WHERE case_id = :caseId`,
  );
  const finish = db.prepare<Record<string, unknown>>(
    `UPDATE attempts SET finished_at = :at, outcome = :outcome, decline_code = :declineCode, advice_code = :adviceCode,
       network_advice_code = :networkAdviceCode, network_decline_code = :networkDeclineCode,
       charge_id = coalesce(:chargeId, charge_id), amount = coalesce(:amount, amount),
       currency = coalesce(:currency, currency), note = coalesce(:note, note)
     WHERE id = :id AND claimed_by = :owner AND finished_at IS NULL`,
  );
  const reschedule = db.prepare<{ caseId: number; at: number; now: number }>(
    `UPDATE attempts SET scheduled_at = :at, claimed_until = NULL, claimed_by = NULL
     WHERE case_id = :caseId AND finished_at IS NULL AND started_at IS NULL
       AND (claimed_until IS NULL OR claimed_until <= :now)`,
  );
  const cancel = db.prepare<{ caseId: number; at: number; note: string | null }>(
    `UPDATE attempts SET finished_at = :at, outcome = 'canceled', note = coalesce(:note, note)
     WHERE case_id = :caseId AND finished_at IS NULL AND started_at IS NULL`,
  );
  const get = db.prepare<[number], Attempt>(`SELECT ${COLS} FROM attempts WHERE id = ?`);
  const queue = createQueue<Attempt, Attempt>(
    db,
    ATTEMPT_QUEUE,
    (r) => r,
    (a) => a.scheduledAt,
    (a) => a.id,
  );
  const byKey = db.prepare<[string], Attempt>(`SELECT ${COLS} FROM attempts WHERE idempotency_key = ?`);
  const byCharge = db.prepare<[string], Attempt>(
    `SELECT ${COLS} FROM attempts WHERE charge_id = ? ORDER BY id LIMIT 1`,
  );
  const pending = db.prepare<[number], Attempt>(
    `SELECT ${COLS} FROM attempts WHERE case_id = ? AND finished_at IS NULL`,
  );
  const forCase = db.prepare<[number], Attempt>(`SELECT ${COLS} FROM attempts WHERE case_id = ? ORDER BY n`);
  const inFlight = db.prepare<[], Attempt>(
    `SELECT ${COLS} FROM attempts INDEXED BY attempts_in_flight
     WHERE finished_at IS NULL AND started_at IS NOT NULL ORDER BY started_at`,
  );
  const forCasesEntered = db.prepare<{ since: number; until: number; accountId: string | null }, Attempt>(
    `SELECT ${selectList(COLUMNS, 'a')} FROM cases c JOIN attempts a ON a.case_id = c.id
     WHERE c.first_failed_at >= :since AND c.first_failed_at < :until
       AND (:accountId IS NULL OR c.account_id = :accountId)
     ORDER BY c.first_failed_at, c.id, a.n`,
  );

  const recordTx = db.transaction((o: ObservedAttempt): { attempt: Attempt; inserted: boolean } => {
    if (o.chargeId) {
      const existing = byCharge.get(o.chargeId);
      if (existing) return { attempt: existing, inserted: false };
    }
    const info = record.run({
      caseId: o.caseId,
      by: o.by,
      at: o.at,
      outcome: o.outcome,
      declineCode: orNull(o.declineCode),
      adviceCode: orNull(o.adviceCode),
      networkAdviceCode: orNull(o.networkAdviceCode),
      networkDeclineCode: orNull(o.networkDeclineCode),
      chargeId: orNull(o.chargeId),
      amount: orNull(o.amount),
      currency: orNull(o.currency),
      note: orNull(o.note),
      now: now(),
    });
    return { attempt: get.get(Number(info.lastInsertRowid))!, inserted: true };
  });

  return {
    schedule(caseId, scheduledAt, note) {
      let inserted: number;
      try {
        const info = schedule.run({ caseId, scheduledAt, note: orNull(note), now: now() });
        inserted = info.changes === 1 ? Number(info.lastInsertRowid) : 0;
      } catch (e) {
        const p = (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' ? pending.get(caseId) : undefined;
        if (p)
          throw new Error(
            `case ${caseId} already has a pending attempt (#${p.n} at ${new Date(p.scheduledAt).toISOString()}); reschedule it instead`,
          );
        throw e;
      }
      if (inserted) return get.get(inserted)!;
      const state = caseState.get(caseId);
      if (!state) throw new Error(`cannot schedule an attempt: no case ${caseId}`);
      throw new Error(`cannot schedule an attempt: case ${caseId} has ended`);
    },
    record: (o) => recordTx.immediate(o),
    claimDue: (t, leaseMs, limit, owner) => queue.claimDue(t, leaseMs, limit, owner),
    nextDueAt: () => queue.nextDueAt(),
    markStarted: (id, owner, t) => queue.start(id, owner, t),
    renew: (id, owner, until) => queue.renew(id, owner, until),
    finish: (id, owner, r) =>
      finish.run({
        id,
        owner,
        at: r.at,
        outcome: r.outcome,
        declineCode: orNull(r.declineCode),
        adviceCode: orNull(r.adviceCode),
        networkAdviceCode: orNull(r.networkAdviceCode),
        networkDeclineCode: orNull(r.networkDeclineCode),
        chargeId: orNull(r.chargeId),
        amount: orNull(r.amount),
        currency: orNull(r.currency),
        note: orNull(r.note),
      }).changes > 0,
    release: (id, owner, retryAt) => queue.release(id, owner, retryAt),
    reschedule: (caseId, at, t) => reschedule.run({ caseId, at, now: t }).changes > 0,
    cancelPending: (caseId, at, note) => cancel.run({ caseId, at, note: orNull(note) }).changes,
    get: (id) => get.get(id),
    getByIdempotencyKey: (key) => byKey.get(key),
    getByChargeId: (chargeId) => byCharge.get(chargeId),
    pendingForCase: (caseId) => pending.get(caseId),
    listForCase: (caseId) => forCase.all(caseId),
    listInFlight: () => inFlight.all(),
    iterateForCasesEntered: (since, until, accountId) =>
      forCasesEntered.iterate({ since, until, accountId: accountId ?? null }),
    releaseLeasesExcept: (keep) => queue.releaseLeasesExcept(keep),
  };
}
