import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { MIGRATIONS } from '../../src/db/index.js';
import { migrate } from '../../src/db/migrate.js';
import { open, T0, tempDbPath } from './helpers.js';

const raw = (id: string) => JSON.stringify({ id, object: 'event' });

describe('events (webhook inbox)', () => {
  it('insertIfNew stores once; a duplicate returns false and changes nothing', () => {
    const clock = new FakeClock(T0);
    const store = open(tempDbPath(), { clock });
    const e = {
      id: 'evt_1',
      type: 'invoice.payment_failed',
      accountId: 'acct_1',
      objectId: 'in_1',
      created: T0 - 5000,
      raw: raw('evt_1'),
    };
    expect(store.events.insertIfNew(e)).toBe(true);
    const before = store.events.get('evt_1');
    clock.advance(1000);
    expect(store.events.insertIfNew({ ...e, type: 'changed', raw: '{"tampered":true}' })).toBe(false);
    expect(store.events.get('evt_1')).toEqual(before);
    expect(before).toMatchObject({ receivedAt: T0, dueAt: T0, processedAt: null, tries: 0, accountId: 'acct_1' });
    expect(store.events.count()).toBe(1);
  });

  it('lists unprocessed in (created, received) order; processing and failures are recorded', () => {
    const clock = new FakeClock(T0);
    const store = open(tempDbPath(), { clock });
    store.events.insertIfNew({ id: 'evt_b', type: 't', created: 2000, raw: '{}' });
    clock.advance(1);
    store.events.insertIfNew({ id: 'evt_a', type: 't', created: 1000, raw: '{}', objectId: 'in_9' });
    clock.advance(1);
    store.events.insertIfNew({ id: 'evt_c', type: 't', created: 2000, raw: '{}', objectId: 'in_9' }); // same second as b, arrived later
    expect(store.events.listUnprocessed(10).map((e) => e.id)).toEqual(['evt_a', 'evt_b', 'evt_c']);
    expect(store.events.listUnprocessed(1).map((e) => e.id)).toEqual(['evt_a']);
    expect(store.events.recordFailure('evt_a', 'stripe timeout')).toBe(true);
    expect(store.events.get('evt_a')).toMatchObject({ tries: 0, error: 'stripe timeout', processedAt: null });
    clock.advance(10);
    expect(store.events.markProcessed('evt_a')).toBe(true);
    expect(store.events.markProcessed('evt_b', 'unknown type, skipped')).toBe(true);
    expect(store.events.get('evt_a')).toMatchObject({ processedAt: T0 + 12, error: null });
    expect(store.events.listUnprocessed(10).map((e) => e.id)).toEqual(['evt_c']);
    expect(store.events.countUnprocessed()).toBe(1);
    expect(store.events.listForObject('in_9').map((e) => e.id)).toEqual(['evt_a', 'evt_c']);
    expect(store.events.lastReceivedAt()).toBe(T0 + 2);
    expect(store.events.prune(T0 + 2)).toBe(2);
    expect(store.events.count()).toBe(1);
  });

  it('an acknowledged event is visible to another connection at once (committed on return)', () => {
    const p = tempDbPath();
    const receiver = open(p);
    const processor = open(p);
    expect(processor.events.lastReceivedAt()).toBeNull();
    receiver.events.insertIfNew({ id: 'evt_x', type: 'invoice.paid', created: T0, raw: raw('evt_x') });
    expect(processor.events.get('evt_x')?.raw).toBe(raw('evt_x'));
  });

  it('rejects ids that are not Stripe event ids', () => {
    const store = open();
    expect(() => store.events.insertIfNew({ id: 'nope', type: 't', created: 0, raw: '{}' })).toThrow(/CHECK/);
  });

  it('keeps the body apart from the row (migration 010): claimed rows lack it, body(seq) has it', () => {
    const store = open();
    store.events.insertIfNew({ id: 'evt_q', type: 't', created: 0, raw: raw('evt_q') });
    const [claimed] = store.events.queue.claimDue(T0 + 1, 1000, 10, 'me');
    expect(claimed.id).toBe('evt_q');
    expect('raw' in claimed).toBe(false);
    expect(store.events.body(claimed.seq)).toBe(raw('evt_q'));
    expect(store.events.body(claimed.seq + 1)).toBeUndefined();
  });

  it('migration 010 moves the bodies of a v9 database under the same rowid; a delete takes its body along', () => {
    const p = tempDbPath();
    const db = new Database(p);
    migrate(db, p, MIGRATIONS.slice(0, 9), () => T0);
    const insert = db.prepare(
      `INSERT INTO events (id, type, created, raw, received_at, due_at) VALUES (?, 't', 0, ?, ?, ?)`,
    );
    for (const id of ['evt_m1', 'evt_m2', 'evt_m3']) insert.run(id, raw(id), T0, T0);
    db.prepare(`DELETE FROM events WHERE id = 'evt_m1'`).run(); // a gap: rowids 2 and 3 remain
    db.close();
    const store = open(p);
    expect(store.events.get('evt_m3')).toMatchObject({ seq: 3, raw: raw('evt_m3') });
    expect(store.events.body(2)).toBe(raw('evt_m2'));
    store.events.markProcessed('evt_m2');
    expect(store.events.prune(T0 + 1)).toBe(1);
    expect(store.events.body(2)).toBeUndefined();
    expect(store.events.body(3)).toBe(raw('evt_m3'));
  });
});
