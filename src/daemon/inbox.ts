/**
 * The inbox processor, on the one queue (src/db/queue.ts) and drain loop (drain.ts) like attempts
 * and jobs: claims due events, runs each batch in Stripe's order (`created`, then arrival) and
 * hands each to its handler. One event's effects and its `processed_at` are written in one
 * transaction, so a crash re-runs an event at most, never half of it, and every handler is
 * written to be re-run safely. A failing event is given back with a backoff (its invoice's later
 * events wait behind it, keeping per-invoice order) and given up after MAX_TRIES, with the error
 * kept for `recover explain`.
 *
 * Events of different customers run concurrently, up to CONCURRENCY at once, in lanes keyed by
 * account and customer (lanes.ts, which lists why that is safe handler by handler): one customer's
 * events, and so one invoice's, still run one at a time in Stripe's order, and an event of no known
 * customer is a barrier that runs alone. An event no handler takes writes nothing and makes no call:
 * it runs at once, outside the lanes (its body is not read). Only the Stripe awaits interleave; each
 * event's commit stays one synchronous transaction.
 *
 * The processor shares the event loop with the webhook receiver, and the receiver's acks come
 * first (issue 18: 200 events in one go held every ack for tens of ms). A batch is worked in
 * slices of at most SLICE_MS; after each, the processor yields to I/O (setImmediate) and keeps
 * yielding while the receiver is busy (a loop turn took QUIET_MS or more), for at most PAUSE_MS:
 * under a burst the inbox gets at least SLICE_MS / (SLICE_MS + PAUSE_MS) of the loop and catches
 * up after it; with the receiver quiet it runs flat out.
 */
import type { QueuedEvent, Store } from '../db/index.js';
import type { Logger } from '../log.js';
import { isGatewayError, isRetryable } from '../stripe/index.js';
import { backoffDelayMs, INBOX_BACKOFF } from './backoff.js';
import { drain } from './drain.js';
import { eventFacts, type EventFacts } from './event-facts.js';
import { flushWaiting, wakeScheduled } from './inbox-writer.js';
import { HANDLERS, type Commit, type HandlerDeps } from './handlers/index.js';
import { laneOf, Lanes } from './lanes.js';
import type { ProcessedReport } from './types.js';

/** Failures after which an event that is not transient is given up (kept for `explain`). */
export const MAX_TRIES = 6;
/**
 * Events claimed at once. A claim is one UPDATE … RETURNING that costs ~10 µs a row (a CPU profile
 * of `npm run bench -- ingest`, 2 Dec): 200 rows were 2 ms, a whole slice in one statement.
 */
const BATCH = 64;
/**
 * Events of different customers in flight at once (issue 18): the handlers mostly wait on Stripe
 * reads, so a few lanes overlap those waits; each lane holds one event's reads in memory.
 * 1 = one event at a time, as before (`npm run bench -- inbox-latency`: 3.8x the cases/s at 250 ms).
 */
const CONCURRENCY = 4;
/**
 * Longest run of event processing between two yields to I/O, wall ms. Every request that arrives
 * meanwhile waits for the slice's end, so the slice is the floor of the ack's tail (issue 18: 4 ms
 * slices with 32 requests in flight).
 */
const SLICE_MS = 2;
/** Longest pause after a slice while the receiver is busy, wall ms (the inbox keeps >= 25% of the loop). */
const PAUSE_MS = 6;
/** A loop turn shorter than this means no request was waiting, wall ms. */
const QUIET_MS = 0.5;

const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Yields to I/O until a loop turn comes back quick (nothing waiting) or PAUSE_MS have passed. */
async function yieldToReceiver(): Promise<void> {
  const t0 = performance.now();
  for (;;) {
    const t = performance.now();
    await immediate();
    const now = performance.now();
    if (now - t < QUIET_MS || now - t0 >= PAUSE_MS) return;
  }
}

/** Deliveries of another platform (e.g. `recharge:*`, src/connectors/recharge/daemon-part.ts) and their handler. */
export interface PlatformInbox {
  handles(type: string): boolean;
  apply(type: string, raw: string, settings: HandlerDeps['settings'], commit: Commit): Promise<string>;
}

interface InboxOptions {
  store: Store;
  logger: Logger;
  report: (r: ProcessedReport) => void;
  /** The daemon's owner id and lease on a claimed event (clock ms), as for attempts and jobs. */
  owner: string;
  leaseMs: number;
  /** Deliveries of another platform (e.g. `recharge:*`) go to it (one at a time: barriers). */
  platform?: PlatformInbox;
  /** Events of different customers processed at once; CONCURRENCY unless set (1 = one at a time). */
  concurrency?: number;
}

