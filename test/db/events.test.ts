import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
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
});
