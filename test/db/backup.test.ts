/**
 * `recover backup <file>`: online and consistent (a writer keeps its connection), owner-only
 * whatever the umask (the copy holds the keys), never over an existing file; a missing --db
 * is exit 2 and creates nothing. (`sqlite3 .backup` makes a 0644 copy: issue 15.)
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/index.js';
import { runCli } from '../helpers/cli.js';
import { addCase, open, tempDir } from './helpers.js';

describe('recover backup', () => {
  it('copies a live database consistently into a new 0600 file, even under umask 000', async () => {
    const dir = tempDir();
    const db = join(dir, 'recover.db');
    const store = open(db);
    for (let i = 0; i < 50; i++) addCase(store);
    store.secrets.set('primary_key', 'rk_test_backupSecret000000000001');
    const dest = join(dir, 'copy.db');
    const old = process.umask(0);
    let r;
    try {
      r = await runCli(['--db', db, 'backup', dest]);
    } finally {
      process.umask(old);
    }
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Backed up .* \(\d+ bytes, mode 0600\)/);
    expect(statSync(dest).mode & 0o777).toBe(0o600);
    const copy = openStore(dest, { readonly: true });
    try {
      expect(copy.cases.count()).toBe(50);
      expect(copy.secrets.get('primary_key')).toBe('rk_test_backupSecret000000000001');
    } finally {
      copy.close();
    }
    expect(r.stdout + r.stderr).not.toContain('rk_test_backupSecret');
  });

  it('never overwrites a file, and a missing database is exit 2', async () => {
    const dir = tempDir();
    const db = join(dir, 'recover.db');
    open(db);
    const dest = join(dir, 'exists.db');
    writeFileSync(dest, 'precious');
    const r = await runCli(['--db', db, 'backup', dest]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the file exists');
    const missing = await runCli(['--db', join(dir, 'typo.db'), 'backup', join(dir, 'b.db')]);
    expect(missing.code).toBe(2);
    expect(existsSync(join(dir, 'typo.db'))).toBe(false);
    expect(existsSync(join(dir, 'b.db'))).toBe(false);
  });
});
