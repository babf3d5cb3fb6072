/**
 * `recover backup <file>`: an online, consistent copy of the database (the daemon may keep
 * running), owner-only (0600) like the database itself: it holds the API keys. Prefer it to
 * `sqlite3 .backup`, which creates the copy with the umask's mode (0644: readable by all).
 */
import { existsSync } from 'node:fs';
import type { Context } from '../context.js';
import { ConfigError } from '../errors.js';
import type { BackupResult } from '../db/index.js';

export async function runBackup(file: string, ctx: Context): Promise<BackupResult> {
  if (!existsSync(ctx.globals.db)) throw new ConfigError(`no database at ${ctx.globals.db}`, 'pass --db <path>, or set one up with recover onboard stripe');
  const result = await ctx.db.backup(file);
  ctx.out.result(result);
  ctx.out.line(`Backed up ${ctx.globals.db} to ${result.path} (${result.bytes} bytes, mode ${result.mode.toString(8).padStart(4, '0')}).`);
  ctx.out.line('A restored copy is a new installation: start it with recover run --adopt once the original is retired.');
  return result;
}
