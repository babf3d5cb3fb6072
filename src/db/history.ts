/**
 * Past charges imported by `takeover --history` (succeeded and failed), the merchant's own data
 * for the policy's timing priors and the report's pre-takeover baseline. Charges do not change
 * once settled, so a re-import keeps the first copy.
 */
import { orNull, selectList, type ColumnMap, type Db } from './columns.js';
import type { CardFunding } from './types.js';

export interface HistoryCharge {
  id: string;
  accountId: string;
  customerId: string | null;
  invoiceId: string | null;
  paymentIntentId: string | null;
  amount: number;
  currency: string;
  status: 'succeeded' | 'failed';
  declineCode: string | null;
  adviceCode: string | null;
  networkAdviceCode: string | null;
  networkDeclineCode: string | null;
  /** Stripe's outcome.reason, e.g. `previously_declined_do_not_retry`. */
  outcomeReason: string | null;
  cardFingerprint: string | null;
  cardBrand: string | null;
  cardFunding: CardFunding | null;
  cardCountry: string | null;
  /** Stripe's created, in ms. */
  created: number;
  importedAt: number;
}

export type NewHistoryCharge = Pick<HistoryCharge, 'id' | 'accountId' | 'amount' | 'currency' | 'status' | 'created'> &
  Partial<Omit<HistoryCharge, 'id' | 'accountId' | 'amount' | 'currency' | 'status' | 'created' | 'importedAt'>>;

export interface HistoryFilter {
  /** created >= since (ms). */
  since?: number;
  /** created < until (ms). */
  until?: number;
  accountId?: string;
}

const COLUMNS: ColumnMap<HistoryCharge> = {
  id: 'id',
  accountId: 'account_id',
  customerId: 'customer_id',
  invoiceId: 'invoice_id',
  paymentIntentId: 'payment_intent_id',
  amount: 'amount',
  currency: 'currency',
  status: 'status',
  declineCode: 'decline_code',
  adviceCode: 'advice_code',
  networkAdviceCode: 'network_advice_code',
  networkDeclineCode: 'network_decline_code',
  outcomeReason: 'outcome_reason',
  cardFingerprint: 'card_fingerprint',
  cardBrand: 'card_brand',
  cardFunding: 'card_funding',
  cardCountry: 'card_country',
  created: 'created',
  importedAt: 'imported_at',
};
const FIELDS = (Object.keys(COLUMNS) as (keyof HistoryCharge)[]).filter((f) => f !== 'importedAt');

export interface HistoryRepo {
  /** Stores the charge unless already present; true if it was new. */
  insert(charge: NewHistoryCharge): boolean;
  /** Streams charges in created order. */
  iterate(filter?: HistoryFilter): IterableIterator<HistoryCharge>;
  count(filter?: HistoryFilter): number;
  /** Oldest and newest created time, or null when empty. */
  range(): { first: number; last: number } | null;
  /** One customer's charges with since <= created < until, oldest first, at most `limit` (newest kept). */
  forCustomer(accountId: string, customerId: string, since: number, until: number, limit: number): CustomerCharge[];
}

/** What the policy's pay-cycle belief reads of a past charge. */
export interface CustomerCharge {
  created: number;
  status: 'succeeded' | 'failed';
  declineCode: string | null;
}

export function createHistoryRepo(db: Db, now: () => number): HistoryRepo {
  const cols = selectList(COLUMNS);
  const insert = db.prepare<Record<string, unknown>>(
    `INSERT INTO history_charges (${FIELDS.map((f) => COLUMNS[f]).join(', ')}, imported_at)
     VALUES (${FIELDS.map((f) => `:${f}`).join(', ')}, :now) ON CONFLICT (id) DO NOTHING`,
  );
  const where = `WHERE created >= :since AND created < :until AND (:accountId IS NULL OR account_id = :accountId)`;
  type P = { since: number; until: number; accountId: string | null };
  const iterate = db.prepare<P, HistoryCharge>(`SELECT ${cols} FROM history_charges ${where} ORDER BY created, id`);
  const count = db.prepare<P, { n: number }>(`SELECT count(*) AS n FROM history_charges ${where}`);
  const range = db.prepare<[], { first: number | null; last: number | null }>(
    `SELECT min(created) AS first, max(created) AS last FROM history_charges`,
  );
  const forCustomer = db.prepare<[string, string, number, number, number], CustomerCharge>(
    `SELECT created, status, decline_code AS declineCode FROM (
       SELECT created, id, status, decline_code FROM history_charges
       WHERE account_id = ? AND customer_id = ? AND created >= ? AND created < ? ORDER BY created DESC, id DESC LIMIT ?
     ) ORDER BY created, id`,
  );
  const params = (f: HistoryFilter = {}): P => ({
    since: f.since ?? Number.MIN_SAFE_INTEGER,
    until: f.until ?? Number.MAX_SAFE_INTEGER,
    accountId: f.accountId ?? null,
  });
  return {
    insert(c) {
      const p: Record<string, unknown> = { now: now() };
      for (const f of FIELDS) p[f] = orNull((c as Partial<HistoryCharge>)[f]);
      return insert.run(p).changes === 1;
    },
    iterate: (f) => iterate.iterate(params(f)),
    count: (f) => count.get(params(f))?.n ?? 0,
    forCustomer: (accountId, customerId, since, until, limit) =>
      forCustomer.all(accountId, customerId, since, until, limit),
    range() {
      const r = range.get();
      return r && r.first !== null && r.last !== null ? { first: r.first, last: r.last } : null;
    },
  };
}
