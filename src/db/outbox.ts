/**
 * The result-webhook outbox (issue 16 §4): events recorded in the transaction of the outcome they
 * report (call `record` inside `store.tx`, next to the case/attempt update), delivered later by
 * the daemon with the lease protocol of queue.ts. The body is frozen at record time, so every
 * redelivery sends the same bytes under the same `webhook-id` (`messageId`).
 */
import { randomBytes } from 'node:crypto';
import { parseJson, selectList, type ColumnMap, type Db } from './columns.js';
import { createQueue, type Queue, type QueueSpec } from './queue.js';

/** The result events of issue 16 §4, for every platform. */
export const RESULT_EVENT_TYPES = [
  'recovery.scheduled',
  'recovery.attempt_failed',
  'recovery.succeeded',
  'recovery.failed',
  'recovery.blocked',
  'recovery.canceled',
  'card.updated',
  'card.expiring_soon',
] as const;
export type ResultEventType = (typeof RESULT_EVENT_TYPES)[number];

export const OUTBOX_OUTCOMES = ['delivered', 'failed', 'disabled', 'skipped'] as const;
export type OutboxOutcome = (typeof OUTBOX_OUTCOMES)[number];

export interface NewResultEvent {
  type: ResultEventType;
  /**
   * Unique per outcome, e.g. `recovery.succeeded:case:12` or `recovery.attempt_failed:attempt:55`:
   * recording the same outcome again (a replayed platform event) is a no-op.
   */
  dedupeKey: string;
  caseId?: number | null;
  /** The event's `data` object (JSON-serialisable). */
  data: Record<string, unknown>;
  /** When the outcome happened (epoch ms): the body's `timestamp` and the first delivery time. */
  at: number;
}

export interface OutboxMessage {
  id: number;
  /** Standard Webhooks `webhook-id`: `msg_` + 24 hex characters. */
  messageId: string;
  type: ResultEventType;
  dedupeKey: string;
  caseId: number | null;
  /** The exact body sent: `{ type, timestamp (ISO 8601), data }`. */
  payload: { type: ResultEventType; timestamp: string; data: Record<string, unknown> };
  /** The body as sent, byte for byte (what the signature covers). */
  body: string;
  createdAt: number;
  dueAt: number;
  claimedUntil: number | null;
  claimedBy: string | null;
  tries: number;
  doneAt: number | null;
  outcome: OutboxOutcome | null;
  lastStatus: number | null;
}

export interface NewDelivery {
  outboxId: number;
  url: string;
  attemptedAt: number;
  durationMs: number;
  status: number | null;
  /** The answer's body; stored truncated to 1 KiB. */
  response?: string | null;
  error?: string | null;
}

export interface Delivery extends Required<NewDelivery> {
  id: number;
}

export interface OutboxRepo extends Omit<Queue<OutboxMessage>, 'release'> {
  /** Records an event; call inside the outcome's `store.tx`. A known dedupeKey is a no-op. */
  record(e: NewResultEvent): { id: number; messageId: string; inserted: boolean };
  /** Ends a message (delivered, failed for good, endpoint disabled, no endpoint). */
  finish(id: number, owner: string, outcome: OutboxOutcome, at: number, status: number | null): boolean;
  /** Gives it back for a later try (the backoff), noting the last answer's status. */
  release(id: number, owner: string, retryAt: number, status: number | null): boolean;
  /** Due again now, whatever its state (`recover webhooks resend`). False if unknown. */
  resend(messageId: string, now: number): boolean;
  get(id: number): OutboxMessage | undefined;
  getByMessageId(messageId: string): OutboxMessage | undefined;
  /** Whether an event with this dedupe key was recorded (before doing work only a new one needs). */
  hasKey(dedupeKey: string): boolean;
  /** Newest first. */
  list(opts?: { limit?: number; type?: ResultEventType; caseId?: number }): OutboxMessage[];
  addDelivery(d: NewDelivery): number;
  deliveries(outboxId: number): Delivery[];
  /** Undone messages (the backlog), for `status` and /healthz. */
  pending(): number;
  /** When the oldest undone message was recorded (epoch ms), or null. */
  oldestPendingAt(): number | null;
  /** The newest try that got no 2xx (for `status`), or undefined. */
  lastFailure(): (Delivery & { messageId: string }) | undefined;
  /**
   * Ends as `skipped` every unclaimed undone message recorded before `before` (no endpoint, or
   * a disabled one, for the whole redelivery window). Returns how many.
   */
  skipOlderThan(before: number, at: number): number;
  /** The earliest `created_at` of an unclaimed undone message, or null. */
  oldestUnclaimedAt(): number | null;
}

