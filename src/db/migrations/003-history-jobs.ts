import type { Migration } from './migration.js';

/**
 * `takeover --history` charges, and crash-safe scheduled jobs (end-of-dunning actions such as
 * a cancel-after-delay).
 */
export const m003HistoryJobs: Migration = {
  version: 3,
  name: 'history-and-jobs',
  up: /* sql */ `
CREATE TABLE history_charges (
  id                   TEXT PRIMARY KEY CHECK (id <> ''),   -- Stripe charge id
  account_id           TEXT    NOT NULL,
  customer_id          TEXT,
  invoice_id           TEXT,
  payment_intent_id    TEXT,
  amount               INTEGER NOT NULL CHECK (amount >= 0),
  currency             TEXT    NOT NULL CHECK (length(currency) = 3 AND currency = lower(currency)),
  status               TEXT    NOT NULL CHECK (status IN ('succeeded','failed')),
  decline_code         TEXT,
  advice_code          TEXT,
  network_advice_code  TEXT,
  network_decline_code TEXT,
  outcome_reason       TEXT,
  card_fingerprint     TEXT,
  card_brand           TEXT,
  card_funding         TEXT CHECK (card_funding IN ('credit','debit','prepaid','unknown')),
  card_country         TEXT,
  created              INTEGER NOT NULL,   -- Stripe's created, in ms
  imported_at          INTEGER NOT NULL
) STRICT;
CREATE INDEX history_created ON history_charges(created);
CREATE INDEX history_invoice ON history_charges(invoice_id) WHERE invoice_id IS NOT NULL;

CREATE TABLE jobs (
  id            INTEGER PRIMARY KEY,
  kind          TEXT    NOT NULL CHECK (kind <> ''),
  dedupe_key    TEXT    NOT NULL UNIQUE,      -- scheduling the same job twice is a no-op
  case_id       INTEGER REFERENCES cases(id),
  run_at        INTEGER NOT NULL,
  payload       TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
  claimed_until INTEGER,
  claimed_by    TEXT,
  tries         INTEGER NOT NULL DEFAULT 0,
  done_at       INTEGER,
  outcome       TEXT CHECK (outcome IN ('done','failed','canceled','shadow')),
  result        TEXT,
  created_at    INTEGER NOT NULL,
  CHECK ((claimed_until IS NULL) = (claimed_by IS NULL)),
  CHECK ((done_at IS NULL) = (outcome IS NULL))
) STRICT;
CREATE INDEX jobs_due    ON jobs(run_at) WHERE done_at IS NULL;
CREATE INDEX jobs_leases ON jobs(claimed_until) WHERE done_at IS NULL AND claimed_until IS NOT NULL;
CREATE INDEX jobs_case   ON jobs(case_id) WHERE case_id IS NOT NULL;
`,
};
