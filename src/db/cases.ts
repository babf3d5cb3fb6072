/**
 * Cases: one per failed invoice, keyed by (account, invoice). A re-import refreshes what Stripe
 * may have changed (amount, card, last decline) but never the arm, the status or the dunning
 * deadline, which are recover's own history. Status changes go through `setStatus` and
 * `markRecovered`, which keep `ended_at` in step with the status (a CHECK enforces it).
 */
import { bit, orNull, type Db } from './columns.js';
import {
  CASE_COLUMNS as COLUMNS,
  CASE_SELECT,
  caseFromRow,
  PATCHABLE,
  type Case,
  type CasePatch,
  type CaseRow,
  type CaseUpsert,
} from './case-rows.js';
import {
  CASE_STATUSES,
  isTerminalStatus,
  sqlList,
  TERMINAL_CASE_STATUSES,
  type CaseStatus,
  type Platform,
  type RecoveredBy,
} from './types.js';

export type { Case, CasePatch, CaseUpsert } from './case-rows.js';

export interface SetStatusOptions {
  /** When the status took effect (default: now). Sets `ended_at` for terminal statuses. */
  at?: number;
  closedReason?: string | null;
  /** Change only if the current status is one of these (for out-of-order events). */
  onlyFrom?: readonly CaseStatus[];
}

export interface CaseFilter {
  /** first_failed_at >= enteredSince (ms). */
  enteredSince?: number;
  /** first_failed_at < enteredUntil (ms). */
  enteredUntil?: number;
  accountId?: string;
}

export interface Page {
  /** Default 1000. */
  limit?: number;
  /** Keyset pagination: return ids greater than this. */
  afterId?: number;
}

export interface CasesRepo {
  upsert(input: CaseUpsert): { id: number; inserted: boolean };
  get(id: number): Case | undefined;
  /** Invoice ids are unique across Stripe; pass the account to be exact in Connect scope. */
  getByInvoice(invoiceId: string, accountId?: string): Case | undefined;
  /** The cases of these invoices of one account, by invoice id (one query for a whole page). */
  getByInvoices(accountId: string, invoiceIds: readonly string[]): Map<string, Case>;
  listByStatus(status: CaseStatus, page?: Page): Case[];
  listByCustomer(customerId: string, opts?: { accountId?: string; activeOnly?: boolean }): Case[];
  /** Active cases whose dunning deadline is <= now, oldest deadline first. */
  listPastDeadline(now: number, limit: number): Case[];
  /** Most recently recovered first (report feed). */
  listRecentlyRecovered(limit: number): Case[];
  /** Streams cases by entry time (first failure) for reports; memory stays flat. */
  iterate(filter?: CaseFilter): IterableIterator<Case>;
  countsByStatus(): Record<CaseStatus, number>;
  /** Cases by platform and status (`recover status` shows platforms apart and together). */
  countsByPlatform(): Partial<Record<Platform, Partial<Record<CaseStatus, number>>>>;
  count(): number;
  /** Changes the given fields; returns false if the case does not exist. */
  update(id: number, patch: CasePatch): boolean;
  setStatus(id: number, status: Exclude<CaseStatus, 'recovered'>, opts?: SetStatusOptions): boolean;
  /** Marks recovered unless it already is; returns false if nothing changed. */
  markRecovered(id: number, r: { at: number; by: RecoveredBy; amount: number }): boolean;
}

