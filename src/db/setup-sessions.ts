/**
 * The card-update links recover created (Checkout Sessions in setup mode, migration 009) and the
 * daemon's poll of the open ones. `complete` and `expire` only move an open row, so a completion
 * seen twice (the poll and a `checkout.session.completed` webhook) is applied once.
 */
import { parseJson, selectList, type ColumnMap, type Db } from './columns.js';

export type SetupSessionPurpose = 'declined' | 'expiring';
type SetupSessionStatus = 'open' | 'complete' | 'expired';

export interface SetupSession {
  id: string;
  /** Whose cases it serves: the Recovery API's, or Stripe Billing's (account `self` may be both). */
  platform: 'stripe' | 'api';
  accountId: string;
  customer: string;
  purpose: SetupSessionPurpose;
  caseIds: number[];
  status: SetupSessionStatus;
  /** Epoch ms. */
  expiresAt: number;
  /** Epoch ms; null once not open. */
  nextPollAt: number | null;
  polls: number;
  paymentMethod: string | null;
  createdAt: number;
  endedAt: number | null;
}

type NewSetupSession = Pick<
  SetupSession,
  'id' | 'platform' | 'accountId' | 'customer' | 'purpose' | 'caseIds'
> & {
  expiresAt: number;
  nextPollAt: number;
};

type Row = Omit<SetupSession, 'caseIds'> & { caseIds: string };

const COLUMNS: ColumnMap<Row> = {
  id: 'id',
  platform: 'platform',
  accountId: 'account_id',
  customer: 'customer',
  purpose: 'purpose',
  caseIds: 'case_ids',
  status: 'status',
  expiresAt: 'expires_at',
  nextPollAt: 'next_poll_at',
  polls: 'polls',
  paymentMethod: 'payment_method',
  createdAt: 'created_at',
  endedAt: 'ended_at',
};

export interface SetupSessionsRepo {
  insert(s: NewSetupSession): void;
  get(id: string): SetupSession | undefined;
  /** Open sessions whose poll is due at `now`, earliest first. */
  dueForPoll(now: number, limit: number): SetupSession[];
  /** The earliest poll of an open session, epoch ms, or null. */
  nextPollAt(): number | null;
  /** After a poll that found it still open: polls + 1, next poll at `at`. */
  polled(id: string, at: number): void;
  /** open → complete with the new payment method; false when it was no longer open. */
  complete(id: string, paymentMethod: string, at: number): boolean;
  /** open → expired; false when it was no longer open. */
  expire(id: string, at: number): boolean;
  countByStatus(): Record<SetupSessionStatus, number>;
}

export function createSetupSessionsRepo(db: Db, now: () => number): SetupSessionsRepo {
  const sel = selectList(COLUMNS);
  const fromRow = (r: Row | undefined): SetupSession | undefined =>
    r && { ...r, caseIds: (parseJson(r.caseIds) as number[] | null) ?? [] };
  const insert = db.prepare<Record<string, unknown>>(
    `INSERT INTO setup_sessions (id, platform, account_id, customer, purpose, case_ids, expires_at, next_poll_at,
       created_at)
     VALUES (:id, :platform, :accountId, :customer, :purpose, :caseIds, :expiresAt, :nextPollAt, :createdAt)
     ON CONFLICT (id) DO NOTHING`,
  );
  const get = db.prepare<[string], Row>(`SELECT ${sel} FROM setup_sessions WHERE id = ?`);
  const due = db.prepare<[number, number], Row>(
    `SELECT ${sel} FROM setup_sessions WHERE status = 'open' AND next_poll_at <= ? ORDER BY next_poll_at, id LIMIT ?`,
  );
  const next = db.prepare<[], { at: number | null }>(
    `SELECT min(next_poll_at) AS at FROM setup_sessions WHERE status = 'open'`,
  );
  const polled = db.prepare<[number, string]>(
    `UPDATE setup_sessions SET polls = polls + 1, next_poll_at = ? WHERE id = ? AND status = 'open'`,
  );
  const end = db.prepare<{ id: string; status: SetupSessionStatus; pm: string | null; at: number }>(
    `UPDATE setup_sessions SET status = :status, payment_method = :pm, ended_at = :at, next_poll_at = NULL
     WHERE id = :id AND status = 'open'`,
  );
  const counts = db.prepare<[], { status: SetupSessionStatus; n: number }>(
    `SELECT status, count(*) AS n FROM setup_sessions GROUP BY status`,
  );
  return {
    insert: (s) => void insert.run({ ...s, caseIds: JSON.stringify(s.caseIds), createdAt: now() }),
    get: (id) => fromRow(get.get(id)),
    dueForPoll: (t, limit) => due.all(t, limit).map((r) => fromRow(r)!),
    nextPollAt: () => next.get()?.at ?? null,
    polled: (id, at) => void polled.run(at, id),
    complete: (id, pm, at) => end.run({ id, status: 'complete', pm, at }).changes === 1,
    expire: (id, at) => end.run({ id, status: 'expired', pm: null, at }).changes === 1,
    countByStatus: () => {
      const out: Record<SetupSessionStatus, number> = { open: 0, complete: 0, expired: 0 };
      for (const r of counts.all()) out[r.status] = r.n;
      return out;
    },
  };
}
