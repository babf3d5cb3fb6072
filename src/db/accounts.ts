/**
 * Accounts recover works on: Stripe's main account (`self` or its acct_ id) or connected ones, a
 * Recharge store (`rc_…`), the Recovery API's `self` (migration 007 added `platform`).
 */
import { orNull, selectList, type ColumnMap, type Db } from './columns.js';
import type { AccountKind, Environment, Platform } from './types.js';

export interface Account {
  id: string;
  platform: Platform;
  environment: Environment;
  kind: AccountKind;
  name: string | null;
  addedAt: number;
  updatedAt: number;
}

export interface AccountInput {
  id: string;
  /** Default 'stripe'. */
  platform?: Platform;
  environment: Environment;
  kind: AccountKind;
  name?: string | null;
}

const COLUMNS: ColumnMap<Account> = {
  id: 'id',
  platform: 'platform',
  environment: 'environment',
  kind: 'kind',
  name: 'name',
  addedAt: 'added_at',
  updatedAt: 'updated_at',
};

export interface AccountsRepo {
  /** Inserts or refreshes name/kind/environment; returns true if it was new. */
  upsert(account: AccountInput): boolean;
  get(id: string): Account | undefined;
  list(): Account[];
}

export function createAccountsRepo(db: Db, now: () => number): AccountsRepo {
  const cols = selectList(COLUMNS);
  const exists = db.prepare<[string], { id: string }>(`SELECT id FROM accounts WHERE id = ?`);
  const upsert = db.prepare<{
    id: string;
    platform: string;
    environment: string;
    kind: string;
    name: string | null;
    now: number;
  }>(
    `INSERT INTO accounts (id, platform, environment, kind, name, added_at, updated_at)
     VALUES (:id, :platform, :environment, :kind, :name, :now, :now)
     ON CONFLICT (id) DO UPDATE SET environment = excluded.environment, kind = excluded.kind,
       name = COALESCE(excluded.name, name), updated_at = excluded.updated_at`,
  );
  const get = db.prepare<[string], Account>(`SELECT ${cols} FROM accounts WHERE id = ?`);
  const list = db.prepare<[], Account>(`SELECT ${cols} FROM accounts ORDER BY added_at, rowid`);
  const upsertTx = db.transaction((a: AccountInput): boolean => {
    const isNew = exists.get(a.id) === undefined;
    const platform = a.platform ?? 'stripe';
    upsert.run({ id: a.id, platform, environment: a.environment, kind: a.kind, name: orNull(a.name), now: now() });
    return isNew;
  });
  return {
    upsert: (a) => upsertTx.immediate(a),
    get: (id) => get.get(id),
    list: () => list.all(),
  };
}
