/** Database path facts that need no SQLite: read-only commands check these before loading it. */
import { existsSync } from 'node:fs';
import { ConfigError } from './errors.js';

export function isMemoryPath(path: string): boolean {
  return path === ':memory:' || path === '';
}

/** Read-only commands never create a database: a missing one is a configuration error (exit 2). */
export function assertDbExists(path: string): void {
  if (!isMemoryPath(path) && !existsSync(path)) {
    throw new ConfigError(
      `no database at ${path}`,
      'run `recover onboard stripe` (or `onboard api`, `onboard recharge`) first, or pass --db <path>',
    );
  }
}
