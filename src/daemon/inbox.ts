/**
 * The inbox processor: takes unprocessed events oldest first (Stripe's `created`, then arrival)
 * and hands each to its handler. One event's effects and its `processed_at` are written in one
 * transaction, so a crash re-runs an event at most, never half of it, and every handler is
 * written to be re-run safely. A failing event is retried with backoff (its invoice's later
 * events wait behind it, keeping per-invoice order) and given up after MAX_TRIES, with the error
 * kept for `recover explain`.
 */
import type { Store } from '../db/index.js';
import type { Logger } from '../log.js';
import { isGatewayError, isRetryable } from '../stripe/index.js';
import { backoffDelayMs, INBOX_BACKOFF } from './backoff.js';
import { eventFacts } from './event-facts.js';
import { HANDLERS, type Commit, type HandlerDeps } from './handlers/index.js';
import type { ProcessedReport } from './types.js';

/** Failures after which an event that is not transient is given up (kept for `explain`). */
export const MAX_TRIES = 6;
const BATCH = 200;

/** Deliveries of another platform (e.g. `recharge:*`, src/connectors/recharge/daemon-part.ts) and their handler. */
export interface PlatformInbox {
  handles(type: string): boolean;
  apply(type: string, raw: string, settings: HandlerDeps['settings'], commit: Commit): Promise<string>;
}

export class InboxProcessor {
  /** eventId → clock ms before which it is not retried. In memory: a restart retries at once. */
  private readonly notBefore = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly report: (r: ProcessedReport) => void,
    private readonly platform?: PlatformInbox,
  ) {}

  /** Processes what is due; returns how many events were processed (or given up). */
  async drain(deps: HandlerDeps, shouldStop: () => boolean): Promise<number> {
    let done = 0;
    for (;;) {
      const batch = this.store.events.listUnprocessed(BATCH);
      const now = deps.now();
      const blocked = new Set<string>();
      let progressed = 0;
      for (const ev of batch) {
        if (shouldStop()) return done;
        const key = ev.objectId ?? ev.id;
        const wait = this.notBefore.get(ev.id);
        if (blocked.has(key) || (wait !== undefined && wait > now)) {
          blocked.add(key);
          continue;
        }
        const ok = await this.one(ev.id, ev.type, ev.raw, ev.attempts, deps);
        if (ok) {
          done++;
          progressed++;
        } else blocked.add(key);
      }
      if (batch.length < BATCH || progressed === 0) return done;
    }
  }

  /** Earliest clock time a deferred event becomes due again, or null. */
  nextRetryAt(): number | null {
    let t: number | null = null;
    for (const v of this.notBefore.values()) if (t === null || v < t) t = v;
    return t;
  }

  private async one(id: string, type: string, raw: string, tries: number, deps: HandlerDeps): Promise<boolean> {
    const handler = HANDLERS[type];
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
        result = await this.platform.apply(type, raw, deps.settings, commit);
        if (!committed) commit(() => result);
      } else if (!handler) {
        result = 'unknown type: stored and skipped';
        commit(() => result);
      } else {
        const f = eventFacts(JSON.parse(raw));
        result = await handler(f, deps, commit);
        if (!committed) commit(() => result);
      }
      this.notBefore.delete(id);
      this.logger.debug({ event: id, type, result }, 'event processed');
      this.report({ id, type, outcome: 'processed', result });
      return true;
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      if (committed) {
        // The event's writes are in; only a report/listener after them failed.
        this.logger.warn({ event: id, type, err: message }, 'event processed, but reporting it failed');
        return true;
      }
      const transient = isRetryable(e);
      if (tries + 1 >= MAX_TRIES && !transient) {
        this.store.events.markProcessed(id, message);
        this.notBefore.delete(id);
        this.logger.error({ event: id, type, tries: tries + 1, err: message }, 'event processing given up');
        this.report({ id, type, outcome: 'given_up', result: 'given up', error: message });
        return true;
      }
      this.store.events.recordFailure(id, message);
      const delay = backoffDelayMs(tries + 1, INBOX_BACKOFF);
      this.notBefore.set(id, deps.now() + delay);
      const level = isGatewayError(e) ? 'warn' : 'error';
      this.logger[level](
        { event: id, type, tries: tries + 1, err: message, retryInMs: delay },
        'event processing failed; will retry',
      );
      this.report({ id, type, outcome: 'retry', result: 'retry later', error: message });
      return false;
    }
  }
}
