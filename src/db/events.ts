/**
 * The webhook inbox. The receiver calls `insertManyIfNew` (a group of requests in one transaction,
 * src/daemon/inbox-writer.ts) and answers each 200 only after it returns: the commit is durable
 * against a process kill as soon as it returns (see the WAL note in open.ts). Processing claims
 * due events through the one lease protocol (queue.ts, by rowid) and runs them in Stripe's order
 * (created, then arrival).
 */
import { orNull, selectList, type ColumnMap, type Db } from './columns.js';
import { createQueue, type Queue, type QueueSpec } from './queue.js';

/** An inbox row as the queue claims it: everything but the body (read apart, `body(seq)`). */
export interface QueuedEvent {
  /** Stripe's event id (evt_…). */
  id: string;
  /** The row's rowid: arrival order, and the key the queue leases it by. */
  seq: number;
  type: string;
  /** Connected account the event belongs to; null for the main account. */
  accountId: string | null;
  /** The object the event is ordered by, e.g. the invoice id. */
  objectId: string | null;
  /** Stripe's `created`, in ms (Stripe sends seconds: multiply by 1000). */
  created: number;
  receivedAt: number;
  processedAt: number | null;
  error: string | null;
  /** Processing tries started so far (counted at start, as for every queue). */
  tries: number;
  /** When it may be processed (next): its arrival, or a retry's backoff (clock ms). */
  dueAt: number;
  claimedUntil: number | null;
  claimedBy: string | null;
}

export interface InboxEvent extends QueuedEvent {
  /** The verified request body, unchanged. */
  raw: string;
}

export interface NewEvent {
  id: string;
  type: string;
  accountId?: string | null;
  objectId?: string | null;
  created: number;
  raw: string;
}

const COLUMNS: ColumnMap<QueuedEvent> = {
  id: 'id',
  seq: 'rowid',
  type: 'type',
  accountId: 'account_id',
  objectId: 'object_id',
  created: 'created',
  receivedAt: 'received_at',
  processedAt: 'processed_at',
  error: 'error',
  tries: 'tries',
  dueAt: 'due_at',
  claimedUntil: 'claimed_until',
  claimedBy: 'claimed_by',
};
const COLS = selectList(COLUMNS);
/** The whole event with its body, from `events AS e JOIN event_bodies AS b` (migration 010). */
const WITH_BODY = `${selectList(COLUMNS, 'e')}, b.raw AS "raw"`;
const JOIN_BODY = 'JOIN event_bodies AS b ON b.seq = e.rowid';
const INBOX_QUEUE: QueueSpec = {
  table: 'events',
  idColumn: 'rowid',
  dueColumn: 'due_at',
  doneColumn: 'processed_at',
  dueIndex: 'events_due',
  leaseIndex: 'events_leases',
  columns: COLS,
};

export interface EventsRepo {
  /** Stores the event unless its id is already there; true if it was new. A duplicate changes nothing. */
  insertIfNew(event: NewEvent): boolean;
  /**
   * Stores several in ONE transaction (a group commit: the pages they share, e.g. the index
   * leaves they all append to, are written to the WAL once); one flag per event, in order.
   * If any insert fails, nothing of the group is stored and the error is thrown.
   */
  insertManyIfNew(events: readonly NewEvent[]): boolean[];
  get(id: string): InboxEvent | undefined;
  /** Unprocessed events, oldest first by (created, received_at, arrival). */
  listUnprocessed(limit: number): InboxEvent[];
  /** All events about one object (e.g. an invoice), in created order — for `recover explain`. */
  listForObject(objectId: string): InboxEvent[];
  /** Done with the event; an error here means "gave up", recorded for explain/status. */
  markProcessed(id: string, error?: string | null): boolean;
  /** A processing try failed and will be retried: the error is kept, it stays unprocessed. */
  recordFailure(id: string, error: string): boolean;
  /** The lease protocol over unprocessed events (claimDue, start, release… by `seq`); rows without their body. */
  readonly queue: Queue<QueuedEvent>;
  /** A stored event's body by its `seq` (undefined if there is no such event). */
  body(seq: number): string | undefined;
  /**
   * The due time of the earliest unprocessed event of the same object before `e` in Stripe's order
   * (created, received, arrival), or null: `e` must wait behind it (per-invoice order).
   */
  blockerDueAt(e: QueuedEvent): number | null;
  /** received_at of the most recently stored event, or null if none. */
  lastReceivedAt(): number | null;
  count(): number;
  countUnprocessed(): number;
  /** Events whose processing failed: given up (processed with an error) or still being retried. */
  countFailed(): { givenUp: number; retrying: number };
  /** Deletes processed events received before `before` (ms); returns how many. */
  prune(before: number): number;
}