const COLUMNS: ColumnMap<Omit<OutboxMessage, 'body'>> = {
  id: 'id',
  messageId: 'message_id',
  type: 'type',
  dedupeKey: 'dedupe_key',
  caseId: 'case_id',
  payload: 'payload',
  createdAt: 'created_at',
  dueAt: 'due_at',
  claimedUntil: 'claimed_until',
  claimedBy: 'claimed_by',
  tries: 'tries',
  doneAt: 'done_at',
  outcome: 'outcome',
  lastStatus: 'last_status',
};
const QUEUE: Omit<QueueSpec, 'columns'> = {
  table: 'outbox',
  dueColumn: 'due_at',
  doneColumn: 'done_at',
  dueIndex: 'outbox_due',
  leaseIndex: 'outbox_leases',
};
type Row = Omit<OutboxMessage, 'payload' | 'body'> & { payload: string };
const fromRow = (r: Row): OutboxMessage => ({
  ...r,
  payload: parseJson(r.payload) as OutboxMessage['payload'],
  body: r.payload,
});
/** Stored answer bodies are cut to this many characters (1 KiB): enough to debug, bounded. */
const RESPONSE_CHARS = 1024;

export function createOutboxRepo(db: Db): OutboxRepo {
  const cols = selectList(COLUMNS);
  const insert = db.prepare<Record<string, unknown>>(
    `INSERT INTO outbox (message_id, type, dedupe_key, case_id, payload, created_at, due_at)
     VALUES (:messageId, :type, :dedupeKey, :caseId, :payload, :at, :at) ON CONFLICT (dedupe_key) DO NOTHING`,
  );
  const byKey = db.prepare<[string], { id: number; messageId: string }>(
    `SELECT id, message_id AS messageId FROM outbox WHERE dedupe_key = ?`,
  );
  const get = db.prepare<[number], Row>(`SELECT ${cols} FROM outbox WHERE id = ?`);
  const byMessage = db.prepare<[string], Row>(`SELECT ${cols} FROM outbox WHERE message_id = ?`);
  const finish = db.prepare<{ id: number; owner: string; outcome: string; at: number; status: number | null }>(
    `UPDATE outbox SET done_at = :at, outcome = :outcome, last_status = :status,
       claimed_until = NULL, claimed_by = NULL
     WHERE id = :id AND claimed_by = :owner AND done_at IS NULL`,
  );
  const release = db.prepare<{ id: number; owner: string; retryAt: number; status: number | null }>(
    `UPDATE outbox SET claimed_until = NULL, claimed_by = NULL, due_at = :retryAt, last_status = :status
     WHERE id = :id AND claimed_by = :owner AND done_at IS NULL`,
  );
  const resend = db.prepare<{ messageId: string; now: number }>(
    `UPDATE outbox SET done_at = NULL, outcome = NULL, due_at = :now, claimed_until = NULL, claimed_by = NULL
     WHERE message_id = :messageId`,
  );
  const addDelivery = db.prepare<Record<string, unknown>>(
    `INSERT INTO webhook_deliveries (outbox_id, url, attempted_at, duration_ms, status, response, error)
     VALUES (:outboxId, :url, :attemptedAt, :durationMs, :status, :response, :error)`,
  );
  const deliveries = db.prepare<[number], Delivery>(
    `SELECT id, outbox_id AS outboxId, url, attempted_at AS attemptedAt, duration_ms AS durationMs, status,
       response, error FROM webhook_deliveries WHERE outbox_id = ? ORDER BY attempted_at, id`,
  );
  const pending = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM outbox WHERE done_at IS NULL`);
  const oldest = db.prepare<[], { t: number | null }>(`SELECT min(created_at) AS t FROM outbox WHERE done_at IS NULL`);
  const oldestUnclaimed = db.prepare<[], { t: number | null }>(
    `SELECT min(created_at) AS t FROM outbox WHERE done_at IS NULL AND claimed_until IS NULL`,
  );
  const lastFailure = db.prepare<[], Delivery & { messageId: string }>(
    `SELECT d.id, d.outbox_id AS outboxId, d.url, d.attempted_at AS attemptedAt, d.duration_ms AS durationMs,
       d.status, d.response, d.error, o.message_id AS messageId
     FROM webhook_deliveries d JOIN outbox o ON o.id = d.outbox_id
     WHERE d.status IS NULL OR d.status NOT BETWEEN 200 AND 299 ORDER BY d.attempted_at DESC, d.id DESC LIMIT 1`,
  );
  // Runs every pass while no endpoint is set: through the partial index of undone rows, not
  // outbox_created, which walked every message ever skipped (issue 18: 1.5 s of a demo).
  const skip = db.prepare<{ before: number; at: number }>(
    `UPDATE outbox INDEXED BY outbox_due SET done_at = :at, outcome = 'skipped'
     WHERE done_at IS NULL AND claimed_until IS NULL AND created_at < :before`,
  );
  const queue = createQueue<Row, OutboxMessage>(
    db,
    { ...QUEUE, columns: cols },
    fromRow,
    (m) => m.dueAt,
    (m) => m.id,
  );
  return {
    record(e) {
      const messageId = `msg_${randomBytes(12).toString('hex')}`;
      const payload = JSON.stringify({ type: e.type, timestamp: new Date(e.at).toISOString(), data: e.data });
      const inserted =
        insert.run({ messageId, type: e.type, dedupeKey: e.dedupeKey, caseId: e.caseId ?? null, payload, at: e.at })
          .changes === 1;
      const row = byKey.get(e.dedupeKey)!;
      return { id: row.id, messageId: row.messageId, inserted };
    },
    claimDue: (t, leaseMs, limit, owner) => queue.claimDue(t, leaseMs, limit, owner),
    nextDueAt: () => queue.nextDueAt(),
    start: (id, owner, t) => queue.start(id, owner, t),
    renew: (id, owner, until) => queue.renew(id, owner, until),
    releaseLeasesExcept: (keep) => queue.releaseLeasesExcept(keep),
    finish: (id, owner, outcome, at, status) => finish.run({ id, owner, outcome, at, status }).changes > 0,
    release: (id, owner, retryAt, status) => release.run({ id, owner, retryAt, status }).changes > 0,
    resend: (messageId, now) => resend.run({ messageId, now }).changes > 0,
    get(id) {
      const r = get.get(id);
      return r ? fromRow(r) : undefined;
    },
    getByMessageId(messageId) {
      const r = byMessage.get(messageId);
      return r ? fromRow(r) : undefined;
    },
    hasKey: (key) => byKey.get(key) !== undefined,
    list(opts = {}) {
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: opts.limit ?? 50 };
      if (opts.type) {
        where.push('type = :type');
        params.type = opts.type;
      }
      if (opts.caseId !== undefined) {
        where.push('case_id = :caseId');
        params.caseId = opts.caseId;
      }
      const sql = `SELECT ${cols} FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC LIMIT :limit`;
      return db.prepare<Record<string, unknown>, Row>(sql).all(params).map(fromRow);
    },
    addDelivery: (d) =>
      Number(
        addDelivery.run({
          ...d,
          status: d.status,
          response: d.response == null ? null : d.response.slice(0, RESPONSE_CHARS),
          error: d.error ?? null,
        }).lastInsertRowid,
      ),
    deliveries: (outboxId) => deliveries.all(outboxId),
    pending: () => pending.get()!.n,
    oldestPendingAt: () => oldest.get()?.t ?? null,
    oldestUnclaimedAt: () => oldestUnclaimed.get()?.t ?? null,
    lastFailure: () => lastFailure.get(),
    skipOlderThan: (before, at) => skip.run({ before, at }).changes,
  };
}
