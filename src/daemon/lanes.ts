/**
 * Lanes for the inbox (issue 18): tasks with the same key run one at a time in the order they were
 * submitted; tasks of different keys run concurrently, at most `limit` keys at once; a task keyed
 * null is a barrier (it waits for everything in flight, runs alone, and holds back what comes
 * after it). Only the awaits interleave: each task's synchronous work (its SQLite transaction) is
 * never cut in two. A task's error is kept and thrown by `idle()`, after every lane has settled.
 */
import { customerOf, type EventFacts } from './event-facts.js';

export class Lanes {
  /** The last task of each busy key; a lane is busy while its tail has not settled. */
  private readonly tails = new Map<string, Promise<void>>();
  private error: unknown = null;
  private failed = false;
  /** Tasks running now (started, not settled). */
  inFlight = 0;

  constructor(private readonly limit: number) {}

  /**
   * Admits `task` under `key`; resolves once it is admitted (a barrier: once it has run). True when
   * it had to wait for a lane to settle (the event loop ran in between).
   */
  async submit(key: string | null, task: () => Promise<void>): Promise<boolean> {
    if (key === null) {
      const waited = this.tails.size > 0;
      await this.settleAll();
      await this.counted(task);
      return waited;
    }
    let waited = false;
    if (!this.tails.has(key)) {
      while (this.tails.size >= this.limit) {
        waited = true;
        await Promise.race(this.tails.values());
      }
    }
    const run = () => this.counted(task);
    const tail: Promise<void> = (this.tails.get(key) ?? Promise.resolve()).then(run).finally(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    this.tails.set(key, tail);
    return waited;
  }

  /** Waits for every lane to settle; throws the first task error, if any. */
  async idle(): Promise<void> {
    await this.settleAll();
    if (this.failed) {
      this.failed = false;
      throw this.error;
    }
  }

  private async settleAll(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }

  private async counted(task: () => Promise<void>): Promise<void> {
    this.inFlight++;
    try {
      await task();
    } catch (e) {
      if (!this.failed) [this.failed, this.error] = [true, e];
    } finally {
      this.inFlight--;
    }
  }
}

/**
 * The inbox lane of an event: its account and customer, or null (a barrier) when the customer is
 * unknown or the event is account-level. Why events of different customers may run at once, by
 * handler (src/daemon/handlers/): every handler reads Stripe first and then writes once, inside
 * `commit`'s synchronous transaction, so no two events' writes ever interleave; what differs is only
 * which of two customers' commits comes first, and the state they share is order-free:
 * - failures, payments, closures, card-update: cases, attempts, decisions and outbox rows of the
 *   event's own invoice or customer (one lane); intake opens the case of the event's own invoice;
 * - cards (by fingerprint, may be shared by customers): upsert keeps min/max seen and coalesces, so
 *   any order gives the same row; card attempt counts are read inside the deciding transaction;
 * - counters (`refunded:*`) and history charges (by charge id): increments and idempotent inserts;
 * - learned stats (PolicyContext): counts, written in the outcome's transaction; a decision of
 *   another customer may see them one event earlier or later, as it could with a webhook that
 *   arrived a moment sooner; random sources are seeded by case and clock, never by order;
 * - checkout.session.completed polls every open card-update session (pollNow): a barrier.
 */
export function laneOf(f: EventFacts | null): string | null {
  if (!f || f.type === 'checkout.session.completed') return null;
  const customer = customerOf(f.object);
  return customer === null ? null : `${f.account ?? ''}/${customer}`;
}