export class InboxProcessor {
  private readonly store: Store;
  private readonly logger: Logger;
  private readonly report: (r: ProcessedReport) => void;
  private readonly platform: PlatformInbox | undefined;
  /** Processed events that wrote nothing (skipped), to be marked together in one transaction. */
  private skipped: Array<{ ev: QueuedEvent; result: string }> = [];
  private skippedObjects = new Set<string>();
  /** The lanes of the batch being worked. */
  private lanes: Lanes | null = null;

  constructor(private readonly o: InboxOptions) {
    ({ store: this.store, logger: this.logger, report: this.report, platform: this.platform } = o);
  }

  /** Processes what is due; returns how many events were processed (or given up). */
  async drain(deps: HandlerDeps, shouldStop: () => boolean): Promise<number> {
    const q = this.store.events.queue;
    let done = 0;
    // One slice clock across the claims and the events: a claim (one UPDATE of up to BATCH rows)
    // counts against the slice it starts, so a claim and a whole slice never run back to back.
    // Requests already read are committed (and answered) before a slice, never after it.
    flushWaiting(this.store);
    let sliceStart = performance.now();
    const endSlice = async (): Promise<void> => {
      this.markSkipped();
      await yieldToReceiver();
      flushWaiting(this.store);
      sliceStart = performance.now();
    };
    const claimed = await drain<QueuedEvent>({
      claim: (limit) => q.claimDue(deps.now(), this.o.leaseMs, limit, this.o.owner),
      concurrency: BATCH,
      shouldStop,
      run: async (batch) => {
        batch.sort((x, y) => x.created - y.created || x.receivedAt - y.receivedAt || x.seq - y.seq);
        const lanes = new Lanes(this.o.concurrency ?? CONCURRENCY);
        this.lanes = lanes;
        for (const ev of batch) {
          if (performance.now() - sliceStart >= SLICE_MS) await endSlice();
          const platform = this.platform?.handles(ev.type) ?? false;
          if (!platform && !HANDLERS[ev.type]) {
            if (await this.step(ev, null, deps, shouldStop)) done++;
            continue;
          }
          const facts = platform ? null : this.factsOf(ev);
          const step = async () => {
            if (await this.step(ev, facts, deps, shouldStop)) done++;
          };
          // A wait for a lane went through the event loop: the receiver had its turn.
          if (await lanes.submit(platform ? null : laneOf(facts), step)) {
            flushWaiting(this.store);
            sliceStart = performance.now();
          }
        }
        await lanes.idle();
        if (performance.now() - sliceStart >= SLICE_MS) await endSlice();
      },
    });
    this.markSkipped();
    // The pass goes on with jobs, attempts, the sweep and the outbox: requests that arrived during
    // the last slice are answered first, so that slice and those phases never add up on one ack.
    if (claimed > 0) {
      await immediate();
      flushWaiting(this.store);
    }
    return done;
  }

  /**
   * Marks the skipped events processed, all in one transaction, then reports them. A skipped event
   * wrote nothing, so a crash before this only means it is skipped again (handlers are safe to
   * re-run); one commit per skip was most of the inbox's WAL volume (issue 18).
   */
  private markSkipped(): void {
    if (this.skipped.length === 0) return;
    const done = this.skipped;
    this.skipped = [];
    this.skippedObjects.clear();
    this.store.tx(() => {
      for (const { ev } of done) this.store.events.markProcessed(ev.id, null);
    });
    for (const { ev, result } of done) {
      try {
        this.processed(ev, result);
      } catch (e) {
        // Marked already; only a report/listener after it failed (as in one()).
        const err = (e as Error).message ?? String(e);
        this.logger.warn({ event: ev.id, type: ev.type, err }, 'event processed, but reporting it failed');
      }
    }
  }

