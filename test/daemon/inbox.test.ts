/**
 * The inbox on the one queue (src/db/queue.ts): a failing event is given back with a persisted
 * backoff, the later events of its invoice wait behind it (per-invoice order), other invoices'
 * events do not, and it is given up after MAX_TRIES starts. Real SQLite file, real handlers: the
 * failure is a body that is not JSON (a bug, not transient), and unknown types are stored and skipped.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { InboxProcessor, MAX_TRIES } from '../../src/daemon/inbox.js';
import type { HandlerDeps } from '../../src/daemon/handlers/index.js';
import type { ProcessedReport } from '../../src/daemon/types.js';
import { silentLogger } from '../../src/log.js';
import { open, T0, tempDbPath } from '../db/helpers.js';

describe('inbox on the queue', () => {
  it('a failing event holds back its invoice only, backs off on the clock, is given up after MAX_TRIES', async () => {
    const clock = new FakeClock(T0);
    const store = open(tempDbPath(), { clock });
    // Arrival order b, c, a; Stripe's order a (1000), c (1500), b (2000).
    store.events.insertIfNew({ id: 'evt_b', type: 'x.unknown', objectId: 'in_1', created: 2000, raw: '{}' });
    store.events.insertIfNew({ id: 'evt_c', type: 'x.unknown', objectId: 'in_2', created: 1500, raw: '{}' });
    store.events.insertIfNew({
      id: 'evt_a',
      type: 'invoice.payment_failed',
      objectId: 'in_1',
      created: 1000,
      raw: '{x',
    });
    const reports: ProcessedReport[] = [];
    const inbox = new InboxProcessor({
      store,
      logger: silentLogger,
      report: (r) => reports.push(r),
      owner: 'me',
      leaseMs: 60_000,
    });
    const deps = { now: () => clock.now() } as unknown as HandlerDeps;
    const stop = () => false;

    expect(await inbox.drain(deps, stop)).toBe(1);
    expect(reports.map((r) => [r.id, r.outcome])).toEqual([
      ['evt_a', 'retry'],
      ['evt_c', 'processed'],
    ]);
    const a = store.events.get('evt_a')!;
    expect(a).toMatchObject({ tries: 1, processedAt: null, claimedBy: null });
    expect(a.dueAt).toBeGreaterThan(T0); // the backoff is in the file: a restart does not retry at once
    expect(store.events.get('evt_b')!.dueAt).toBe(a.dueAt + 1); // waits just behind evt_a
    expect(inbox.nextRetryAt()).toBe(a.dueAt);
    expect(await inbox.drain(deps, stop)).toBe(0); // nothing due before the backoff

    for (let i = 0; i < 20 && store.events.countUnprocessed() > 0; i++) {
      clock.set(inbox.nextRetryAt()!);
      await inbox.drain(deps, stop);
    }
    const order = reports.map((r) => `${r.id}:${r.outcome}`);
    expect(order.filter((x) => x === 'evt_a:retry')).toHaveLength(MAX_TRIES - 1);
    expect(order.slice(-2)).toEqual(['evt_a:given_up', 'evt_b:processed']);
    expect(store.events.get('evt_a')).toMatchObject({ tries: MAX_TRIES });
    expect(store.events.get('evt_a')!.error).toMatch(/JSON/);
  });
});
