/**
 * Per-key request rate limit: a token bucket per API key, in memory (one daemon per database).
 * Defaults: 100 requests/s sustained, bursts of 200 — far above what one merchant's billing run
 * sends, low enough that a runaway loop cannot starve the daemon's own work on 2 cores.
 */
export const RATE_PER_SEC = 100;
export const BURST = 200;

export class KeyRateLimiter {
  private readonly buckets = new Map<number, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerSec = RATE_PER_SEC,
    private readonly burst = BURST,
    /** Wall clock, ms (performance.now()); never the daemon's clock, which may be fake. */
    private readonly wallNow: () => number = () => performance.now(),
  ) {}

  /** Takes one token; returns 0 when allowed, else the seconds to wait before one is free. */
  take(keyId: number): number {
    const t = this.wallNow();
    const b = this.buckets.get(keyId) ?? { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.ratePerSec);
    b.at = t;
    this.buckets.set(keyId, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.ratePerSec));
  }
}
