/**
 * Applies numbered migrations and refuses databases written by a newer recover.
 * Safe against two processes opening a fresh database at once: each migration runs in an
 * IMMEDIATE transaction (the write lock is taken first) and re-reads the recorded version
 * inside it, so the second process finds the work done and skips it.
 */
import { ConfigError } from '../errors.js';
import type { Db } from './columns.js';
import type { Migration } from './migrations/migration.js';

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL,
  applied_at INTEGER NOT NULL   -- epoch ms
) STRICT`;

export interface AppliedMigration {
  version: number;
  name: string;
  appliedAt: number;
}

/** Throws on a malformed list: versions must be 1, 2, 3… with no gap (a programming error). */
function checkList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list is out of order at ${m.version} (expected ${i + 1})`);
  });
}

function hasTable(db: Db): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get() !== undefined;
}

export function appliedMigrations(db: Db): AppliedMigration[] {
  if (!hasTable(db)) return [];
  return db
    .prepare<[], AppliedMigration>(
      `SELECT version, name, applied_at AS appliedAt FROM schema_migrations ORDER BY version`,
    )
    .all();
}

export function schemaVersion(db: Db): number {
  const applied = appliedMigrations(db);
  return applied.length === 0 ? 0 : applied[applied.length - 1].version;
}

/**
 * Refuses a database that this code cannot safely use: newer than the code, or with a
 * recorded history that differs from ours (a migration renamed or renumbered).
 */
export function checkCompatible(db: Db, path: string, migrations: readonly Migration[]): number {
  const applied = appliedMigrations(db);
  const known = migrations.length;
  const current = applied.length === 0 ? 0 : applied[applied.length - 1].version;
  if (current > known) {
    throw new ConfigError(
      `database ${path} was written by a newer recover (schema ${current}, this version knows up to ${known}); upgrade recover`,
      'install the newer recover, or point --db at another database',
    );
  }
  for (const a of applied) {
    const ours = migrations[a.version - 1];
    if (!ours || ours.name !== a.name) {
      throw new ConfigError(
        `database ${path} has schema migration ${a.version} "${a.name}", which this recover does not know (it expects "${ours?.name ?? 'nothing'}")`,
      );
    }
  }
  return current;
}

/** Applies every migration not yet recorded; returns the versions applied now. */
export function migrate(db: Db, path: string, migrations: readonly Migration[], now: () => number): number[] {
  checkList(migrations);
  db.exec(CREATE_TABLE);
  checkCompatible(db, path, migrations);
  const applied: number[] = [];
  const currentVersion = db.prepare<[], { v: number | null }>(`SELECT max(version) AS v FROM schema_migrations`);
  const record = db.prepare<[number, string, number]>(
    `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
  );
  for (const m of migrations) {
    const step = db.transaction(() => {
      const current = currentVersion.get()?.v ?? 0;
      if (current >= m.version) return false; // applied by us earlier or by another process just now
      if (current !== m.version - 1) throw new Error(`cannot apply migration ${m.version} on schema ${current}`);
      db.exec(m.up);
      if (m.foreignKeysOff) checkForeignKeys(db, m);
      record.run(m.version, m.name, now());
      return true;
    });
    if (m.foreignKeysOff) {
      if (withForeignKeysOff(db, () => step.immediate())) applied.push(m.version);
    } else if (step.immediate()) applied.push(m.version);
  }
  return applied;
}

/** A rebuild that left a dangling reference throws here, inside its transaction: nothing is kept. */
function checkForeignKeys(db: Db, m: Migration): void {
  const broken = db.prepare(`PRAGMA foreign_key_check`).all() as { table: string; parent: string }[];
  if (broken.length > 0) {
    const first = broken[0];
    throw new Error(
      `migration ${m.version} left ${broken.length} broken reference(s), e.g. ${first.table} → ${first.parent}`,
    );
  }
}

/** `PRAGMA foreign_keys` only takes effect outside a transaction; restored even when `fn` throws. */
function withForeignKeysOff<T>(db: Db, fn: () => T): T {
  const was = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    return fn();
  } finally {
    if (was) db.pragma('foreign_keys = ON');
  }
}
