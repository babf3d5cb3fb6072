/**
 * Delivering the outbox: claimed through the one drain loop (src/daemon/drain.ts) on the queue
 * protocol of src/db/queue.ts, each message POSTed with Standard Webhooks headers. At least once:
 * the lease is taken and the try counted before the POST, the answer recorded after it, so a
 * crash in between hands the message out again when the lease ends, with the same `webhook-id`
 * and body. `webhook-timestamp` is wall-clock seconds of each try (the receiver checks it against
 * its own clock); the schedule runs on the daemon's clock.
 *
 * No endpoint (or one disabled by a 410): nothing is claimed; messages wait, so a URL set later
 * receives them, and those older than the 3-day window end as `skipped` (`resend` still works).
 */
import { performance } from 'node:perf_hooks';
import type { Settings } from '../config/settings.js';
import type { OutboxMessage, Store } from '../db/index.js';
import type { OutboxOutcome } from '../db/outbox.js';
import type { Logger } from '../log.js';
import { redactText } from '../redact.js';
import { drain } from '../daemon/drain.js';
import { disableEndpoint, endpointOf, type Endpoint } from './endpoint.js';
import { nextTryAt, REDELIVERY_WINDOW_MS, TRY_TIMEOUT_MS } from './schedule.js';
import { webhookHeaders } from './signing.js';

/** Answer bytes read and kept, at most (the repo stores 1 KiB). */
const RESPONSE_BYTES = 1024;

export interface DeliveryReport {
  messageId: string;
  type: string;
  status: number | null;
  /** `retry` = given back for a later try. */
  result: OutboxOutcome | 'retry';
  durationMs: number;
}

export interface DelivererDeps {
  store: Store;
  logger: Logger;
  owner: string;
  /** Lease per claim, ms (at least twice a try's timeout). */
  leaseMs: number;
  concurrency: number;
  /** The daemon's clock (schedule, records). */
  now(): number;
  /** Wall clock for `webhook-timestamp`; default Date.now. */
  wallNow?(): number;
  report?(r: DeliveryReport): void;
  /** One try's timeout, ms; default TRY_TIMEOUT_MS (15 s). */
  timeoutMs?: number;
}

export class WebhookDeliverer {
  private readonly timeoutMs: number;
  constructor(private readonly d: DelivererDeps) {
    this.timeoutMs = d.timeoutMs ?? TRY_TIMEOUT_MS;
  }

  private usable(settings: Settings): (Endpoint & { url: string; secret: string }) | null {
    const ep = endpointOf(this.d.store, settings);
    return ep.url && ep.secret && !ep.disabled ? (ep as Endpoint & { url: string; secret: string }) : null;
  }

  /** Delivers what is due; returns how many messages were tried (or skipped). */
  async runDue(settings: Settings, shouldStop: () => boolean): Promise<number> {
    const { store, owner } = this.d;
    if (!this.usable(settings)) {
      const now = this.d.now();
      return store.outbox.skipOlderThan(now - REDELIVERY_WINDOW_MS, now);
    }
    const leaseMs = Math.max(this.d.leaseMs, 2 * this.timeoutMs);
    return drain({
      concurrency: this.d.concurrency,
      shouldStop,
      // Re-read each batch: a 410 in the previous batch disables the endpoint at once.
      claim: (limit) => (this.usable(settings) ? store.outbox.claimDue(this.d.now(), leaseMs, limit, owner) : []),
      run: async (batch) => {
        const ep = this.usable(settings);
        await Promise.all(batch.map((m) => (ep ? this.one(m, ep.url, ep.secret) : this.giveBack(m))));
      },
    });
  }

  /** Earliest clock time something is due: a try, or (no endpoint) the first skip. */
  nextDueAt(settings: Settings): number | null {
    if (this.usable(settings)) return this.d.store.outbox.nextDueAt();
    const oldest = this.d.store.outbox.oldestUnclaimedAt();
    return oldest === null ? null : oldest + REDELIVERY_WINDOW_MS;
  }

  private giveBack(m: OutboxMessage): void {
    this.d.store.outbox.release(m.id, this.d.owner, m.dueAt, m.lastStatus);
  }

  private async one(m: OutboxMessage, url: string, secret: string): Promise<void> {
    const { store, owner } = this.d;
    // The last lease check before the POST; a try counts from here.
    if (!store.outbox.start(m.id, owner, this.d.now())) return;
    const tries = m.tries + 1;
    const attemptedAt = this.d.now();
    const ts = Math.floor((this.d.wallNow?.() ?? Date.now()) / 1000);
    const t0 = performance.now();
    let status: number | null = null;
    let response: string | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: webhookHeaders(secret, m.messageId, ts, m.body),
        body: m.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.status;
      response = await readSome(res);
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      error =
        err.name === 'TimeoutError'
          ? `no answer within ${this.timeoutMs / 1000} s`
          : redactText(err.cause?.code ?? err.message).slice(0, 300);
    }
    const durationMs = Math.max(0, Math.round(performance.now() - t0));
    const at = this.d.now();
    let result: DeliveryReport['result'];
    store.tx(() => {
      store.outbox.addDelivery({ outboxId: m.id, url, attemptedAt, durationMs, status, response, error });
      if (status !== null && status >= 200 && status <= 299) result = 'delivered';
      else if (status === 410) {
        result = 'disabled';
        disableEndpoint(store, { at, messageId: m.messageId, status });
      } else {
        const next = nextTryAt(m.createdAt, tries, at);
        if (next === null) result = 'failed';
        else {
          result = 'retry';
          store.outbox.release(m.id, owner, next, status);
          return;
        }
      }
      store.outbox.finish(m.id, owner, result, at, status);
    });
    const r: DeliveryReport = { messageId: m.messageId, type: m.type, status, result: result!, durationMs };
    const log = { message: m.messageId, type: m.type, try: tries, status, error, result: r.result };
    if (r.result === 'delivered') this.d.logger.debug(log, 'result webhook delivered');
    else if (r.result === 'disabled') this.d.logger.warn(log, 'result webhook endpoint answered 410 Gone: disabled');
    else this.d.logger.warn(log, 'result webhook not delivered');
    this.d.report?.(r);
  }
}

/** The first KiB of the answer, then the rest is dropped unread. */
async function readSome(res: Response): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  while (n < RESPONSE_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    n += value.length;
  }
  await reader.cancel().catch(() => undefined);
  return redactText(Buffer.concat(chunks).toString('utf8').slice(0, RESPONSE_BYTES));
}
