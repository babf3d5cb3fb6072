/**
 * Card facts and the per-card attempt log behind the card-network caps (Visa: attempts in 30
 * days; Mastercard: declines in 24 h, and per card and amount in 30 days), counted across all
 * of a card's invoices. Windows are half-open, (now - window, now]: an attempt exactly 24 h
 * old no longer counts in the 24 h window, one at `now` does.
 */
import { DAY_MS } from '../clock.js';
import { bit, orNull, selectList, type ColumnMap, type Db } from './columns.js';
import type { CardFunding } from './types.js';

export interface Card {
  fingerprint: string;
  brand: string | null;
  funding: CardFunding | null;
  country: string | null;
  firstSeen: number;
  lastSeen: number;
}

export interface CardFacts {
  fingerprint: string;
  brand?: string | null;
  funding?: CardFunding | null;
  country?: string | null;
}

export interface CardAttempt {
  fingerprint: string;
  at: number;
  amount: number;
  currency: string;
  declined: boolean;
  declineCode?: string | null;
  networkAdviceCode?: string | null;
  /** Pass whenever known: the same charge is counted once however often it is reported. */
  chargeId?: string | null;
  attemptId?: number | null;
}

export interface CardAttemptCounts {
  attempts24h: number;
  declines24h: number;
  attempts30d: number;
  declines30d: number;
  /** Same card, same amount and currency, last 30 days (Mastercard's excessive-retry rule). */
  attemptsSameAmount30d: number;
  declinesSameAmount30d: number;
}

const COLUMNS: ColumnMap<Card> = {
  fingerprint: 'fingerprint',
  brand: 'brand',
  funding: 'funding',
  country: 'country',
  firstSeen: 'first_seen',
  lastSeen: 'last_seen',
};

export interface CardsRepo {
  /** Inserts or refreshes the card's facts (absent facts keep what is stored); `at` = seen at. */
  upsert(card: CardFacts, at: number): void;
  get(fingerprint: string): Card | undefined;
  /** Logs an attempt on the card (creating the card row if needed); false if already logged. */
  recordAttempt(attempt: CardAttempt): boolean;
  attemptCounts(fingerprint: string, now: number, amount: number, currency: string): CardAttemptCounts;
}

export function createCardsRepo(db: Db): CardsRepo {
  const upsert = db.prepare<{ fingerprint: string; brand: string | null; funding: string | null; country: string | null; at: number }>(
    `INSERT INTO cards (fingerprint, brand, funding, country, first_seen, last_seen)
     VALUES (:fingerprint, :brand, :funding, :country, :at, :at)
     ON CONFLICT (fingerprint) DO UPDATE SET
       brand = coalesce(excluded.brand, brand), funding = coalesce(excluded.funding, funding),
       country = coalesce(excluded.country, country),
       first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`,
  );
  const get = db.prepare<[string], Card>(`SELECT ${selectList(COLUMNS)} FROM cards WHERE fingerprint = ?`);
  const insertAttempt = db.prepare<Record<string, unknown>>(
    `INSERT INTO card_attempts (fingerprint, at, amount, currency, declined, decline_code, network_advice_code, charge_id, attempt_id)
     VALUES (:fingerprint, :at, :amount, :currency, :declined, :declineCode, :networkAdviceCode, :chargeId, :attemptId)
     ON CONFLICT DO NOTHING`,
  );
  // One range scan over the card's last 30 days on (fingerprint, at).
  const counts = db.prepare<{ fingerprint: string; now: number; since24h: number; since30d: number; amount: number; currency: string }, Record<keyof CardAttemptCounts, number | null>>(
    `SELECT
       sum(at > :since24h) AS attempts24h,
       sum(at > :since24h AND declined) AS declines24h,
       count(*) AS attempts30d,
       sum(declined) AS declines30d,
       sum(amount = :amount AND currency = :currency) AS attemptsSameAmount30d,
       sum(amount = :amount AND currency = :currency AND declined) AS declinesSameAmount30d
     FROM card_attempts INDEXED BY card_attempts_window
     WHERE fingerprint = :fingerprint AND at > :since30d AND at <= :now`,
  );
  const recordTx = db.transaction((a: CardAttempt): boolean => {
    upsert.run({ fingerprint: a.fingerprint, brand: null, funding: null, country: null, at: a.at });
    return (
      insertAttempt.run({
        fingerprint: a.fingerprint,
        at: a.at,
        amount: a.amount,
        currency: a.currency,
        declined: bit(a.declined),
        declineCode: orNull(a.declineCode),
        networkAdviceCode: orNull(a.networkAdviceCode),
        chargeId: orNull(a.chargeId),
        attemptId: orNull(a.attemptId),
      }).changes === 1
    );
  });
  return {
    upsert: (c, at) =>
      void upsert.run({ fingerprint: c.fingerprint, brand: orNull(c.brand), funding: orNull(c.funding), country: orNull(c.country), at }),
    get: (fingerprint) => get.get(fingerprint),
    recordAttempt: (a) => recordTx.immediate(a),
    attemptCounts(fingerprint, now, amount, currency) {
      const r = counts.get({ fingerprint, now, since24h: now - DAY_MS, since30d: now - 30 * DAY_MS, amount, currency });
      return {
        attempts24h: r?.attempts24h ?? 0,
        declines24h: r?.declines24h ?? 0,
        attempts30d: r?.attempts30d ?? 0,
        declines30d: r?.declines30d ?? 0,
        attemptsSameAmount30d: r?.attemptsSameAmount30d ?? 0,
        declinesSameAmount30d: r?.declinesSameAmount30d ?? 0,
      };
    },
  };
}