export function createEventsRepo(db: Db, now: () => number): EventsRepo {
  type Insert = { id: string; type: string; accountId: string | null; objectId: string | null; created: number };
  const insert = db.prepare<Insert & { now: number }>(
    `INSERT INTO events (id, type, account_id, object_id, created, received_at, due_at)
     VALUES (:id, :type, :accountId, :objectId, :created, :now, :now)
     ON CONFLICT (id) DO NOTHING`,
  );
  const insertBody = db.prepare<[number | bigint, string]>(`INSERT INTO event_bodies (seq, raw) VALUES (?, ?)`);
  const body = db.prepare<[number], { raw: string }>(`SELECT raw FROM event_bodies WHERE seq = ?`);
  const blocker = db.prepare<{ objectId: string; created: number; receivedAt: number; seq: number }, { t: number }>(
    `SELECT due_at AS t FROM events INDEXED BY events_object
     WHERE object_id = :objectId AND processed_at IS NULL AND rowid <> :seq
       AND (created < :created OR (created = :created AND (received_at < :receivedAt
            OR (received_at = :receivedAt AND rowid < :seq))))
     ORDER BY due_at DESC LIMIT 1`,
  );
  const get = db.prepare<[string], InboxEvent>(`SELECT ${WITH_BODY} FROM events AS e ${JOIN_BODY} WHERE e.id = ?`);
  const unprocessed = db.prepare<[number], InboxEvent>(
    `SELECT ${WITH_BODY} FROM events AS e INDEXED BY events_unprocessed ${JOIN_BODY}
     WHERE e.processed_at IS NULL ORDER BY e.created, e.received_at, e.rowid LIMIT ?`,
  );
  const forObject = db.prepare<[string], InboxEvent>(
    `SELECT ${WITH_BODY} FROM events AS e ${JOIN_BODY}
     WHERE e.object_id = ? ORDER BY e.created, e.received_at, e.rowid`,
  );
  const processed = db.prepare<{ id: string; error: string | null; now: number }>(
    `UPDATE events SET processed_at = :now, error = :error WHERE id = :id`,
  );
  const failure = db.prepare<{ id: string; error: string }>(
    `UPDATE events SET error = :error WHERE id = :id AND processed_at IS NULL`,
  );
  // Rowid order is arrival order, so the last row is the last received: O(1), no extra index.
  const last = db.prepare<[], { t: number }>(`SELECT received_at AS t FROM events ORDER BY rowid DESC LIMIT 1`);
  const count = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM events`);
  const countUnprocessed = db.prepare<[], { n: number }>(
    `SELECT count(*) AS n FROM events INDEXED BY events_unprocessed WHERE processed_at IS NULL`,
  );
  const failed = db.prepare<[], { givenUp: number; retrying: number }>(
    `SELECT coalesce(sum(processed_at IS NOT NULL), 0) AS givenUp, coalesce(sum(processed_at IS NULL), 0) AS retrying
     FROM events WHERE error IS NOT NULL`,
  );
  const prune = db.prepare<[number]>(`DELETE FROM events WHERE processed_at IS NOT NULL AND received_at < ?`);

  // The row, then (only if it is new) its body under the row's rowid: a duplicate writes nothing.
  const insertOne = (e: NewEvent, at: number): boolean => {
    const p = { id: e.id, type: e.type, accountId: orNull(e.accountId), objectId: orNull(e.objectId) };
    const r = insert.run({ ...p, created: e.created, now: at });
    if (r.changes !== 1) return false;
    insertBody.run(r.lastInsertRowid, e.raw);
    return true;
  };
  const insertAlone = db.transaction((e: NewEvent, at: number) => insertOne(e, at));
  const insertMany = db.transaction((events: readonly NewEvent[], at: number) => events.map((e) => insertOne(e, at)));

  return {
    insertIfNew: (e) => insertAlone.immediate(e, now()),
    insertManyIfNew: (events) => insertMany.immediate(events, now()),
    get: (id) => get.get(id),
    listUnprocessed: (limit) => unprocessed.all(limit),
    listForObject: (objectId) => forObject.all(objectId),
    markProcessed: (id, error) => processed.run({ id, error: error ?? null, now: now() }).changes > 0,
    recordFailure: (id, error) => failure.run({ id, error }).changes > 0,
    queue: createQueue<QueuedEvent, QueuedEvent>(db, INBOX_QUEUE, (e) => e, (e) => e.dueAt, (e) => e.seq),
    body: (seq) => body.get(seq)?.raw,
    blockerDueAt: (e) =>
      e.objectId === null
        ? null
        : (blocker.get({ objectId: e.objectId, created: e.created, receivedAt: e.receivedAt, seq: e.seq })?.t ?? null),
    lastReceivedAt: () => last.get()?.t ?? null,
    count: () => count.get()?.n ?? 0,
    countUnprocessed: () => countUnprocessed.get()?.n ?? 0,
    countFailed: () => failed.get() ?? { givenUp: 0, retrying: 0 },
    prune: (before) => prune.run(before).changes,
  };
}
