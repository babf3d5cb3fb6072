import type { Migration } from './migration.js';

/**
 * The webhook inbox on the one lease protocol (queue.ts, issue 14 §1): `due_at` is when the event
 * may be processed next (its arrival, or a retry's backoff, epoch ms), `claimed_until`/`claimed_by`
 * the lease, and `attempts` becomes `tries`, counted at start as for attempts, jobs and the outbox.
 * The queue addresses events by rowid (their primary key is Stripe's evt_ id).
 */
export const m008InboxQueue: Migration = {
  version: 8,
  name: 'inbox-queue',
  up: /* sql */ `
ALTER TABLE events RENAME COLUMN attempts TO tries;
ALTER TABLE events ADD COLUMN due_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN claimed_until INTEGER;
ALTER TABLE events ADD COLUMN claimed_by TEXT;
UPDATE events SET due_at = received_at;
CREATE INDEX events_due    ON events(due_at) WHERE processed_at IS NULL;
CREATE INDEX events_leases ON events(claimed_until) WHERE processed_at IS NULL AND claimed_until IS NOT NULL;
`,
};
