import type { Migration } from './migration.js';

/**
 * Result webhooks (issue 16 §4) and the platform a case belongs to (issues 16, 17).
 *
 * `outbox`: one row per result event (recovery.succeeded…), written in the transaction of the
 * outcome it reports, then delivered by the daemon through the queue protocol of queue.ts
 * (`due_at` is the next delivery try). `message_id` is the Standard Webhooks `webhook-id`,
 * stable across redeliveries so the merchant can dedupe; `dedupe_key` makes recording the same
 * outcome twice (a replayed Stripe event) a no-op. `webhook_deliveries` keeps every try and its
 * answer for `recover webhooks list|show`.
 *
 * `cases.platform`: which integration the case came from. 'stripe' = Stripe Billing invoices,
 * 'api' = the Recovery API (the merchant's own billing; `invoice_id` is the merchant's id),
 * 'recharge' = a Recharge store. Existing rows are Stripe Billing cases.
 */
export const m005OutboxPlatform: Migration = {
  version: 5,
  name: 'outbox-and-platform',
  up: /* sql */ `
CREATE TABLE outbox (
  id            INTEGER PRIMARY KEY,
  message_id    TEXT    NOT NULL UNIQUE CHECK (message_id GLOB 'msg_?*'),
  type          TEXT    NOT NULL CHECK (type <> ''),
  dedupe_key    TEXT    NOT NULL UNIQUE,
  case_id       INTEGER REFERENCES cases(id),
  payload       TEXT    NOT NULL CHECK (json_valid(payload)),   -- the exact body sent: {type, timestamp, data}
  created_at    INTEGER NOT NULL,                              -- epoch ms, = the outcome's time
  due_at        INTEGER NOT NULL,                              -- next delivery try, epoch ms
  claimed_until INTEGER,
  claimed_by    TEXT,
  tries         INTEGER NOT NULL DEFAULT 0,
  done_at       INTEGER,
  outcome       TEXT CHECK (outcome IN ('delivered','failed','disabled','skipped')),
  last_status   INTEGER,                                       -- HTTP status of the last try, NULL = no answer
  CHECK ((claimed_until IS NULL) = (claimed_by IS NULL)),
  CHECK ((done_at IS NULL) = (outcome IS NULL))
) STRICT;
CREATE INDEX outbox_due    ON outbox(due_at) WHERE done_at IS NULL;
CREATE INDEX outbox_leases ON outbox(claimed_until) WHERE done_at IS NULL AND claimed_until IS NOT NULL;
CREATE INDEX outbox_case   ON outbox(case_id) WHERE case_id IS NOT NULL;
CREATE INDEX outbox_created ON outbox(created_at);

CREATE TABLE webhook_deliveries (
  id           INTEGER PRIMARY KEY,
  outbox_id    INTEGER NOT NULL REFERENCES outbox(id),
  url          TEXT    NOT NULL,
  attempted_at INTEGER NOT NULL,          -- epoch ms
  duration_ms  INTEGER NOT NULL CHECK (duration_ms >= 0),
  status       INTEGER,                   -- HTTP status, NULL = no answer (timeout, refused)
  response     TEXT,                      -- the first 1 KiB of the answer's body
  error        TEXT                       -- why there was no answer
) STRICT;
CREATE INDEX webhook_deliveries_outbox ON webhook_deliveries(outbox_id, attempted_at);

ALTER TABLE cases ADD COLUMN platform TEXT NOT NULL DEFAULT 'stripe' CHECK (platform IN ('stripe','api','recharge'));
CREATE INDEX cases_platform ON cases(platform, status);
`,
};
