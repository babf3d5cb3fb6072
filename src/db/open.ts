/**
 * Opening the SQLite file safely: created 0600 before SQLite touches it (API keys and the
 * webhook secret live inside), tightened to 0600 if an existing file (or its -wal/-shm
 * companions) is wider, then configured with the pragmas below.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { ConfigError } from '../errors.js';
import type { Db } from './columns.js';
import { isMemoryPath } from '../db-path.js';

export const FILE_MODE = 0o600;
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export { isMemoryPath } from '../db-path.js';

function code(e: unknown): string | undefined {
  return (e as { code?: string }).code;
}

/** Creates the file (0600) if missing; narrows it and its WAL/SHM files to 0600 if wider. */
export function secureFile(path: string, readonly: boolean): void {
  if (!readonly) {
    try {
      // 'a' creates without truncating; the mode applies only on creation.
      fs.closeSync(fs.openSync(path, 'a', FILE_MODE));
    } catch (e) {
      const why = code(e) === 'ENOENT' ? 'its directory does not exist' : (e as Error).message;
      throw new ConfigError(`cannot create database ${path}: ${why}`);
    }
  } else if (!fs.existsSync(path)) {
    throw new ConfigError(`database ${path} does not exist`, 'run `recover onboard stripe` (or `onboard api`, `onboard recharge`) first, or pass --db');
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    let mode: number;
    try {
      mode = fs.statSync(file).mode;
    } catch {
      continue; // the -wal/-shm files exist only while the database is open
    }
    if ((mode & 0o077) === 0) continue;
    try {
      fs.chmodSync(file, FILE_MODE);
    } catch (e) {
      // A reader that does not own the file cannot fix it; writers must.
      if (!readonly) throw new ConfigError(`database ${file} is readable by others and cannot be restricted: ${(e as Error).message}`);
    }
  }
}

/**
 * Opens and configures the connection.
 *
 * journal_mode=WAL: readers never block the writer and vice versa (the daemon's webhook
 * receiver, scheduler and a `recover report` can run at once). SQLite creates the -wal and
 * -shm files with the database file's permissions, so they are 0600 too.
 *
 * synchronous=NORMAL: in WAL mode a commit appends to the WAL with write() and SQLite fsyncs
 * only at checkpoints. A committed transaction is therefore in the OS page cache when the call
 * returns and survives the *process* dying at any instant (kill -9, crash, OOM): the webhook
 * inbox may answer 200 right after the insert returns, and no acknowledged event is lost on
 * restart. What NORMAL gives up versus FULL is only the last few commits on an OS crash or
 * power loss (the database stays consistent, never corrupt); an event lost that way is caught
 * by the reconciler, which re-lists /v1/events. FULL would add an fsync per webhook.
 *
 * foreign_keys=ON: SQLite's default is off, per connection.
 * busy_timeout: a second daemon or a CLI command waits for the write lock instead of failing.
 * cache_size: 32 MiB of page cache (SQLite's default is 2 MiB), so the hot indexes of a
 * million-case database stay in memory.
 */
export function openConnection(path: string, readonly: boolean, busyTimeoutMs: number): Db {
  let db: Db;
  try {
    db = new Database(path, { readonly, fileMustExist: !isMemoryPath(path), timeout: busyTimeoutMs });
  } catch (e) {
    throw new ConfigError(`cannot open database ${path}: ${(e as Error).message}`);
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    if (!readonly && !isMemoryPath(path)) {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new ConfigError(`database ${path} cannot use WAL mode (got ${String(mode)})`);
    }
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('cache_size = -32768'); // negative = KiB
  } catch (e) {
    db.close();
    if (e instanceof ConfigError) throw e;
    if (code(e) === 'SQLITE_NOTADB') throw new ConfigError(`${path} is not a recover database (not SQLite)`);
    throw new ConfigError(`cannot open database ${path}: ${(e as Error).message}`);
  }
  return db;
}
