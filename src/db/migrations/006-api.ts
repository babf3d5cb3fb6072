import type { Migration } from './migration.js';

/**
 * The Recovery API (issue 16 §1–§2): merchants with their own billing hand failed payments to
 * recover over HTTP (`/v1/…` on `recover run`).
 *
 * `api_keys`: the merchant's bearer keys (`rcv_test_…`/`rcv_live_…`), stored only as the
 * SHA-256 of the whole key; `prefix` is what lists show (`rcv_test_…ab12`).
 * `api_requests`: idempotency (Stripe's model): the first answer to a (key, Idempotency-Key)
 * is stored in the transaction of the work it reports, before the answer is written, and sent
 * again for the same body; a different body is a 409.
 * `api_recoveries`: what the API knows of a case that Stripe Billing cases get from Stripe: the
 * Stripe customer and PaymentMethod to charge, customerPresent, the merchant's metadata. The
 * case's own `customer_id` is the Stripe customer (so Stripe's payment-method events and the
 * payment history find it as they find Billing cases); the merchant's customer id is kept here.
 * `pulses`: organic successful charges (`POST /v1/pulses`), the merchant's whole revenue.
 */
export const m006Api: Migration = {
  version: 6,
  name: 'api',
  up: /* sql */ `
CREATE TABLE api_keys (
  id           INTEGER PRIMARY KEY,
  prefix       TEXT    NOT NULL,                               -- shown in lists: rcv_test_…ab12
  hash         TEXT    NOT NULL UNIQUE CHECK (length(hash) = 64), -- hex sha256 of the whole key
  mode         TEXT    NOT NULL CHECK (mode IN ('test','live')),
  name         TEXT,
  created_at   INTEGER NOT NULL,                               -- epoch ms
  revoked_at   INTEGER,
  last_used_at INTEGER
) STRICT;

CREATE TABLE api_requests (
  id              INTEGER PRIMARY KEY,
  api_key_id      INTEGER NOT NULL REFERENCES api_keys(id),
  idempotency_key TEXT    NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
  method          TEXT    NOT NULL,
  path            TEXT    NOT NULL,
  body_hash       TEXT    NOT NULL,                            -- hex sha256 of the raw body
  status          INTEGER NOT NULL,
  response        TEXT    NOT NULL CHECK (json_valid(response)),
  case_id         INTEGER REFERENCES cases(id),
  at              INTEGER NOT NULL,                            -- epoch ms
  UNIQUE (api_key_id, idempotency_key)
) STRICT;
CREATE INDEX api_requests_case ON api_requests(case_id) WHERE case_id IS NOT NULL;

CREATE TABLE api_recoveries (
  case_id          INTEGER PRIMARY KEY REFERENCES cases(id),
  customer_id      TEXT    NOT NULL,                           -- the merchant's own customer id
  stripe_customer  TEXT    NOT NULL CHECK (stripe_customer GLOB 'cus_?*'),
  payment_method   TEXT    NOT NULL CHECK (payment_method GLOB 'pm_?*'),
  customer_present INTEGER NOT NULL DEFAULT 0 CHECK (customer_present IN (0,1)),
  metadata         TEXT CHECK (metadata IS NULL OR json_valid(metadata)),
  idempotency_key  TEXT,                                       -- the intake request's, for GET ?idempotency_key=
  api_key_id       INTEGER REFERENCES api_keys(id),
  canceled_reason  TEXT,
  present_attempt  INTEGER REFERENCES attempts(id),            -- the attempt charged on-session within the call
  created_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX api_recoveries_customer ON api_recoveries(customer_id);
CREATE INDEX api_recoveries_stripe_customer ON api_recoveries(stripe_customer);
CREATE INDEX api_recoveries_idem ON api_recoveries(api_key_id, idempotency_key);

CREATE TABLE pulses (
  id       INTEGER PRIMARY KEY,
  amount   INTEGER NOT NULL CHECK (amount > 0),                -- minor units
  currency TEXT    NOT NULL CHECK (length(currency) = 3),
  at       INTEGER NOT NULL                                    -- epoch ms of the charge
) STRICT;
CREATE INDEX pulses_at ON pulses(at);
`,
};
