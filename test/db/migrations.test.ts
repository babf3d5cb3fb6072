import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { MIGRATIONS, openStore } from '../../src/db/index.js';
import { migrate } from '../../src/db/migrate.js';
import { open, T0, tempDbPath } from './helpers.js';

function recorded(p: string): { version: number; name: string }[] {
  const raw = new Database(p, { readonly: true });
  try {
    return raw.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as {
      version: number;
      name: string;
    }[];
  } finally {
    raw.close();
  }
}

describe('migrations', () => {
  it('the list is numbered 1..n without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(3);
  });

  it('creates every table on an empty database and records each migration', () => {
    const p = tempDbPath();
    const store = open(p);
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    store.close();
    expect(recorded(p)).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    const raw = new Database(p, { readonly: true });
    const tables = (
      raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]
    ).map((r) => r.name);
    raw.close();
    for (const t of [
      'settings',
      'secrets',
      'accounts',
      'cases',
      'attempts',
      'events',
      'decisions',
      'cards',
      'card_attempts',
      'cursors',
      'learned_stats',
      'history_charges',
      'jobs',
      'counters',
      'meta',
      'schema_migrations',
    ]) {
      expect(tables).toContain(t);
    }
  });

  it('reopening applies nothing twice', () => {
    const p = tempDbPath();
    open(p).close();
    const before = recorded(p);
    open(p).close();
    expect(recorded(p)).toEqual(before);
  });

  it('upgrades an existing v1 database, keeping its data', () => {
    const p = tempDbPath();
    const raw = new Database(p);
    expect(migrate(raw, p, MIGRATIONS.slice(0, 1), () => T0)).toEqual([1]);
    raw
      .prepare(
        `INSERT INTO accounts (id, environment, kind, added_at, updated_at) VALUES ('self', 'live', 'main', 1, 1)`,
      )
      .run();
    raw.prepare(`INSERT INTO meta (key, value, updated_at) VALUES ('k', 'from v1', 1)`).run();
    raw.close();
    expect(recorded(p).map((r) => r.version)).toEqual([1]);

    const store = open(p);
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    expect(recorded(p).map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(store.meta.get('k')).toBe('from v1');
    expect(store.accounts.get('self')?.environment).toBe('live');
    // Tables of the later migrations work.
    store.stats.increment('k', true);
    expect(store.stats.get('k')).toEqual({ successes: 1, failures: 0 });
  });

  it('refuses a database written by a newer recover, with a clear ConfigError', () => {
    const p = tempDbPath();
    open(p).close();
    const raw = new Database(p);
    const future = MIGRATIONS.length + 1;
    raw.prepare(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from-the-future', 1)`).run(future);
    raw.close();
    let error: unknown;
    try {
      openStore(p);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `database ${p} was written by a newer recover (schema ${future}, this version knows up to ${MIGRATIONS.length}); upgrade recover`,
    );
    expect((error as ConfigError).exitCode).toBe(2);
    expect(() => openStore(p, { readonly: true })).toThrow(/newer recover/);
  });

  it('refuses a database whose recorded history differs from ours', () => {
    const p = tempDbPath();
    open(p).close();
    const raw = new Database(p);
    raw.prepare(`UPDATE schema_migrations SET name = 'something-else' WHERE version = 2`).run();
    raw.close();
    expect(() => openStore(p)).toThrow(/schema migration 2 "something-else"/);
  });

  it('a read-only open of an outdated database is refused instead of half-working', () => {
    const p = tempDbPath();
    const raw = new Database(p);
    migrate(raw, p, MIGRATIONS.slice(0, 2), () => T0);
    raw.close();
    expect(() => openStore(p, { readonly: true })).toThrow(/needs upgrading/);
  });

  it('a failing migration leaves the database at the previous version', () => {
    const p = tempDbPath();
    const broken = [
      ...MIGRATIONS.slice(0, 1),
      { version: 2, name: 'broken', up: 'CREATE TABLE x (a INTEGER); SELECT nonsense FROM nowhere;' },
    ];
    const raw = new Database(p);
    expect(() => migrate(raw, p, broken, () => T0)).toThrow();
    expect(raw.prepare(`SELECT name FROM sqlite_master WHERE name = 'x'`).get()).toBeUndefined();
    raw.close();
    expect(recorded(p).map((r) => r.version)).toEqual([1]);
  });

  it('two stores opening the same fresh file both end up at the latest schema', () => {
    const p = tempDbPath();
    const a = open(p);
    const b = open(p);
    expect(a.schemaVersion).toBe(MIGRATIONS.length);
    expect(b.schemaVersion).toBe(MIGRATIONS.length);
    expect(recorded(p)).toHaveLength(MIGRATIONS.length);
  });
});
