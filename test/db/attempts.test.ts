import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { attemptIdempotencyKey } from '../../src/db/index.js';
import { addCase, open, T0, tempDbPath } from './helpers.js';

const MIN = 60_000;

describe('attempts', () => {
  it('schedule numbers attempts per case and derives the idempotency key', () => {
    const store = open();
    store.accounts.upsert({ id: 'acct_9', environment: 'live', kind: 'connected' });
    const id = addCase(store, { accountId: 'acct_9', invoiceId: 'in_abc' });
    const a1 = store.attempts.schedule(id, T0 + MIN);
    expect(a1).toMatchObject({
      caseId: id,
      n: 1,
      by: 'recover',
      scheduledAt: T0 + MIN,
      finishedAt: null,
      claimedBy: null,
    });
    expect(a1.idempotencyKey).toBe(attemptIdempotencyKey('acct_9', 'in_abc', 1));
    expect(a1.idempotencyKey).toBe('recover:acct_9:in_abc:1');
    store.attempts.claimDue(T0 + MIN, MIN, 10, 'd1');
    store.attempts.finish(a1.id, 'd1', { outcome: 'declined', at: T0 + MIN, declineCode: 'insufficient_funds' });
    const a2 = store.attempts.schedule(id, T0 + 60 * MIN);
    expect(a2.n).toBe(2);
    expect(a2.idempotencyKey).toBe('recover:acct_9:in_abc:2');
    expect(store.attempts.getByIdempotencyKey('recover:acct_9:in_abc:1')!.id).toBe(a1.id);
    expect(store.attempts.listForCase(id).map((a) => a.n)).toEqual([1, 2]);
  });

  it('allows one pending attempt per case, and none on an ended or unknown case', () => {
    const store = open();
    const id = addCase(store);
    store.attempts.schedule(id, T0);
    expect(() => store.attempts.schedule(id, T0 + MIN)).toThrow(/already has a pending attempt/);
    expect(store.attempts.reschedule(id, T0 + 5 * MIN, T0)).toBe(true);
    expect(store.attempts.pendingForCase(id)!.scheduledAt).toBe(T0 + 5 * MIN);
    const ended = addCase(store, { status: 'lost' });
    expect(() => store.attempts.schedule(ended, T0)).toThrow(/has ended/);
    expect(() => store.attempts.schedule(424242, T0)).toThrow(/no case 424242/);
  });

  it('the schema enforces unique (case, n) and unique idempotency keys', () => {
    const p = tempDbPath();
    const store = open(p);
    const a = addCase(store);
    const b = addCase(store);
    const raw = new Database(p);
    const ins = raw.prepare(
      `INSERT INTO attempts (case_id, n, made_by, scheduled_at, finished_at, outcome, idempotency_key, created_at)
       VALUES (?, ?, 'recover', 0, 0, 'declined', ?, 0)`,
    );
    ins.run(a, 1, 'k1');
    expect(() => ins.run(a, 1, 'k2')).toThrow(/UNIQUE constraint failed: attempts.case_id, attempts.n/);
    expect(() => ins.run(b, 1, 'k1')).toThrow(/UNIQUE constraint failed: attempts.idempotency_key/);
    // Our own attempts must carry a key; observed ones are never pending.
    expect(() =>
      raw
        .prepare(`INSERT INTO attempts (case_id, n, made_by, scheduled_at, created_at) VALUES (?, 2, 'recover', 0, 0)`)
        .run(a),
    ).toThrow(/CHECK/);
    expect(() =>
      raw
        .prepare(`INSERT INTO attempts (case_id, n, made_by, scheduled_at, created_at) VALUES (?, 2, 'stripe', 0, 0)`)
        .run(a),
    ).toThrow(/CHECK/);
    raw.close();
  });

  it('claimDue hands out due attempts earliest first, with a lease, and each only once', () => {
    const store = open();
    const ids = [3, 1, 2, 9].map((m) => store.attempts.schedule(addCase(store), T0 + m * MIN).id);
    expect(store.attempts.claimDue(T0, MIN, 10, 'd1')).toEqual([]);
    expect(store.attempts.nextDueAt()).toBe(T0 + MIN);
    const got = store.attempts.claimDue(T0 + 5 * MIN, 2 * MIN, 10, 'd1');
    expect(got.map((a) => a.id)).toEqual([ids[1], ids[2], ids[0]]);
    expect(got.every((a) => a.claimedBy === 'd1' && a.claimedUntil === T0 + 7 * MIN)).toBe(true);
    expect(store.attempts.claimDue(T0 + 5 * MIN, 2 * MIN, 10, 'd2')).toEqual([]);
    // Next wake-up: the earliest lease expiry (T0+7m) beats the unclaimed attempt at T0+9m.
    expect(store.attempts.nextDueAt()).toBe(T0 + 7 * MIN);
    expect(store.attempts.claimDue(T0 + 5 * MIN, MIN, 0, 'd1')).toEqual([]);
  });

  it('an expired lease makes the attempt claimable again; the old owner can no longer start it', () => {
    const store = open();
    const a = store.attempts.schedule(addCase(store), T0);
    expect(store.attempts.claimDue(T0, MIN, 1, 'old')).toHaveLength(1);
    expect(store.attempts.claimDue(T0 + MIN - 1, MIN, 1, 'new')).toHaveLength(0); // lease still valid
    const again = store.attempts.claimDue(T0 + MIN, MIN, 1, 'new'); // lease ends exactly now
    expect(again.map((x) => [x.id, x.claimedBy])).toEqual([[a.id, 'new']]);
    expect(store.attempts.markStarted(a.id, 'old', T0 + MIN)).toBe(false);
    expect(store.attempts.finish(a.id, 'old', { outcome: 'succeeded', at: T0 + MIN })).toBe(false);
    expect(store.attempts.markStarted(a.id, 'new', T0 + MIN)).toBe(true);
    expect(
      store.attempts.finish(a.id, 'new', {
        outcome: 'succeeded',
        at: T0 + MIN + 5,
        chargeId: 'ch_1',
        amount: 2500,
        currency: 'usd',
      }),
    ).toBe(true);
    expect(store.attempts.get(a.id)).toMatchObject({
      outcome: 'succeeded',
      finishedAt: T0 + MIN + 5,
      chargeId: 'ch_1',
      tries: 1,
    });
    expect(store.attempts.getByChargeId('ch_1')!.id).toBe(a.id);
    expect(store.attempts.nextDueAt()).toBeNull();
  });

  it('an interrupted (started) attempt is in flight, and is resumed with the same key after its lease', () => {
    const store = open();
    const a = store.attempts.schedule(addCase(store), T0);
    store.attempts.claimDue(T0, MIN, 1, 'crashed');
    expect(store.attempts.markStarted(a.id, 'crashed', T0 + 1)).toBe(true);
    expect(store.attempts.listInFlight().map((x) => x.id)).toEqual([a.id]);
    const resumed = store.attempts.claimDue(T0 + 2 * MIN, MIN, 5, 'restarted');
    expect(resumed).toHaveLength(1);
    expect(resumed[0]).toMatchObject({ id: a.id, startedAt: T0 + 1, idempotencyKey: a.idempotencyKey });
    expect(store.attempts.markStarted(a.id, 'restarted', T0 + 2 * MIN)).toBe(true);
    expect(store.attempts.get(a.id)!.tries).toBe(2);
    expect(store.attempts.get(a.id)!.startedAt).toBe(T0 + 1);
  });

  it('release, renew, cancelPending', () => {
    const store = open();
    const caseId = addCase(store);
    const a = store.attempts.schedule(caseId, T0);
    store.attempts.claimDue(T0, MIN, 1, 'd');
    expect(store.attempts.renew(a.id, 'd', T0 + 10 * MIN)).toBe(true);
    expect(store.attempts.renew(a.id, 'x', T0 + 20 * MIN)).toBe(false);
    expect(store.attempts.claimDue(T0 + 5 * MIN, MIN, 1, 'other')).toHaveLength(0);
    expect(store.attempts.reschedule(caseId, T0 + MIN, T0)).toBe(false); // leased: not movable
    expect(store.attempts.release(a.id, 'd', T0 + 30 * MIN)).toBe(true);
    expect(store.attempts.get(a.id)).toMatchObject({ claimedBy: null, claimedUntil: null, scheduledAt: T0 + 30 * MIN });
    expect(store.attempts.nextDueAt()).toBe(T0 + 30 * MIN);
    expect(store.attempts.cancelPending(caseId, T0 + 1, 'invoice paid by customer')).toBe(1);
    expect(store.attempts.get(a.id)).toMatchObject({
      outcome: 'canceled',
      finishedAt: T0 + 1,
      note: 'invoice paid by customer',
    });
    expect(store.attempts.markStarted(a.id, 'd', T0 + 2)).toBe(false);
    expect(store.attempts.pendingForCase(caseId)).toBeUndefined();
  });

  it('records Stripe/customer attempts once per charge', () => {
    const store = open();
    const caseId = addCase(store, { arm: 'control', status: 'observing' });
    const r1 = store.attempts.record({
      caseId,
      by: 'stripe',
      outcome: 'declined',
      at: T0,
      chargeId: 'ch_s1',
      declineCode: 'insufficient_funds',
      networkAdviceCode: '24',
    });
    expect(r1.inserted).toBe(true);
    expect(r1.attempt).toMatchObject({
      n: 1,
      by: 'stripe',
      idempotencyKey: null,
      finishedAt: T0,
      networkAdviceCode: '24',
    });
    const r2 = store.attempts.record({ caseId, by: 'stripe', outcome: 'declined', at: T0, chargeId: 'ch_s1' });
    expect(r2).toEqual({ attempt: r1.attempt, inserted: false });
    expect(store.attempts.record({ caseId, by: 'customer', outcome: 'succeeded', at: T0 + 1 }).attempt.n).toBe(2);
  });

  it('the scheduler queries use their indexes (no table scan, no sort)', () => {
    const p = tempDbPath();
    open(p);
    const raw = new Database(p, { readonly: true });
    const plan = (sql: string) =>
      (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
    const due = plan(
      `SELECT id FROM attempts WHERE finished_at IS NULL AND scheduled_at <= 5 AND (claimed_until IS NULL OR claimed_until <= 5) ORDER BY scheduled_at, id LIMIT 50`,
    );
    expect(due).toMatch(/attempts_due/);
    expect(due).not.toMatch(/TEMP B-TREE|SCAN attempts(?! USING)/);
    expect(
      plan(`SELECT min(claimed_until) FROM attempts WHERE finished_at IS NULL AND claimed_until IS NOT NULL`),
    ).toMatch(/attempts_leases/);
    const events = plan(
      `SELECT id FROM events WHERE processed_at IS NULL ORDER BY created, received_at, rowid LIMIT 10`,
    );
    expect(events).toMatch(/events_unprocessed/);
    expect(events).not.toMatch(/TEMP B-TREE/);
    expect(plan(`SELECT count(*) FROM card_attempts WHERE fingerprint = 'f' AND at > 1 AND at <= 2`)).toMatch(
      /card_attempts_window/,
    );
    raw.close();
  });
});
