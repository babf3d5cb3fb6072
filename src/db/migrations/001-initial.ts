import type { Migration } from './migration.js';

/**
 * Core tables: configuration, accounts, the cases and their attempts, the webhook inbox, the
 * decision log, import cursors, counters. All times are UTC epoch milliseconds (INTEGER), all
 * money integer minor units with a lower-case ISO currency. STRICT tables reject values of the
 * wrong type (a fractional amount, a string time) instead of silently storing them.
 */
export const m001Initial: Migration = {
  version: 1,
  name: 'initial',
  up: /* sql */ `
CREATE TABLE settings (
  id         INTEGER PRIMARY KEY CHECK (id = 1),          -- a single row
  json       TEXT    NOT NULL CHECK (json_valid(json)),   -- validated by settingsSchema in code
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE secrets (
  name       TEXT PRIMARY KEY CHECK (name <> ''),
  value      TEXT NOT NULL CHECK (value <> ''),
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE accounts (
  id          TEXT PRIMARY KEY CHECK (id = 'self' OR id GLOB 'acct_?*'),
  environment TEXT NOT NULL CHECK (environment IN ('test','live')),
  kind        TEXT NOT NULL CHECK (kind IN ('main','connected')),
  name        TEXT,
  added_at    INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  CHECK (kind = 'main' OR id <> 'self')
) STRICT;

CREATE TABLE cases (
  id                        INTEGER PRIMARY KEY,
  account_id                TEXT    NOT NULL REFERENCES accounts(id),
  invoice_id                TEXT    NOT NULL CHECK (invoice_id <> ''),
  customer_id               TEXT    NOT NULL CHECK (customer_id <> ''),
  subscription_id           TEXT,
  payment_method_id         TEXT,
  card_fingerprint          TEXT,
  amount_due                INTEGER NOT NULL CHECK (amount_due >= 0),
  currency                  TEXT    NOT NULL CHECK (length(currency) = 3 AND currency = lower(currency)),
  status                    TEXT    NOT NULL CHECK (status IN ('in_dunning','waiting_card_update','needs_customer_action','observing','recovered','lost','hard_declined','closed')),
  arm                       TEXT    NOT NULL CHECK (arm IN ('treatment','control')),
  source                    TEXT    NOT NULL CHECK (source IN ('takeover','webhook','reconciler')),
  billing_reason            TEXT,
  invoice_created_at        INTEGER NOT NULL,
  first_failed_at           INTEGER NOT NULL,
  dunning_deadline          INTEGER NOT NULL,
  stripe_attempt_count      INTEGER NOT NULL DEFAULT 0 CHECK (stripe_attempt_count >= 0),
  last_failed_at            INTEGER,
  last_decline_code         TEXT,
  last_advice_code          TEXT,
  last_network_advice_code  TEXT,
  last_network_decline_code TEXT,
  last_charge_id            TEXT,
  customer_timezone         TEXT,
  customer_country          TEXT,
  card_brand                TEXT,
  card_funding              TEXT CHECK (card_funding IN ('credit','debit','prepaid','unknown')),
  card_country              TEXT,
  paused_stripe             INTEGER NOT NULL DEFAULT 0 CHECK (paused_stripe IN (0,1)),
  recovered_at              INTEGER,
  recovered_by              TEXT CHECK (recovered_by IN ('recover','customer','stripe')),
  recovered_amount          INTEGER CHECK (recovered_amount >= 0),
  ended_at                  INTEGER,
  closed_reason             TEXT,
  upserts                   INTEGER NOT NULL DEFAULT 1,  -- 1 on insert, +1 per re-import
  created_at                INTEGER NOT NULL,
  updated_at                INTEGER NOT NULL,
  UNIQUE (account_id, invoice_id),
  CHECK (status <> 'recovered' OR (recovered_at IS NOT NULL AND recovered_by IS NOT NULL AND recovered_amount IS NOT NULL)),
  CHECK ((status IN ('recovered','lost','hard_declined','closed')) = (ended_at IS NOT NULL))
) STRICT;
CREATE INDEX cases_invoice   ON cases(invoice_id);
CREATE INDEX cases_customer  ON cases(customer_id, account_id);
CREATE INDEX cases_status    ON cases(status);
CREATE INDEX cases_entered   ON cases(first_failed_at);
CREATE INDEX cases_deadline  ON cases(dunning_deadline) WHERE ended_at IS NULL;
CREATE INDEX cases_recovered ON cases(recovered_at) WHERE recovered_at IS NOT NULL;

CREATE TABLE attempts (
  id                   INTEGER PRIMARY KEY,
  case_id              INTEGER NOT NULL REFERENCES cases(id),
  n                    INTEGER NOT NULL CHECK (n >= 1),       -- attempt number within the case
  made_by              TEXT    NOT NULL CHECK (made_by IN ('recover','stripe','customer')),
  scheduled_at         INTEGER NOT NULL,
  claimed_until        INTEGER,                               -- lease expiry
  claimed_by           TEXT,
  tries                INTEGER NOT NULL DEFAULT 0,            -- times markStarted ran (crash loops show here)
  started_at           INTEGER,
  finished_at          INTEGER,
  outcome              TEXT CHECK (outcome IN ('succeeded','declined','skipped','error','shadow','canceled')),
  decline_code         TEXT,
  advice_code          TEXT,
  network_advice_code  TEXT,
  network_decline_code TEXT,
  charge_id            TEXT,
  amount               INTEGER CHECK (amount >= 0),
  currency             TEXT CHECK (length(currency) = 3 AND currency = lower(currency)),
  idempotency_key      TEXT UNIQUE,
  note                 TEXT,
  created_at           INTEGER NOT NULL,
  UNIQUE (case_id, n),
  CHECK ((claimed_until IS NULL) = (claimed_by IS NULL)),
  CHECK ((finished_at IS NULL) = (outcome IS NULL)),
  CHECK (made_by <> 'recover' OR idempotency_key IS NOT NULL),
  CHECK (made_by = 'recover' OR finished_at IS NOT NULL)      -- only our own attempts are ever pending
) STRICT;
-- The scheduler's "what is due" index: unfinished attempts by due time. Entries leave it when
-- the attempt finishes, so its size is the backlog, not the history. Rowid (= id) ends every
-- index entry, so ORDER BY scheduled_at, id is read straight from it.
CREATE INDEX attempts_due ON attempts(scheduled_at) WHERE finished_at IS NULL;
-- Leases currently held, for "when does a lease expire next" (crashed daemon recovery).
CREATE INDEX attempts_leases ON attempts(claimed_until) WHERE finished_at IS NULL AND claimed_until IS NOT NULL;
-- At most one pending attempt per case: a second scheduled retry is a bug, not a feature.
CREATE UNIQUE INDEX attempts_one_pending ON attempts(case_id) WHERE finished_at IS NULL;
CREATE INDEX attempts_in_flight ON attempts(started_at) WHERE finished_at IS NULL AND started_at IS NOT NULL;
CREATE INDEX attempts_charge ON attempts(charge_id) WHERE charge_id IS NOT NULL;

CREATE TABLE events (
  id           TEXT PRIMARY KEY CHECK (id GLOB 'evt_?*'),
  type         TEXT    NOT NULL CHECK (type <> ''),
  account_id   TEXT,                    -- Connect: the event's account; NULL for the main account
  object_id    TEXT,                    -- what the event is ordered by (e.g. the invoice id)
  created      INTEGER NOT NULL,        -- Stripe's created, converted to ms
  raw          TEXT    NOT NULL,        -- the verified body, byte for byte
  received_at  INTEGER NOT NULL,
  processed_at INTEGER,
  error        TEXT,
  attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0)
) STRICT;
CREATE INDEX events_unprocessed ON events(created, received_at) WHERE processed_at IS NULL;
CREATE INDEX events_object ON events(object_id, created) WHERE object_id IS NOT NULL;

CREATE TABLE decisions (
  id         INTEGER PRIMARY KEY,
  case_id    INTEGER NOT NULL REFERENCES cases(id),
  at         INTEGER NOT NULL,
  action     TEXT    NOT NULL CHECK (action IN ('retry','stop','skip','wait','observe','end','note')),
  retry_at   INTEGER,
  kind       TEXT,
  reason     TEXT    NOT NULL CHECK (reason <> ''),
  attempt_id INTEGER REFERENCES attempts(id),
  inputs     TEXT CHECK (inputs IS NULL OR json_valid(inputs)),
  CHECK ((action = 'retry') = (retry_at IS NOT NULL))
) STRICT;
CREATE INDEX decisions_case ON decisions(case_id, at);
CREATE INDEX decisions_attempt ON decisions(attempt_id) WHERE attempt_id IS NOT NULL;  -- FK child key

CREATE TABLE cursors (
  account_id TEXT NOT NULL,
  name       TEXT NOT NULL CHECK (name <> ''),
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, name)
) STRICT, WITHOUT ROWID;

CREATE TABLE counters (
  name       TEXT PRIMARY KEY CHECK (name <> ''),
  value      INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE meta (
  key        TEXT PRIMARY KEY CHECK (key <> ''),
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`,
};
