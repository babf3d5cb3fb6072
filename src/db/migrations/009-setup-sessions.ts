import type { Migration } from './migration.js';

/**
 * The Checkout Sessions in setup mode that recover created as card-update links (issue 16 §2, §4):
 * a customer-present decline's link and a `card.expiring_soon` link. An API-only merchant has no
 * Stripe webhook endpoint pointing at recover, so the daemon polls each open session
 * (`checkout.sessions.retrieve`) until Stripe says `complete` or `expired`; `next_poll_at` is when
 * (epoch ms, NULL once it is no longer open). A completed session is a new payment method for the
 * cases it serves (`case_ids`, a JSON array, possibly empty for an expiring card with no open case).
 * The row's `open → complete` update is what makes the completion count once, whether the poll or
 * a `checkout.session.completed` webhook sees it first.
 */
export const m009SetupSessions: Migration = {
  version: 9,
  name: 'setup-sessions',
  up: /* sql */ `
CREATE TABLE setup_sessions (
  id             TEXT    PRIMARY KEY CHECK (id GLOB 'cs_?*'),     -- Stripe's Checkout Session id
  platform       TEXT    NOT NULL CHECK (platform IN ('stripe','api')), -- whose cases it serves
  account_id     TEXT    NOT NULL,                                -- the cases' account (API: 'self')
  customer       TEXT    NOT NULL CHECK (customer GLOB 'cus_?*'), -- the Stripe customer
  purpose        TEXT    NOT NULL CHECK (purpose IN ('declined','expiring')),
  case_ids       TEXT    NOT NULL CHECK (json_valid(case_ids)),   -- [case id, …]
  status         TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open','complete','expired')),
  expires_at     INTEGER NOT NULL,                                -- epoch ms (Stripe's expires_at × 1000)
  next_poll_at   INTEGER,                                         -- epoch ms; NULL when not open
  polls          INTEGER NOT NULL DEFAULT 0,
  payment_method TEXT,                                            -- the SetupIntent's, once complete
  created_at     INTEGER NOT NULL,                                -- epoch ms
  ended_at       INTEGER                                          -- epoch ms: complete or expired
) STRICT;
CREATE INDEX setup_sessions_poll ON setup_sessions(next_poll_at) WHERE status = 'open';
`,
};