  /** Runs one claimed event in its lane, in Stripe's order; true when it is done. */
  private async step(
    ev: QueuedEvent,
    facts: EventFacts | null,
    deps: HandlerDeps,
    shouldStop: () => boolean,
  ): Promise<boolean> {
    const q = this.store.events.queue;
    if (shouldStop()) {
      q.release(ev.seq, this.o.owner);
      return false;
    }
    // An earlier event of the same invoice is still to do (a retry's backoff): wait until just
    // after it is due (+1 ms: due ties are claimed by rowid, which may put this one first).
    if (ev.objectId !== null && this.skippedObjects.has(ev.objectId)) this.markSkipped();
    const blocker = this.store.events.blockerDueAt(ev);
    if (blocker !== null) {
      q.release(ev.seq, this.o.owner, Math.max(blocker, deps.now()) + 1);
      return false;
    }
    if (!q.start(ev.seq, this.o.owner, deps.now())) return false; // lease lost: its new owner runs it
    return this.one(ev, facts, ev.tries + 1, deps);
  }

  /** The event's facts (its body read), or null when the body is missing or not JSON (its run then fails). */
  private factsOf(ev: QueuedEvent): EventFacts | null {
    try {
      const body = this.store.events.body(ev.seq);
      return body === undefined ? null : eventFacts(JSON.parse(body));
    } catch {
      return null;
    }
  }

  private processed(ev: QueuedEvent, result: string): void {
    this.logger.debug({ event: ev.id, type: ev.type, result }, 'event processed');
    this.report({ id: ev.id, type: ev.type, outcome: 'processed', result, inFlight: this.inFlight() });
  }

  /** Events being processed now (1 when one runs alone). */
  private inFlight(): number {
    return Math.max(1, this.lanes?.inFlight ?? 1);
  }

  /** The handler wrote nothing: marked processed with the next group (markSkipped). */
  private skip(ev: QueuedEvent, result: string): void {
    this.skipped.push({ ev, result });
    if (ev.objectId !== null) this.skippedObjects.add(ev.objectId);
  }

  /**
   * Earliest clock time an event becomes due again, or null. While the receiver's wake is coming
   * (inbox-writer.ts, within NOTIFY_MS) the answer is null: the events that arrived during a pass
   * are due at once, and asking for a pass at once ran the loop back to back, a whole pass (the
   * sweep, jobs, attempts, outbox: ~0.4 ms) per few events (issue 18, a CPU profile at 4 in flight).
   * That wake runs the next pass, and this is asked again after it.
   */
  nextRetryAt(): number | null {
    if (wakeScheduled(this.store)) return null;
    return this.store.events.queue.nextDueAt();
  }

  /** Runs one started event (`tries` counts this start); true when it is done (processed or given up). */
  private async one(ev: QueuedEvent, facts: EventFacts | null, tries: number, deps: HandlerDeps): Promise<boolean> {
    const { id, type } = ev;
    const handler = HANDLERS[type];
    // The body is read only for an event that has a handler (migration 010: it is not in the claimed row).
    const raw = (): string => {
      const body = this.store.events.body(ev.seq);
      if (body === undefined) throw new Error(`event ${id} has no stored body`);
      return body;
    };
    let committed = false;
    const commit = (fn: () => string): string =>
      this.store.tx(() => {
        const result = fn();
        this.store.events.markProcessed(id, null);
        committed = true;
        return result;
      });
    try {
      let result: string;
      if (this.platform?.handles(type)) {
        result = await this.platform.apply(type, raw(), deps.settings, commit);
      } else if (!handler) {
        result = 'unknown type: stored and skipped';
      } else {
        const f = facts ?? eventFacts(JSON.parse(raw()));
        result = await handler(f, deps, commit);
      }
      if (!committed) {
        this.skip(ev, result);
        return true;
      }
      this.processed(ev, result);
      return true;
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      if (committed) {
        // The event's writes are in; only a report/listener after them failed.
        this.logger.warn({ event: id, type, err: message }, 'event processed, but reporting it failed');
        return true;
      }
      const transient = isRetryable(e);
      if (tries >= MAX_TRIES && !transient) {
        this.store.events.markProcessed(id, message);
        this.logger.error({ event: id, type, tries, err: message }, 'event processing given up');
        this.report({ id, type, outcome: 'given_up', result: 'given up', error: message, inFlight: this.inFlight() });
        return true;
      }
      this.store.events.recordFailure(id, message);
      const delay = backoffDelayMs(tries, INBOX_BACKOFF);
      this.store.events.queue.release(ev.seq, this.o.owner, deps.now() + delay);
      const level = isGatewayError(e) ? 'warn' : 'error';
      this.logger[level](
        { event: id, type, tries, err: message, retryInMs: delay },
        'event processing failed; will retry',
      );
      this.report({ id, type, outcome: 'retry', result: 'retry later', error: message, inFlight: this.inFlight() });
      return false;
    }
  }
}
