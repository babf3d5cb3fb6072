/**
 * The receiver's way into the inbox and the processor's side of it (issue 18), on a real SQLite
 * file: a waiting group is committed by `flushWaiting` before the processor's next slice, each
 * request's promise resolving only once its row is there; and while the receiver's coalesced wake
 * is coming, the processor does not ask the loop for a pass at once.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { InboxProcessor } from '../../src/daemon/inbox.js';
import { flushWaiting, InboxWriter, wakeScheduled } from '../../src/daemon/inbox-writer.js';
import { silentLogger } from '../../src/log.js';
import { open, T0, tempDbPath } from '../db/helpers.js';

const event = (id: string) => ({ id, type: 'x.unknown', created: T0, raw: JSON.stringify({ id }) });

describe('inbox writer', () => {
  it('flushWaiting commits the waiting group at once; each add resolves only after its commit', async () => {
    const store = open(tempDbPath());
    const other = open(tempDbPath());
    const writer = new InboxWriter(store, () => undefined);
    const otherWriter = new InboxWriter(other, () => undefined);
    const seen: Array<[string, boolean, boolean]> = [];
    const adds = ['evt_w1', 'evt_w2'].map((id) =>
      writer.add(event(id)).then((inserted) => seen.push([id, inserted, store.events.get(id) !== undefined])),
    );
    const elsewhere = otherWriter.add(event('evt_w3'));
    expect(store.events.count()).toBe(0); // waiting for the end of the I/O phase
    flushWaiting(store);
    expect(store.events.count()).toBe(2);
    expect(other.events.count()).toBe(0); // another store's group is left to its own flush
    await Promise.all(adds);
    expect(seen).toEqual([
      ['evt_w1', true, true],
      ['evt_w2', true, true],
    ]);
    expect(await writer.add(event('evt_w1'))).toBe(false); // a duplicate, by the scheduled flush
    expect(await elsewhere).toBe(true);
    writer.close();
    otherWriter.close();
  });

  it('while a wake is scheduled the processor leaves due events to it; after the wake it asks again', async () => {
    const clock = new FakeClock(T0);
    const store = open(tempDbPath(), { clock });
    let woken = 0;
    const writer = new InboxWriter(store, () => woken++);
    const inbox = new InboxProcessor({
      store,
      logger: silentLogger,
      report: () => undefined,
      owner: 'me',
      leaseMs: 1000,
    });
    expect(await writer.add(event('evt_n1'))).toBe(true);
    expect(inbox.nextRetryAt()).toBe(T0); // due now, and no wake coming: a pass at once
    writer.notify();
    expect(wakeScheduled(store)).toBe(true);
    expect(inbox.nextRetryAt()).toBeNull(); // the wake runs the next pass
    await new Promise((resolve) => setTimeout(resolve, 50)); // NOTIFY_MS is 10 (wall ms)
    expect(woken).toBe(1);
    expect(wakeScheduled(store)).toBe(false);
    expect(inbox.nextRetryAt()).toBe(T0);
    writer.close();
  });
});
