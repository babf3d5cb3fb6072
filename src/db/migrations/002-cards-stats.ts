import type { Migration } from './migration.js';

/**
 * Card facts and per-card attempt log (card-network caps are counted per card fingerprint
 * across all of its invoices), and the policy's learned Beta-Binomial counts.
 */
export const m002CardsStats: Migration = {
  version: 2,
  name: 'cards-and-learned-stats',
  up: /* sql */ `
CREATE TABLE cards (
  fingerprint TEXT PRIMARY KEY CHECK (fingerprint <> ''),
  brand       TEXT,
  funding     TEXT CHECK (funding IN ('credit','debit','prepaid','unknown')),
  country     TEXT,
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE card_attempts (
  id                  INTEGER PRIMARY KEY,
  fingerprint         TEXT    NOT NULL REFERENCES cards(fingerprint),
  at                  INTEGER NOT NULL,
  amount              INTEGER NOT NULL CHECK (amount >= 0),
  currency            TEXT    NOT NULL CHECK (length(currency) = 3 AND currency = lower(currency)),
  declined            INTEGER NOT NULL CHECK (declined IN (0,1)),
  decline_code        TEXT,
  network_advice_code TEXT,
  charge_id           TEXT,
  attempt_id          INTEGER REFERENCES attempts(id)
) STRICT;
-- Window counts: a range scan over one card's last 30 days.
CREATE INDEX card_attempts_window ON card_attempts(fingerprint, at);
-- The same charge or attempt is counted once, however often it is reported.
CREATE UNIQUE INDEX card_attempts_charge ON card_attempts(charge_id) WHERE charge_id IS NOT NULL;
CREATE UNIQUE INDEX card_attempts_attempt ON card_attempts(attempt_id) WHERE attempt_id IS NOT NULL;

CREATE TABLE learned_stats (
  key        TEXT PRIMARY KEY CHECK (key <> ''),
  successes  INTEGER NOT NULL DEFAULT 0 CHECK (successes >= 0),
  failures   INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`,
};
