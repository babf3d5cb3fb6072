/**
 * A database an onboarding run created and then left without saving anything (Ctrl-C at a prompt, a
 * refused key) is removed, so the next `recover status` says "no database" instead of finding an
 * empty, already-migrated file, and a mistyped --db leaves nothing behind.
 */
import { rmSync } from 'node:fs';
import { openStore } from './index.js';

/** Removes `path` (and its -wal/-shm) when it holds no settings, secrets or accounts; returns whether it did. */
export function discardIfUnsaved(path: string): boolean {
  let empty = false;
  try {
    const store = openStore(path, { readonly: true });
    try {
      empty = !store.settings.get() && store.secrets.list().length === 0 && store.accounts.list().length === 0;
    } finally {
      store.close();
    }
  } catch {
    return false; // unreadable or another schema: not ours to remove
  }
  if (!empty) return false;
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  return true;
}
