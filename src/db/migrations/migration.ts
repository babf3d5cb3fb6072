/**
 * A numbered schema migration. `up` is plain SQL, frozen once released: never edit a
 * migration that may have run somewhere; add the next number instead. Each one is applied in
 * its own transaction together with its row in `schema_migrations`, so a crash leaves the
 * database at the previous version, never in between.
 *
 * Table rebuilds (SQLite cannot change a CHECK or a UNIQUE in place) set `foreignKeysOff`: the
 * runner turns `foreign_keys` off before the transaction (the pragma is a no-op inside one),
 * runs `PRAGMA foreign_key_check` inside it so a broken reference rolls the migration back, and
 * turns the pragma on again after, whatever happened.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
  /** A table rebuild: run with foreign keys off, checked before commit (SQLite's 12-step recipe). */
  readonly foreignKeysOff?: boolean;
}
