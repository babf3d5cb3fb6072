/**
 * Scratch space for `recover takeover`, so Stripe lists can be joined locally (one lookup per
 * object instead of one Stripe call) while memory stays flat however many objects there are:
 *
 * - what the PaymentIntents of the dunning window say (status, last failed charge), joined to
 *   the open invoices by PaymentIntent id;
 * - which invoice each PaymentIntent pays (from the invoice payments), so `--history` charges,
 *   which no longer name their invoice in this API version, are stored with it.
 *
 * TEMP tables: private to this connection, gone when it closes, and never written to the
 * database file — a `takeover --dry-run` stages too and must leave the file byte-identical.
 * Created on first use, so other commands never see them.
 */
import type { Db } from './columns.js';

export interface StagedDecline {
  accountId: string;
  paymentIntentId: string;
  /** The last charge, when there is one. */
  chargeId: string | null;
  /** When it happened (the charge's, else the PaymentIntent's created), epoch ms. */
  at: number;
  /** The caller's facts (opaque JSON to this module). */
  facts: unknown;
}

export interface StagedIntentInvoice {
  accountId: string;
  paymentIntentId: string;
  invoiceId: string;
}

export interface TakeoverStagingRepo {
  /** Empties both tables (start of a run). */
  clear(): void;
  /**
   * Stores each row unless a newer one (or an equally old one staged earlier) is already staged
   * for its PaymentIntent. One transaction per call.
   */
  addMany(rows: readonly StagedDecline[]): void;
  /** The staged facts for a PaymentIntent, or undefined. */
  get(accountId: string, paymentIntentId: string): unknown;
  /** The staged facts of these PaymentIntents of one account, by id (one query for a whole page). */
  getMany(accountId: string, paymentIntentIds: readonly string[]): Map<string, unknown>;
  count(): number;
  /** PaymentIntent → invoice pairs (first one wins). One transaction per call. */
  addIntentInvoices(rows: readonly StagedIntentInvoice[]): void;
  invoiceOfIntent(accountId: string, paymentIntentId: string): string | undefined;
}

export function createTakeoverStagingRepo(db: Db): TakeoverStagingRepo {
  let prepared: ReturnType<typeof prepare> | undefined;
  function prepare() {
    // The temp database gets its own page cache (16 MB by default in this build): 2 MB is plenty
    // for point lookups, and keeps takeover's memory flat however much it stages.
    db.pragma('temp.cache_size = -2000');
    // And the main database's cache of this connection (32 MiB by open.ts) to 8 MiB: a takeover
    // writes each case once and looks it up once, so the cache buys little and would be a fifth
    // of the takeover's peak RSS (target 150 MiB at 100,000 invoices: `npm run bench -- takeover`).
    db.pragma('main.cache_size = -8192');
    db.exec(
      `CREATE TEMP TABLE IF NOT EXISTS takeover_last_decline (
         account_id     TEXT    NOT NULL,
         payment_intent TEXT    NOT NULL,
         charge_id      TEXT,
         at             INTEGER NOT NULL,
         facts          TEXT    NOT NULL,
         PRIMARY KEY (account_id, payment_intent)
       ) WITHOUT ROWID;
       CREATE TEMP TABLE IF NOT EXISTS takeover_intent_invoice (
         account_id     TEXT NOT NULL,
         payment_intent TEXT NOT NULL,
         invoice_id     TEXT NOT NULL,
         PRIMARY KEY (account_id, payment_intent)
       ) WITHOUT ROWID;`,
    );
    const upsert = db.prepare<[string, string, string | null, number, string]>(
      `INSERT INTO temp.takeover_last_decline (account_id, payment_intent, charge_id, at, facts) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account_id, payment_intent) DO UPDATE SET charge_id = excluded.charge_id, at = excluded.at, facts = excluded.facts
       WHERE excluded.at > takeover_last_decline.at`,
    );
    const pair = db.prepare<[string, string, string]>(
      `INSERT INTO temp.takeover_intent_invoice (account_id, payment_intent, invoice_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    const clearDeclines = db.prepare(`DELETE FROM temp.takeover_last_decline`);
    const clearPairs = db.prepare(`DELETE FROM temp.takeover_intent_invoice`);
    return {
      clear: () => {
        clearDeclines.run();
        clearPairs.run();
      },
      // Deferred transactions over temp tables only: they take no lock on the main database.
      addMany: db.transaction((rows: readonly StagedDecline[]) => {
        for (const r of rows) upsert.run(r.accountId, r.paymentIntentId, r.chargeId, r.at, JSON.stringify(r.facts));
      }),
      addPairs: db.transaction((rows: readonly StagedIntentInvoice[]) => {
        for (const r of rows) pair.run(r.accountId, r.paymentIntentId, r.invoiceId);
      }),
      get: db.prepare<[string, string], string>(`SELECT facts FROM temp.takeover_last_decline WHERE account_id = ? AND payment_intent = ?`).pluck(),
      getMany: db.prepare<[string, string], { id: string; facts: string }>(
        `SELECT payment_intent AS id, facts FROM temp.takeover_last_decline
         WHERE account_id = ? AND payment_intent IN (SELECT value FROM json_each(?))`,
      ),
      invoiceOf: db
        .prepare<[string, string], string>(`SELECT invoice_id FROM temp.takeover_intent_invoice WHERE account_id = ? AND payment_intent = ?`)
        .pluck(),
      count: db.prepare<[], number>(`SELECT count(*) FROM temp.takeover_last_decline`).pluck(),
    };
  }
  const s = () => (prepared ??= prepare());
  return {
    clear: () => s().clear(),
    addMany: (rows) => s().addMany(rows),
    get(accountId, paymentIntentId) {
      const text = s().get.get(accountId, paymentIntentId);
      return text === undefined ? undefined : (JSON.parse(text) as unknown);
    },
    getMany(accountId, paymentIntentIds) {
      const found = new Map<string, unknown>();
      if (paymentIntentIds.length === 0) return found;
      for (const r of s().getMany.all(accountId, JSON.stringify(paymentIntentIds))) {
        found.set(r.id, JSON.parse(r.facts) as unknown);
      }
      return found;
    },
    count: () => s().count.get() ?? 0,
    addIntentInvoices: (rows) => s().addPairs(rows),
    invoiceOfIntent: (accountId, paymentIntentId) => s().invoiceOf.get(accountId, paymentIntentId),
  };
}
