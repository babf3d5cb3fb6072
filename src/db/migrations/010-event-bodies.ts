import type { Migration } from './migration.js';

/**
 * The webhook body out of the events row (issue 18): an event's ~3 KiB `raw` filled most of a
 * 4 KiB page, so every change to its row (the claim, the start, the mark) rewrote a page per
 * event into the WAL, and a claim of 200 events wrote ~1 MiB in one synchronous statement
 * (stalls of 10–50 ms on the webhook acks). The body now lives in `event_bodies`, written once
 * when the event is stored and never updated; the events row is small, so a claim of 200 rows
 * rewrites a few pages. `seq` is the events row's rowid (the key the inbox queue already leases
 * events by): rowids are stable here because recover never runs VACUUM (backups copy pages,
 * src/db/backup.ts). Deleting an event deletes its body (the trigger).
 */
export const m010EventBodies: Migration = {
  version: 10,
  name: 'event-bodies',
  up: /* sql */ `
CREATE TABLE event_bodies (
  seq INTEGER PRIMARY KEY,             -- events.rowid
  raw TEXT    NOT NULL                 -- the verified body, byte for byte
) STRICT;
INSERT INTO event_bodies (seq, raw) SELECT rowid, raw FROM events;
ALTER TABLE events DROP COLUMN raw;
CREATE TRIGGER events_body_delete AFTER DELETE ON events
BEGIN
  DELETE FROM event_bodies WHERE seq = old.rowid;
END;
`,
};
