/**
 * `recover backup`: an online, consistent copy of the database through SQLite's backup API
 * (other connections keep reading and writing meanwhile), written to a file created owner-only
 * (0600) whatever the umask — the database holds the API keys and the webhook secret. The copy
 * is a new file: restoring it makes a copy of the installation (see installation.ts).
 */
import fs from 'node:fs';
import { ConfigError } from '../errors.js';
import type { Db } from './columns.js';
import { FILE_MODE } from './open.js';

export interface BackupResult {
  path: string;
  bytes: number;
  mode: number;
}

export async function backupTo(db: Db, dest: string): Promise<BackupResult> {
  let fd: number;
  try {
    // 'wx': never overwrite (a mistyped path must not destroy a file); the mode applies at creation.
    fd = fs.openSync(dest, 'wx', FILE_MODE);
  } catch (e) {
    const c = (e as { code?: string }).code;
    throw new ConfigError(`cannot create the backup ${dest}: ${c === 'EEXIST' ? 'the file exists (choose a new name)' : (e as Error).message}`);
  }
  try {
    fs.fchmodSync(fd, FILE_MODE); // the umask may have removed bits but never adds any; be explicit
  } finally {
    fs.closeSync(fd);
  }
  try {
    await db.backup(dest);
  } catch (e) {
    fs.rmSync(dest, { force: true });
    throw new ConfigError(`backup to ${dest} failed: ${(e as Error).message}`);
  }
  fs.chmodSync(dest, FILE_MODE);
  const st = fs.statSync(dest);
  return { path: dest, bytes: st.size, mode: st.mode & 0o777 };
}
