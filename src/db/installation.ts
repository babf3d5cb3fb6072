/**
 * The installation id: one random id per recover installation, written into the metadata of
 * every invoice recover manages (`recover_installation`), so that a second copy of the database
 * (a restored backup, a blue/green twin) can be told apart: its daemon refuses to start until
 * told the original is retired, and no installation charges an invoice another one manages.
 *
 * A copy is recognised by the database file's identity (device and inode), recorded when the id
 * is created: a copied or restored file has a new inode. `adopt` records the new identity.
 */
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import type { MetaRepo } from './counters.js';

const ID = 'installation_id';
const FILE = 'installation_file';

export interface Installation {
  id: string;
  /** The file is not the one the id was created in (a copy or a restore), until adopted. */
  copied: boolean;
}

function fileIdentity(path: string): string {
  if (path === ':memory:') return 'memory';
  const st = statSync(path);
  return `${st.dev}:${st.ino}`;
}

/** The installation of this database file, created on first use (writes meta). */
export function installation(meta: MetaRepo, path: string): Installation {
  const here = fileIdentity(path);
  let id = meta.get(ID);
  if (!id) {
    id = `inst_${randomUUID().replace(/-/g, '')}`;
    meta.set(ID, id);
    meta.set(FILE, here);
  }
  return { id, copied: meta.get(FILE) !== here };
}

/** This file now is the installation (the original was retired): records its identity. */
export function adoptInstallation(meta: MetaRepo, path: string): Installation {
  const inst = installation(meta, path);
  meta.set(FILE, fileIdentity(path));
  return { id: inst.id, copied: false };
}
