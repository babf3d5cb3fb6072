/**
 * The receiver's way into the inbox: a group commit, and a wake of the loop that is coalesced.
 *
 * Group commit: verified events wait for the end of the event loop's current I/O phase
 * (setImmediate), then every event that arrived in it is inserted in ONE transaction, and only
 * once that commit has returned is each request answered (the caller awaits `store()`): the 200
 * still means "durable in SQLite". One commit per group instead of one per event writes the
 * pages the events share (the table's last leaf, the index leaves they append to) once, which is
 * most of the WAL volume: an event is ~3 KiB, its autocommit wrote ~7 pages of 4 KiB (issue 18).
 * If the group's transaction fails (a row refused by a CHECK), each event is retried alone, so
 * only the bad one's request fails (500, and Stripe retries it).
 *
 * Coalesced wake: the loop's pass (inbox, jobs, attempts, sweep, outbox) costs ~0.7 ms whatever
 * it finds; woken per event it ran one pass per event and the receiver got a fifth of the
 * reference's throughput. The loop is told at most once per NOTIFY_MS instead; each pass then
 * finds the events of that window together.
 *
 * Flushed ahead of the inbox's slices (`flushWaiting`): a group waits for a setImmediate queued
 * during the poll phase, and the inbox processor's own yield (inbox.ts) was queued earlier, in the
 * previous check phase, so it ran first and the requests already read waited a whole slice for
 * their commit (issue 18). The processor commits the waiting group before each slice instead.
 */
import type { NewEvent, Store } from '../db/index.js';

/** Most events in one group commit (bounds the transaction, ms of work, at ~20 µs an insert). */
const MAX_GROUP = 256;
/** The loop is woken at most this often by new events, wall ms (an event waits at most this long). */
const NOTIFY_MS = 10;

/** The writers on each store, for `flushWaiting` (a store has one receiver; tests may run several). */
const WRITERS = new WeakMap<Store, Set<InboxWriter>>();

/** Commits every group waiting on `store` now, so its requests are answered before other work runs. */
export function flushWaiting(store: Store): void {
  for (const w of WRITERS.get(store) ?? []) w.flush();
}

/**
 * Whether a writer on `store` will wake the loop within NOTIFY_MS (events arrived since its last
 * wake): the inbox then leaves those events to that wake instead of asking for a pass at once.
 */
export function wakeScheduled(store: Store): boolean {
  for (const w of WRITERS.get(store) ?? []) if (w.wakePending()) return true;
  return false;
}

interface Waiting {
  event: NewEvent;
  resolve: (inserted: boolean) => void;
  reject: (e: unknown) => void;
}

export class InboxWriter {
  private waiting: Waiting[] = [];
  private flushScheduled = false;
  private notifyTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    /** Wakes the daemon's loop (a new event is in the inbox). */
    private readonly onEvent: () => void,
  ) {
    let writers = WRITERS.get(store);
    if (!writers) WRITERS.set(store, (writers = new Set()));
    writers.add(this);
  }

  /** Resolves with whether the event was new once it is committed; rejects if it could not be stored. */
  add(event: NewEvent): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ event, resolve, reject });
      if (this.waiting.length >= MAX_GROUP) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** A new event is stored: the loop is woken within NOTIFY_MS (one wake for all of that window's events). */
  notify(): void {
    this.notifyTimer ??= setTimeout(() => {
      this.notifyTimer = undefined;
      this.onEvent();
    }, NOTIFY_MS);
  }

  wakePending(): boolean {
    return this.notifyTimer !== undefined;
  }

  /** Commits what is waiting now (the server's close calls it so no request is left unanswered). */
  flush(): void {
    this.flushScheduled = false;
    const group = this.waiting;
    this.waiting = [];
    if (group.length === 0) return;
    let flags: boolean[];
    try {
      flags = this.store.events.insertManyIfNew(group.map((w) => w.event));
    } catch {
      // One refused row fails the whole group: each alone, so only that request fails.
      for (const w of group) this.one(w);
      return;
    }
    group.forEach((w, i) => w.resolve(flags[i]));
  }

  /** Cancels a pending wake (the daemon is stopping). */
  close(): void {
    this.flush();
    WRITERS.get(this.store)?.delete(this);
    clearTimeout(this.notifyTimer);
    this.notifyTimer = undefined;
  }

  /** Stores one event alone and answers it. */
  private one(w: Waiting): void {
    try {
      w.resolve(this.store.events.insertIfNew(w.event));
    } catch (e) {
      w.reject(e);
    }
  }
}
