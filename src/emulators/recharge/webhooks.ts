/**
 * Webhook delivery like Recharge's (docs.getrecharge.com/docs/webhooks-overview): one POST per
 * webhook of the event's topic, the body the REST API's payload for the object, a 5-second wait for
 * the answer; a timeout, no answer, 408, 429 or a 5xx is a failure and is retried — 20 attempts
 * over 48 hours — and a webhook whose delivery fails all 20 is deleted. The redeliveries run on the
 * emulator clock (attempt k at 48 h · ((k − 1) / 19)², an assumption: Recharge does not publish
 * the spacing), so a daemon down for three emulated days loses its webhooks, as it would in life.
 *
 * Both signatures, keyed by the store's API client secret:
 * - legacy `X-Recharge-Hmac-Sha256`: hex SHA-256 of (client secret + raw body) — a plain hash,
 *   not an HMAC;
 * - `X-Recharge-Webhook-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` with
 *   `X-Recharge-Webhook-Timestamp: <t>`, verified within 48 hours.
 * `t` is the wall clock (as the Stripe emulator signs): a receiver checks it against its own clock.
 */
import { createHash, createHmac } from 'node:crypto';
import { HOUR_MS } from '../../clock.js';
import type { RechargeWorld } from './world.js';

export const MAX_ATTEMPTS = 20;
export const DELIVERY_WINDOW_MS = 48 * HOUR_MS;
export const DELIVERY_TIMEOUT_MS = 5000;

export interface DeliveryRecord {
  id: number;
  webhookId: number;
  topic: string;
  address: string;
  /** Emulator ms of the event. */
  createdMs: number;
  attempts: number;
  /** Status codes (0 = no answer) of each attempt. */
  statuses: number[];
  state: 'pending' | 'delivered' | 'failed';
  body: string;
}

export function legacySignature(secret: string, body: string): string {
  return createHash('sha256')
    .update(secret + body)
    .digest('hex');
}

export function timestampedSignature(secret: string, body: string, tSeconds: number): string {
  return `t=${tSeconds},v1=${createHmac('sha256', secret).update(`${tSeconds}.${body}`).digest('hex')}`;
}

/** Emulator ms after the first attempt at which attempt `k` (1-based) is made. */
export function attemptOffsetMs(k: number): number {
  return Math.round(DELIVERY_WINDOW_MS * ((k - 1) / (MAX_ATTEMPTS - 1)) ** 2);
}

export class RechargeDispatcher {
  readonly deliveries = new Map<number, DeliveryRecord>();
  private nextId = 1;
  private held = 0;
  private queue: number[] = [];
  private inflight = new Set<Promise<void>>();

  constructor(private readonly w: RechargeWorld) {}

  /** A delivery per webhook of `topic`, sent now (or once the clock has arrived, when held). */
  enqueue(topic: string, payload: Record<string, unknown>): void {
    const body = JSON.stringify(payload);
    for (const hook of this.w.webhooks.values()) {
      if (hook.topic !== topic) continue;
      const d: DeliveryRecord = {
        id: this.nextId++,
        webhookId: hook.id,
        topic,
        address: hook.address,
        createdMs: this.w.nowMs(),
        attempts: 0,
        statuses: [],
        state: 'pending',
        body,
      };
      this.deliveries.set(d.id, d);
      if (this.held) this.queue.push(d.id);
      else this.track(this.attempt(d.id));
    }
  }

  /** While held (the clock is moving), first attempts wait; the release sends them. */
  hold(): () => void {
    this.held++;
    return () => {
      if (--this.held > 0) return;
      const q = this.queue;
      this.queue = [];
      for (const id of q) this.track(this.attempt(id));
    };
  }

  /** One attempt; on failure the next is put on the emulator agenda, or the webhook is deleted. */
  async attempt(id: number): Promise<void> {
    const d = this.deliveries.get(id);
    if (!d || d.state !== 'pending') return;
    if (!this.w.webhooks.has(d.webhookId)) {
      d.state = 'failed';
      return;
    }
    d.attempts++;
    const status = await this.post(d);
    d.statuses.push(status);
    if (status !== 0 && status !== 408 && status !== 429 && status < 500) {
      d.state = 'delivered';
      return;
    }
    if (d.attempts < MAX_ATTEMPTS) {
      this.w.agenda.add({ at: d.createdMs + attemptOffsetMs(d.attempts + 1), kind: 'delivery', id: d.id });
      return;
    }
    d.state = 'failed';
    const hook = this.w.webhooks.get(d.webhookId);
    if (hook) {
      this.w.webhooks.delete(hook.id);
      this.w.deletedWebhooks.push({ webhook: hook, at: this.w.nowMs() });
    }
  }

  /** Resolves once every first attempt sent so far has been answered (or has failed). */
  async flush(): Promise<void> {
    while (this.inflight.size) await Promise.all([...this.inflight]);
  }

  private track(p: Promise<void>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private async post(d: DeliveryRecord): Promise<number> {
    const secret = this.w.settings.clientSecret;
    const t = Math.floor(Date.now() / 1000);
    try {
      const res = await fetch(d.address, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Recharge-Topic': d.topic,
          'X-Recharge-Hmac-Sha256': legacySignature(secret, d.body),
          'X-Recharge-Webhook-Timestamp': String(t),
          'X-Recharge-Webhook-Signature': timestampedSignature(secret, d.body, t),
        },
        body: d.body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.status;
    } catch {
      return 0;
    }
  }
}
