/**
 * Migration 007: accounts of every platform and cases keyed by (platform, account, external id).
 * An old (schema 5) database with Stripe cases, attempts and decisions upgrades with every row and
 * reference intact; afterwards a Recharge store is an account and two platforms may share an id.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/db/index.js';
import { migrate } from '../../src/db/migrate.js';
import { caseInput, open, T0, tempDbPath } from '../db/helpers.js';

function schema5(p: string): void {
  const raw = new Database(p);
  raw.pragma('foreign_keys = ON');
  expect(migrate(raw, p, MIGRATIONS.slice(0, 5), () => T0)).toEqual([1, 2, 3, 4, 5]);
  raw.exec(`
    INSERT INTO accounts (id, environment, kind, added_at, updated_at) VALUES ('self', 'test', 'main', 1, 1);
    INSERT INTO accounts (id, environment, kind, added_at, updated_at) VALUES ('acct_1', 'test', 'connected', 1, 1);
    INSERT INTO cases (account_id, invoice_id, customer_id, amount_due, currency, status, arm, source,
      invoice_created_at, first_failed_at, dunning_deadline, created_at, updated_at)
      VALUES ('acct_1', 'in_1', 'cus_1', 1999, 'usd', 'in_dunning', 'treatment', 'takeover', 1, 2, 3, 4, 5);
    INSERT INTO attempts (case_id, n, made_by, scheduled_at, idempotency_key, created_at)
      VALUES (1, 1, 'recover', 10, 'recover:acct_1:in_1:1', 10);
    INSERT INTO decisions (case_id, at, action, retry_at, reason, attempt_id) VALUES (1, 10, 'retry', 10, 'r', 1);
  `);
  raw.close();
}

describe('migration 007: platform accounts and case identity', () => {
  it('upgrades a schema-5 database keeping cases, attempts, decisions and their references', () => {
    const p = tempDbPath();
    schema5(p);
    const store = open(p);
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    const c = store.cases.getByInvoice('in_1', 'acct_1')!;
    expect(c).toMatchObject({ id: 1, platform: 'stripe', amountDue: 1999, status: 'in_dunning' });
    expect(store.accounts.list().map((a) => [a.id, a.platform, a.kind])).toEqual([
      ['self', 'stripe', 'main'],
      ['acct_1', 'stripe', 'connected'],
    ]);
    expect(store.attempts.listForCase(1).map((a) => a.idempotencyKey)).toEqual(['recover:acct_1:in_1:1']);
    const raw = new Database(p, { readonly: true });
    expect(raw.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    raw.close();
    // The runner turned foreign keys on again on the store's connection: a dangling reference is refused.
    expect(() => store.cases.upsert(caseInput({ accountId: 'acct_nobody' }))).toThrow(/FOREIGN KEY/);
  });

  it('holds a Recharge store beside a Stripe account, and keys cases by platform too', () => {
    const store = open();
    expect(store.accounts.upsert({ id: 'self', environment: 'test', kind: 'main' })).toBe(true);
    expect(store.accounts.upsert({ id: 'rc_shop', platform: 'recharge', environment: 'test', kind: 'main' })).toBe(
      true,
    );
    const stripe = store.cases.upsert(caseInput({ accountId: 'self', invoiceId: '123' }));
    const api = store.cases.upsert(caseInput({ platform: 'api', accountId: 'self', invoiceId: '123' }));
    const again = store.cases.upsert(caseInput({ platform: 'api', accountId: 'self', invoiceId: '123' }));
    expect(api.inserted).toBe(true);
    expect(api.id).not.toBe(stripe.id);
    expect(again).toEqual({ id: api.id, inserted: false });
    expect(store.cases.get(api.id)?.platform).toBe('api');
    const rc = store.cases.upsert(caseInput({ platform: 'recharge', accountId: 'rc_shop', invoiceId: '123' }));
    expect(store.cases.get(rc.id)).toMatchObject({ platform: 'recharge', accountId: 'rc_shop' });
  });

  it("keeps each platform's account id shape", () => {
    const store = open();
    const bad = [
      { id: 'shop', platform: 'recharge' as const },
      { id: 'rc_x', platform: 'stripe' as const },
    ];
    for (const a of bad) {
      expect(() => store.accounts.upsert({ ...a, environment: 'test', kind: 'main' })).toThrow(/CHECK/);
    }
    expect(() =>
      store.accounts.upsert({ id: 'rc_x', platform: 'recharge', environment: 'test', kind: 'connected' }),
    ).toThrow(/CHECK/);
  });
});

describe('the runner with foreignKeysOff', () => {
  it('rolls back a rebuild that leaves a dangling reference, and turns foreign keys on again', () => {
    const p = tempDbPath();
    schema5(p);
    const raw = new Database(p);
    raw.pragma('foreign_keys = ON');
    const broken = {
      version: 6,
      name: 'broken-rebuild',
      foreignKeysOff: true,
      up: `DELETE FROM cases;`, // attempts and decisions still point at case 1
    };
    expect(() => migrate(raw, p, [...MIGRATIONS.slice(0, 5), broken], () => T0)).toThrow(
      /migration 6 left 2 broken reference\(s\)/,
    );
    expect(raw.prepare('SELECT count(*) AS n FROM cases').get()).toEqual({ n: 1 });
    expect(raw.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: 5 });
    expect(raw.pragma('foreign_keys', { simple: true })).toBe(1);
    raw.close();
  });
});
