/**
 * What the Recovery API knows of its cases beyond the cases table (migration 006): the Stripe
 * customer and PaymentMethod to charge, whether the customer was present, the merchant's metadata,
 * and the organic revenue pulses (`POST /v1/pulses`).
 */
import { bit, parseJson, selectList, type ColumnMap, type Db } from './columns.js';

export interface ApiRecovery {
  caseId: number;
  /** The merchant's own customer id. */
  customerId: string;
  stripeCustomer: string;
  paymentMethod: string;
  customerPresent: boolean;
  metadata: Record<string, string> | null;
  idempotencyKey: string | null;
  apiKeyId: number | null;
  canceledReason: string | null;
  /** The attempt charged on-session within the POST (customer present); a resume of it stays on-session. */
  presentAttempt: number | null;
  createdAt: number;
}

type Row = Omit<ApiRecovery, 'customerPresent' | 'metadata'> & { customerPresent: number; metadata: string | null };

const COLUMNS: ColumnMap<Row> = {
  caseId: 'case_id',
  customerId: 'customer_id',
  stripeCustomer: 'stripe_customer',
  paymentMethod: 'payment_method',
  customerPresent: 'customer_present',
  metadata: 'metadata',
  idempotencyKey: 'idempotency_key',
  apiKeyId: 'api_key_id',
  canceledReason: 'canceled_reason',
  presentAttempt: 'present_attempt',
  createdAt: 'created_at',
};

export interface ApiRecoveriesRepo {
  insert(r: Omit<ApiRecovery, 'canceledReason' | 'presentAttempt'>): void;
  get(caseId: number): ApiRecovery | undefined;
  byIdempotencyKey(apiKeyId: number, key: string): ApiRecovery | undefined;
  /** The recoveries of one of the merchant's customers (a new card re-plans them). */
  listByMerchantCustomer(customerId: string): ApiRecovery[];
  /** The recoveries charging one Stripe customer (a completed card-update link re-plans them). */
  listByStripeCustomer(stripeCustomer: string): ApiRecovery[];
  setPaymentMethod(caseId: number, paymentMethod: string): void;
  setCanceledReason(caseId: number, reason: string): void;
  /**
   * Leases one attempt for the customer-present charge (made within the API call): only if it is
   * unfinished and not leased by anyone (the daemon's claim uses the same columns, queue.ts).
   */
  claimAttempt(attemptId: number, owner: string, until: number, now: number): boolean;
  setPresentAttempt(caseId: number, attemptId: number): void;
  addPulse(p: { amount: number; currency: string; at: number }): number;
  /** Organic revenue by currency in [since, until), minor units. */
  pulseTotals(since: number, until: number): Array<{ currency: string; amount: number; count: number }>;
}

export function createApiRecoveriesRepo(db: Db): ApiRecoveriesRepo {
  const sel = selectList(COLUMNS);
  const fromRow = (r: Row | undefined): ApiRecovery | undefined =>
    r && {
      ...r,
      customerPresent: r.customerPresent === 1,
      metadata: parseJson(r.metadata) as Record<string, string> | null,
    };
  const insert = db.prepare<Record<string, unknown>>(
    `INSERT INTO api_recoveries (case_id, customer_id, stripe_customer, payment_method, customer_present, metadata,
       idempotency_key, api_key_id, created_at)
     VALUES (:caseId, :customerId, :stripeCustomer, :paymentMethod, :customerPresent, :metadata, :idempotencyKey,
       :apiKeyId,
       :createdAt)`,
  );
  const get = db.prepare<[number], Row>(`SELECT ${sel} FROM api_recoveries WHERE case_id = ?`);
  const byIdem = db.prepare<[number, string], Row>(
    `SELECT ${sel} FROM api_recoveries WHERE api_key_id = ? AND idempotency_key = ?`,
  );
  const byCustomer = db.prepare<[string], Row>(
    `SELECT ${sel} FROM api_recoveries WHERE customer_id = ? ORDER BY case_id`,
  );
  const byStripe = db.prepare<[string], Row>(
    `SELECT ${sel} FROM api_recoveries WHERE stripe_customer = ? ORDER BY case_id`,
  );
  const setPm = db.prepare<[string, number]>(`UPDATE api_recoveries SET payment_method = ? WHERE case_id = ?`);
  const setCanceled = db.prepare<[string, number]>(`UPDATE api_recoveries SET canceled_reason = ? WHERE case_id = ?`);
  const claim = db.prepare<{ id: number; owner: string; until: number; now: number }>(
    `UPDATE attempts SET claimed_until = :until, claimed_by = :owner
     WHERE id = :id AND finished_at IS NULL AND (claimed_until IS NULL OR claimed_until <= :now)`,
  );
  const setPresent = db.prepare<[number, number]>(`UPDATE api_recoveries SET present_attempt = ? WHERE case_id = ?`);
  const addPulse = db.prepare<[number, string, number]>(`INSERT INTO pulses (amount, currency, at) VALUES (?, ?, ?)`);
  const totals = db.prepare<[number, number], { currency: string; amount: number; count: number }>(
    `SELECT currency, sum(amount) AS amount, count(*) AS count FROM pulses WHERE at >= ? AND at < ?
     GROUP BY currency ORDER BY currency`,
  );
  return {
    insert: (r) =>
      void insert.run({
        ...r,
        customerPresent: bit(r.customerPresent),
        metadata: r.metadata ? JSON.stringify(r.metadata) : null,
      }),
    get: (id) => fromRow(get.get(id)),
    byIdempotencyKey: (k, key) => fromRow(byIdem.get(k, key)),
    listByMerchantCustomer: (c) => byCustomer.all(c).map((r) => fromRow(r)!),
    listByStripeCustomer: (c) => byStripe.all(c).map((r) => fromRow(r)!),
    setPaymentMethod: (id, pm) => void setPm.run(pm, id),
    setCanceledReason: (id, reason) => void setCanceled.run(reason, id),
    claimAttempt: (id, owner, until, now) => claim.run({ id, owner, until, now }).changes === 1,
    setPresentAttempt: (caseId, attemptId) => void setPresent.run(attemptId, caseId),
    addPulse: (p) => Number(addPulse.run(p.amount, p.currency, p.at).lastInsertRowid),
    pulseTotals: (since, until) => totals.all(since, until),
  };
}
