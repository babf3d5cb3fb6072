/**
 * Scratch space for `recover takeover`: what the PaymentIntents of the dunning window say (status
 * and last failed charge), so the invoice pages can be joined to their last decline locally
 * (one lookup per invoice instead of one Stripe call) while memory stays flat however many
 * there are.
 *
 * It is a TEMP table: private to this connection, gone when it closes, and never written to
 * the database file — a `takeover --dry-run` stages too and must leave the file
 * byte-identical. It is created on first use, so other commands never see it.
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

export interface TakeoverStagingRepo {
  /** Empties the table (start of a run). */
  clear(): void;
  /**
   * Stores each row unless a newer one (or an equally old one staged earlier) is already staged
   * for its PaymentIntent. One transaction per call.
   */
  addMany(rows: readonly StagedDecline[]): void;
  /** The staged facts for a PaymentIntent, or undefined. */
  get(accountId: string, paymentIntentId: string): unknown;
  count(): number;
}

export function createTakeoverStagingRepo(db: Db): TakeoverStagingRepo {
  let prepared: ReturnType<typeof prepare> | undefined;
  function prepare() {
    // The temp database gets its own page cache (16 MB by default in this build): 2 MB is plenty
    // for point lookups, and keeps takeover's memory flat however many PaymentIntents it stages.
    db.pragma('temp.cache_size = -2000');
    db.exec(
      `CREATE TEMP TABLE IF NOT EXISTS takeover_last_decline (
         account_id     TEXT    NOT NULL,
         payment_intent TEXT    NOT NULL,
         charge_id      TEXT,
         at             INTEGER NOT NULL,
         facts          TEXT    NOT NULL,
         PRIMARY KEY (account_id, payment_intent)
       ) WITHOUT ROWID`,
    );
    const upsert = db.prepare<[string, string, string | null, number, string]>(
      `INSERT INTO temp.takeover_last_decline (account_id, payment_intent, charge_id, at, facts) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account_id, payment_intent) DO UPDATE SET charge_id = excluded.charge_id, at = excluded.at, facts = excluded.facts
       WHERE excluded.at > takeover_last_decline.at`,
    );
    return {
      clear: db.prepare(`DELETE FROM temp.takeover_last_decline`),
      // A deferred transaction over the temp table only: it takes no lock on the main database.
      addMany: db.transaction((rows: readonly StagedDecline[]) => {
        for (const r of rows) upsert.run(r.accountId, r.paymentIntentId, r.chargeId, r.at, JSON.stringify(r.facts));
      }),
      get: db.prepare<[string, string], string>(`SELECT facts FROM temp.takeover_last_decline WHERE account_id = ? AND payment_intent = ?`).pluck(),
      count: db.prepare<[], number>(`SELECT count(*) FROM temp.takeover_last_decline`).pluck(),
    };
  }
  const s = () => (prepared ??= prepare());
  return {
    clear: () => void s().clear.run(),
    addMany: (rows) => s().addMany(rows),
    get(accountId, paymentIntentId) {
      const text = s().get.get(accountId, paymentIntentId);
      return text === undefined ? undefined : (JSON.parse(text) as unknown);
    },
    count: () => s().count.get() ?? 0,
  };
}
