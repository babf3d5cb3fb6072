import { Rng } from './rng.js';

/**
 * Fault injection: extra latency on every response, a share of requests answered 500 before
 * they do anything, and a per-key rate limit (token bucket of `rateLimitPerSec` tokens,
 * refilled continuously, wall clock). Draws come from a seeded generator so a test with a
 * given error rate fails the same requests every run.
 */
export interface FaultSettings {
  latencyMs: number;
  errorRate: number;
  /** Requests per second per API key; null = unlimited. */
  rateLimitPerSec: number | null;
}

export class Faults {
  settings: FaultSettings;
  private rng = new Rng(0xfa17);
  private buckets = new Map<string, { tokens: number; at: number }>();

  constructor(initial: Partial<FaultSettings>) {
    this.settings = { latencyMs: 0, errorRate: 0, rateLimitPerSec: null };
    this.set(initial);
  }

  /** Applies the given fields (undefined = unchanged; rateLimitPerSec null or 0 = unlimited). */
  set(f: { latencyMs?: number; errorRate?: number; rateLimitPerSec?: number | null }): void {
    if (f.latencyMs !== undefined) {
      if (!(f.latencyMs >= 0)) throw new RangeError(`latencyMs must be >= 0 (got ${f.latencyMs})`);
      this.settings.latencyMs = f.latencyMs;
    }
    if (f.errorRate !== undefined) {
      if (!(f.errorRate >= 0 && f.errorRate <= 1)) throw new RangeError(`errorRate must be within 0..1 (got ${f.errorRate})`);
      this.settings.errorRate = f.errorRate;
    }
    if (f.rateLimitPerSec !== undefined) {
      if (f.rateLimitPerSec !== null && !(f.rateLimitPerSec >= 0)) {
        throw new RangeError(`rateLimitPerSec must be > 0 (got ${f.rateLimitPerSec})`);
      }
      this.settings.rateLimitPerSec = f.rateLimitPerSec ? f.rateLimitPerSec : null;
      this.buckets.clear();
    }
  }

  /** True when this request should be answered 500. */
  injectError(): boolean {
    const rate = this.settings.errorRate;
    return rate > 0 && (rate >= 1 || this.rng.next() < rate);
  }

  /** Takes a token for `key`; false when the key is over its rate. */
  allow(key: string, nowMs: number = performance.now()): boolean {
    const rate = this.settings.rateLimitPerSec;
    if (rate === null) return true;
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: rate, at: nowMs };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(rate, b.tokens + ((nowMs - b.at) / 1000) * rate);
    b.at = nowMs;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