const TERMINAL = sqlList(TERMINAL_CASE_STATUSES);
const UPSERT_FIELDS = [
  'accountId', 'invoiceId', 'customerId', 'subscriptionId', 'paymentMethodId', 'cardFingerprint', 'amountDue',
  'currency', 'status', 'arm', 'source', 'billingReason', 'invoiceCreatedAt', 'firstFailedAt', 'dunningDeadline',
  'stripeAttemptCount', 'lastFailedAt', 'lastDeclineCode', 'lastAdviceCode', 'lastNetworkAdviceCode',
  'lastNetworkDeclineCode', 'lastChargeId', 'customerTimezone', 'customerCountry', 'cardBrand', 'cardFunding',
  'cardCountry', 'pausedStripe', 'platform',
] as const satisfies readonly (keyof Case)[];
const PAUSED = UPSERT_FIELDS.indexOf('pausedStripe');
const ATTEMPT_COUNT = UPSERT_FIELDS.indexOf('stripeAttemptCount');
const PLATFORM = UPSERT_FIELDS.indexOf('platform');

export function createCasesRepo(db: Db, now: () => number): CasesRepo {
  const from = `FROM cases c`;
  // Insert-or-refresh as two statements rather than one INSERT … ON CONFLICT DO UPDATE …
  // RETURNING: RETURNING more than doubles the cost of an insert (1M-case imports), and a
  // conflict-free insert tells us both the id (lastInsertRowid) and that it was new. If the
  // insert hits the (platform, account, invoice) key, the row exists, and the refresh UPDATE applies
  // to it; no transaction is needed between the two.
  // Positional parameters: binding ~30 named ones costs more than the insert itself.
  const insert = db.prepare<unknown[]>(
    `INSERT INTO cases (${UPSERT_FIELDS.map((f) => COLUMNS[f]).join(', ')}, ended_at, created_at, updated_at)
     VALUES (${UPSERT_FIELDS.map(() => '?').join(', ')}, ?, ?, ?)
     ON CONFLICT (platform, account_id, invoice_id) DO NOTHING`,
  );
  // The last decline is replaced only by one at least as recent (sources arrive out of order).
  const newer = `(:lastFailedAt IS NOT NULL AND (last_failed_at IS NULL OR :lastFailedAt >= last_failed_at))`;
  const lastDecline = (['lastDeclineCode', 'lastAdviceCode', 'lastNetworkAdviceCode', 'lastNetworkDeclineCode', 'lastChargeId', 'lastFailedAt'] as const)
    .map((f) => `${COLUMNS[f]} = CASE WHEN ${newer} THEN :${f} ELSE ${COLUMNS[f]} END`)
    .join(',\n       ');
  // Facts Stripe may add later; an absent (null) fact keeps what is stored.
  const keep = (['subscriptionId', 'paymentMethodId', 'cardFingerprint', 'billingReason', 'customerTimezone', 'customerCountry', 'cardBrand', 'cardFunding', 'cardCountry'] as const)
    .map((f) => `${COLUMNS[f]} = coalesce(:${f}, ${COLUMNS[f]})`)
    .join(',\n       ');
  const refresh = db.prepare<Record<string, unknown>>(
    `UPDATE cases SET
       amount_due = :amountDue,
       currency = :currency,
       first_failed_at = min(first_failed_at, :firstFailedAt),
       ${keep},
       ${lastDecline},
       upserts = upserts + 1,
       updated_at = :now
     WHERE platform = :platform AND account_id = :accountId AND invoice_id = :invoiceId`,
  );
  const idOf = db
    .prepare<[string, string, string], number>(
      `SELECT id FROM cases WHERE platform = ? AND account_id = ? AND invoice_id = ?`,
    )
    .pluck();
  const get = db.prepare<[number], CaseRow>(`SELECT ${CASE_SELECT} ${from} WHERE c.id = ?`);
  const byInvoice = db.prepare<[string], CaseRow>(`SELECT ${CASE_SELECT} ${from} WHERE c.invoice_id = ? ORDER BY c.id LIMIT 1`);
  const byAccountInvoice = db.prepare<[string, string], CaseRow>(
    `SELECT ${CASE_SELECT} ${from} WHERE c.account_id = ? AND c.invoice_id = ?`,
  );
  const byAccountInvoices = db.prepare<[string, string], CaseRow>(
    `SELECT ${CASE_SELECT} ${from} WHERE c.account_id = ? AND c.invoice_id IN (SELECT value FROM json_each(?))`,
  );
  const byStatus = db.prepare<[string, number, number], CaseRow>(
    `SELECT ${CASE_SELECT} ${from} WHERE c.status = ? AND c.id > ? ORDER BY c.id LIMIT ?`,
  );
  const byCustomer = db.prepare<{ customerId: string; accountId: string | null; activeOnly: 0 | 1 }, CaseRow>(
    `SELECT ${CASE_SELECT} ${from} WHERE c.customer_id = :customerId
       AND (:accountId IS NULL OR c.account_id = :accountId)
       AND (:activeOnly = 0 OR c.ended_at IS NULL)
     ORDER BY c.id`,
  );
  const pastDeadline = db.prepare<[number, number], CaseRow>(
    `SELECT ${CASE_SELECT} ${from} INDEXED BY cases_deadline
     WHERE c.ended_at IS NULL AND c.dunning_deadline <= ? ORDER BY c.dunning_deadline, c.id LIMIT ?`,
  );
  const recentlyRecovered = db.prepare<[number], CaseRow>(
    `SELECT ${CASE_SELECT} ${from} INDEXED BY cases_recovered
     WHERE c.recovered_at IS NOT NULL ORDER BY c.recovered_at DESC, c.id DESC LIMIT ?`,
  );
  const iterate = db.prepare<{ since: number; until: number; accountId: string | null }, CaseRow>(
    `SELECT ${CASE_SELECT} ${from}
     WHERE c.first_failed_at >= :since AND c.first_failed_at < :until
       AND (:accountId IS NULL OR c.account_id = :accountId)
     ORDER BY c.first_failed_at, c.id`,
  );
  const counts = db.prepare<[], { status: CaseStatus; n: number }>(`SELECT status, count(*) AS n FROM cases GROUP BY status`);
  const byPlatform = db.prepare<[], { platform: Platform; status: CaseStatus; n: number }>(
    `SELECT platform, status, count(*) AS n FROM cases GROUP BY platform, status`,
  );
  const countAll = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM cases`);
  const setStatus = db.prepare<{ id: number; status: string; at: number; closedReason: string | null; hasReason: 0 | 1; onlyFrom: string | null; now: number }>(
    `UPDATE cases SET
       status = :status,
       ended_at = CASE WHEN :status IN (${TERMINAL}) THEN coalesce(ended_at, :at) END,
       closed_reason = CASE WHEN :hasReason THEN :closedReason ELSE closed_reason END,
       updated_at = :now
     WHERE id = :id AND (:onlyFrom IS NULL OR status IN (SELECT value FROM json_each(:onlyFrom)))`,
  );
  const markRecovered = db.prepare<{ id: number; at: number; by: string; amount: number; now: number }>(
    `UPDATE cases SET status = 'recovered', recovered_at = :at, recovered_by = :by, recovered_amount = :amount,
       ended_at = coalesce(ended_at, :at), updated_at = :now
     WHERE id = :id AND status <> 'recovered'`,
  );
  // Prepared on first use per distinct set of patched fields, then reused.
  const patchStatements = new Map<string, ReturnType<Db['prepare']>>();

  function fromRow(row: CaseRow | undefined): Case | undefined {
    return row ? caseFromRow(row) : undefined;
  }

  return {
    upsert(input) {
      const t = now();
      const values: unknown[] = UPSERT_FIELDS.map((f) => orNull(input[f]));
      values[PAUSED] = bit(input.pausedStripe ?? false);
      values[ATTEMPT_COUNT] = input.stripeAttemptCount ?? 0;
      values[PLATFORM] = input.platform ?? 'stripe';
      values.push(isTerminalStatus(input.status) ? t : null, t, t); // ended_at, created_at, updated_at
      const ins = insert.run(values);
      if (ins.changes === 1) return { id: Number(ins.lastInsertRowid), inserted: true };
      const params: Record<string, unknown> = { now: t };
      UPSERT_FIELDS.forEach((f, i) => (params[f] = values[i]));
      refresh.run(params);
      const id = idOf.get(input.platform ?? 'stripe', input.accountId, input.invoiceId);
      if (id === undefined) throw new Error(`upsert of invoice ${input.invoiceId} found no row`);
      return { id, inserted: false };
    },
    get: (id) => fromRow(get.get(id)),
    getByInvoice: (invoiceId, accountId) =>
      fromRow(accountId === undefined ? byInvoice.get(invoiceId) : byAccountInvoice.get(accountId, invoiceId)),
    getByInvoices(accountId, invoiceIds) {
      const found = new Map<string, Case>();
      if (invoiceIds.length === 0) return found;
      for (const row of byAccountInvoices.all(accountId, JSON.stringify(invoiceIds))) {
        const c = caseFromRow(row);
        found.set(c.invoiceId, c);
      }
      return found;
    },
    listByStatus: (status, page = {}) => byStatus.all(status, page.afterId ?? 0, page.limit ?? 1000).map(caseFromRow),
    listByCustomer: (customerId, opts = {}) =>
      byCustomer.all({ customerId, accountId: opts.accountId ?? null, activeOnly: opts.activeOnly ? 1 : 0 }).map(caseFromRow),
    listPastDeadline: (t, limit) => pastDeadline.all(t, limit).map(caseFromRow),
    listRecentlyRecovered: (limit) => recentlyRecovered.all(limit).map(caseFromRow),
    *iterate(filter = {}) {
      const rows = iterate.iterate({
        since: filter.enteredSince ?? Number.MIN_SAFE_INTEGER,
        until: filter.enteredUntil ?? Number.MAX_SAFE_INTEGER,
        accountId: filter.accountId ?? null,
      });
      for (const row of rows) yield caseFromRow(row);
    },
    countsByStatus() {
      const out = Object.fromEntries(CASE_STATUSES.map((s) => [s, 0])) as Record<CaseStatus, number>;
      for (const r of counts.all()) out[r.status] = r.n;
      return out;
    },
    countsByPlatform() {
      const out: Partial<Record<Platform, Partial<Record<CaseStatus, number>>>> = {};
      for (const r of byPlatform.all()) (out[r.platform] ??= {})[r.status] = r.n;
      return out;
    },
    count: () => countAll.get()?.n ?? 0,
    update(id, patch) {
      const keys = Object.keys(patch).filter((k) => patch[k as keyof CasePatch] !== undefined).sort();
      for (const k of keys) if (!PATCHABLE.has(k)) throw new Error(`cases.update: ${k} cannot be changed this way`);
      const sig = keys.join(',');
      let stmt = patchStatements.get(sig);
      if (!stmt) {
        const sets = keys.map((k) => `${COLUMNS[k as keyof Case]} = :${k}`);
        stmt = db.prepare(`UPDATE cases SET ${[...sets, 'updated_at = :now'].join(', ')} WHERE id = :id`);
        patchStatements.set(sig, stmt);
      }
      const params: Record<string, unknown> = { id, now: now() };
      for (const k of keys) {
        const v = patch[k as keyof CasePatch];
        params[k] = typeof v === 'boolean' ? bit(v) : v;
      }
      return stmt.run(params).changes > 0;
    },
    setStatus(id, status, opts = {}) {
      const t = now();
      const hasReason = opts.closedReason !== undefined;
      return (
        setStatus.run({
          id,
          status,
          at: opts.at ?? t,
          closedReason: opts.closedReason ?? null,
          hasReason: hasReason ? 1 : 0,
          onlyFrom: opts.onlyFrom ? JSON.stringify(opts.onlyFrom) : null,
          now: t,
        }).changes > 0
      );
    },
    markRecovered: (id, r) => markRecovered.run({ id, at: r.at, by: r.by, amount: r.amount, now: now() }).changes > 0,
  };
}
