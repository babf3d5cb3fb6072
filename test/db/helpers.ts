/** Test helpers: real SQLite files in a fresh temp dir, and a few ready-made rows. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { openStore, type CaseUpsert, type OpenStoreOptions, type Store } from '../../src/db/index.js';

export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

const dirs: string[] = [];
const stores: Store[] = [];

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temp directory, removed after the test. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recover-db-'));
  dirs.push(dir);
  return dir;
}

export function tempDbPath(): string {
  return path.join(tempDir(), 'recover.db');
}

/** Opens a store (closed after the test) with a fake clock at T0 unless one is given. */
export function open(dbPath = tempDbPath(), opts: OpenStoreOptions = {}): Store {
  const store = openStore(dbPath, { clock: new FakeClock(T0), ...opts });
  stores.push(store);
  return store;
}

let invoiceSeq = 0;

export function caseInput(overrides: Partial<CaseUpsert> = {}): CaseUpsert {
  invoiceSeq += 1;
  return {
    accountId: 'self',
    invoiceId: `in_test${invoiceSeq}`,
    customerId: `cus_test${invoiceSeq}`,
    amountDue: 2500,
    currency: 'usd',
    invoiceCreatedAt: T0 - 3_600_000,
    firstFailedAt: T0 - 1_800_000,
    source: 'takeover',
    arm: 'treatment',
    status: 'in_dunning',
    dunningDeadline: T0 + 30 * 86_400_000,
    ...overrides,
  };
}

/** Ensures the account row exists, then inserts a case; returns its id. */
export function addCase(store: Store, overrides: Partial<CaseUpsert> = {}): number {
  const input = caseInput(overrides);
  store.accounts.upsert({
    id: input.accountId,
    environment: 'test',
    kind: input.accountId === 'self' ? 'main' : 'connected',
  });
  return store.cases.upsert(input).id;
}

export function fileMode(p: string): number {
  return fs.statSync(p).mode & 0o777;
}
