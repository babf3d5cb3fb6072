import { DAY_MS } from '../clock.js';

/**
 * Idempotency-Key store. Keys are scoped per acting account (the `Stripe-Account`, else the
 * key's own account). A stored result is replayed for the same method, path and parameters;
 * anything else with the same key is Stripe's idempotency_error. Like Stripe, only requests
 * whose execution began are stored (2xx and card errors), and keys expire after 24 hours
 * (emulator clock).
 */
export interface StoredResponse {
  signature: string;
  status: number;
  body: string;
  storedAt: number; // emulator clock, epoch ms
}

const TTL_MS = DAY_MS;

export class IdempotencyStore {
  private entries = new Map<string, StoredResponse>();
  private inFlight = new Set<string>();
  private writes = 0;

  static scope(account: string, key: string): string {
    return `${account}\u0000${key}`;
  }

  get(scope: string, nowMs: number): StoredResponse | undefined {
    const e = this.entries.get(scope);
    if (e && nowMs - e.storedAt > TTL_MS) {
      this.entries.delete(scope);
      return undefined;
    }
    return e;
  }

  isInFlight(scope: string): boolean {
    return this.inFlight.has(scope);
  }

  begin(scope: string): void {
    this.inFlight.add(scope);
  }

  end(scope: string): void {
    this.inFlight.delete(scope);
  }

  put(scope: string, value: StoredResponse): void {
    this.entries.set(scope, value);
    if (++this.writes % 50_000 === 0) this.prune(value.storedAt);
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(nowMs: number): void {
    for (const [k, e] of this.entries) if (nowMs - e.storedAt > TTL_MS) this.entries.delete(k);
  }
}
