import type { Migration } from './migration.js';

/**
 * Accounts of every platform, and cases keyed by (platform, account, external id) (issue 17 §1).
 *
 * `accounts.platform`: 'stripe' (`self` or `acct_…`, as before), 'recharge' (a store, `rc_…`), or
 * 'api' (the Recovery API). Its CHECK keeps each platform's id shape; `kind` 'connected' is Stripe
 * Connect only. `cases` gets `UNIQUE (platform, account_id, invoice_id)` in place of
 * `(account_id, invoice_id)`: `invoice_id` is the platform's external id (a Stripe invoice, a
 * Recharge charge, the merchant's invoice id), and two platforms may reuse an id.
 *
 * Both are table rebuilds (SQLite cannot alter a CHECK or a UNIQUE in place), run with
 * `foreign_keys` off and checked by `PRAGMA foreign_key_check` before commit (migrate.ts).
 * Columns are copied by name; every index of the old tables is re-created.
 */
export const m007PlatformAccounts: Migration = {
  version: 7,
  name: 'platform-accounts',
  foreignKeysOff: true,
  up: /* sql */ `
CREATE TABLE accounts_new (
  id          TEXT PRIMARY KEY CHECK (id <> ''),
  platform    TEXT NOT NULL DEFAULT 'stripe' CHECK (platform IN ('stripe','api','recharge')),
  environment TEXT NOT NULL CHECK (environment IN ('test','live')),
  kind        TEXT NOT NULL CHECK (kind IN ('main','connected')),
  name        TEXT,
  added_at    INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  CHECK (platform <> 'stripe' OR id = 'self' OR id GLOB 'acct_?*'),
  CHECK (platform <> 'recharge' OR id GLOB 'rc_?*'),
  CHECK (kind = 'main' OR (platform = 'stripe' AND id <> 'self'))
) STRICT;
INSERT INTO accounts_new (id, platform, environment, kind, name, added_at, updated_at)
  SELECT id, 'stripe', environment, kind, name, added_at, updated_at FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_new RENAME TO accounts;

CREATE TABLE cases_new (
  id                        INTEGER PRIMARY KEY,
  account_id                TEXT    NOT NULL REFERENCES accounts(id),
  invoice_id                TEXT    NOT NULL CHECK (invoice_id <> ''),
  customer_id               TEXT    NOT NULL CHECK (customer_id <> ''),
  subscription_id           TEXT,
  payment_method_id         TEXT,
  card_fingerprint          TEXT,
  amount_due                INTEGER NOT NULL CHECK (amount_due >= 0),
  currency                  TEXT    NOT NULL CHECK (length(currency) = 3 AND currency = lower(currency)),
  status                    TEXT    NOT NULL CHECK (status IN ('in_dunning','waiting_card_update',
    'needs_customer_action','observing','recovered','lost','hard_declined','closed')),
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
  upserts                   INTEGER NOT NULL DEFAULT 1,
  created_at                INTEGER NOT NULL,
  updated_at                INTEGER NOT NULL,
  platform                  TEXT    NOT NULL DEFAULT 'stripe' CHECK (platform IN ('stripe','api','recharge')),
  UNIQUE (platform, account_id, invoice_id),
  CHECK (status <> 'recovered' OR (recovered_at IS NOT NULL AND recovered_by IS NOT NULL
    AND recovered_amount IS NOT NULL)),
  CHECK ((status IN ('recovered','lost','hard_declined','closed')) = (ended_at IS NOT NULL))
) STRICT;
INSERT INTO cases_new SELECT
  id, account_id, invoice_id, customer_id, subscription_id, payment_method_id, card_fingerprint, amount_due,
  currency, status, arm, source, billing_reason, invoice_created_at, first_failed_at, dunning_deadline,
  stripe_attempt_count, last_failed_at, last_decline_code, last_advice_code, last_network_advice_code,
  last_network_decline_code, last_charge_id, customer_timezone, customer_country, card_brand, card_funding,
  card_country, paused_stripe, recovered_at, recovered_by, recovered_amount, ended_at, closed_reason, upserts,
  created_at, updated_at, platform
FROM cases;
DROP TABLE cases;
ALTER TABLE cases_new RENAME TO cases;
CREATE INDEX cases_invoice   ON cases(invoice_id);
CREATE INDEX cases_customer  ON cases(customer_id, account_id);
CREATE INDEX cases_status    ON cases(status);
CREATE INDEX cases_entered   ON cases(first_failed_at);
CREATE INDEX cases_deadline  ON cases(dunning_deadline) WHERE ended_at IS NULL;
CREATE INDEX cases_recovered ON cases(recovered_at) WHERE recovered_at IS NOT NULL;
CREATE INDEX cases_platform  ON cases(platform, status);
`,
};
