import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { openStore } from '../../src/db/index.js';
import { addCase, fileMode, open, tempDbPath, tempDir } from './helpers.js';

describe('openStore: file and connection', () => {
  it('creates the database file with mode 0600, and its WAL/SHM files too', () => {
    const p = tempDbPath();
    const store = open(p);
    addCase(store); // a write, so the -wal file exists
    expect(fileMode(p)).toBe(0o600);
    expect(fs.existsSync(`${p}-wal`)).toBe(true);
    expect(fileMode(`${p}-wal`)).toBe(0o600);
    expect(fileMode(`${p}-shm`)).toBe(0o600);
  });

  it('creates the file 0600 even under a permissive umask', () => {
    const old = process.umask(0o000);
    try {
      const p = tempDbPath();
      open(p);
      expect(fileMode(p)).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });

  it('narrows an existing 0644 database to 0600', () => {
    const p = tempDbPath();
    open(p).close();
    fs.chmodSync(p, 0o644);
    expect(fileMode(p)).toBe(0o644);
    open(p);
    expect(fileMode(p)).toBe(0o600);
  });

  it('uses WAL, foreign keys, NORMAL sync and a busy timeout', () => {
    const p = tempDbPath();
    open(p, { busyTimeoutMs: 4321 });
    // A second, raw connection sees the persistent journal mode.
    const raw = new Database(p, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    // Per-connection pragmas: check that foreign keys are enforced through the store.
    const store = open(p);
    expect(() =>
      store.cases.upsert({
        accountId: 'acct_unknown',
        invoiceId: 'in_1',
        customerId: 'cus_1',
        amountDue: 1,
        currency: 'usd',
        invoiceCreatedAt: 0,
        firstFailedAt: 0,
        source: 'webhook',
        arm: 'treatment',
        status: 'in_dunning',
        dunningDeadline: 1,
      }),
    ).toThrow(/FOREIGN KEY/);
  });

  it('refuses a missing directory and a non-SQLite file with a ConfigError', () => {
    const dir = tempDir();
    expect(() => openStore(path.join(dir, 'nope', 'recover.db'))).toThrow(ConfigError);
    expect(() => openStore(path.join(dir, 'nope', 'recover.db'))).toThrow(/directory does not exist/);
    const junk = path.join(dir, 'junk.db');
    fs.writeFileSync(junk, 'this is not a database, just some text that is long enough'.repeat(20));
    expect(() => openStore(junk)).toThrow(/not a recover database/);
  });

  it('read-only: refuses a missing file, reads an existing one, refuses writes', () => {
    const p = tempDbPath();
    expect(() => openStore(p, { readonly: true })).toThrow(/does not exist/);
    expect(fs.existsSync(p)).toBe(false);
    const writer = open(p);
    writer.meta.set('k', 'v');
    writer.close();
    const reader = open(p, { readonly: true });
    expect(reader.readonly).toBe(true);
    expect(reader.meta.get('k')).toBe('v');
    expect(() => reader.meta.set('k', 'w')).toThrow(/readonly/);
  });

  it('supports :memory: for unit tests elsewhere', () => {
    const store = openStore(':memory:');
    addCase(store);
    expect(store.cases.count()).toBe(1);
    store.close();
  });

  it('tx commits, rolls back on throw, nests, and refuses async functions', () => {
    const store = open();
    store.tx(() => store.meta.set('a', '1'));
    expect(() =>
      store.tx(() => {
        store.meta.set('b', '1');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.meta.get('a')).toBe('1');
    expect(store.meta.get('b')).toBeUndefined();
    store.tx(() => {
      store.meta.set('c', '1');
      try {
        store.tx(() => {
          store.meta.set('d', '1');
          throw new Error('inner');
        });
      } catch {
        // the savepoint rolled back; the outer transaction goes on
      }
    });
    expect(store.meta.get('c')).toBe('1');
    expect(store.meta.get('d')).toBeUndefined();
    expect(() => store.tx(async () => store.meta.set('e', '1'))).toThrow(/synchronous/);
    expect(store.meta.get('e')).toBeUndefined();
  });
});
