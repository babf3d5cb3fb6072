/**
 * A numbered schema migration. `up` is plain SQL, frozen once released: never edit a
 * migration that may have run somewhere; add the next number instead. Each one is applied in
 * its own transaction together with its row in `schema_migrations`, so a crash leaves the
 * database at the previous version, never in between. (Table rebuilds that need
 * `foreign_keys=OFF` cannot run inside a transaction; give such a migration its own runner
 * support when the day comes.)
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
}
