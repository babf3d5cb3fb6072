/**
 * Token bucket shared by every Stripe call of one gateway.
 *
 * Capacity = one second's worth of requests (`ratePerSec` tokens), refilled continuously. A caller
 * takes a token by reserving it: the balance may go negative, and the caller sleeps until its
 * reservation is covered. This serves concurrent callers in arrival order (FIFO) without a queue
 * and never lets the long-run rate exceed the current rate.
 *
 * On a 429 (`penalize`) the rate is halved (down to `minRatePerSec`) and the bucket emptied;
 * it then grows back linearly to the configured rate over `recoveryMs` (AIMD, as TCP does).
 * A burst of 429s from calls that were in flight together is one signal, not many: the rate is
 * halved at most once per `PENALTY_WINDOW_MS`, so a page of concurrent calls cannot drive it to
 * the floor at once.
 */
export interface LimiterOptions {
  /** Requests per second when nothing goes wrong. */
  ratePerSec: number;
  /** Floor for the rate after repeated 429s (requests per second). Default 1. */
  minRatePerSec?: number;
  /** Time to grow from the floor back to the full rate, in ms. Default 10 000. */
  recoveryMs?: number;
  /** Monotonic time in ms. Default `performance.now()`. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** 429s closer together than this (ms) count as one. */
export const PENALTY_WINDOW_MS = 1000;

export class TokenBucket {
  readonly baseRate: number;
  private readonly minRate: number;
  private readonly recoveryMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private rate: number;
  private tokens: number;
  private last: number;
  private lastPenalty = Number.NEGATIVE_INFINITY;

  constructor(opts: LimiterOptions) {
    if (!(opts.ratePerSec > 0)) throw new RangeError(`rate must be > 0 requests/s, got ${opts.ratePerSec}`);
    this.baseRate = opts.ratePerSec;
    this.minRate = Math.min(opts.minRatePerSec ?? 1, opts.ratePerSec);
    this.recoveryMs = opts.recoveryMs ?? 10_000;
    this.now = opts.now ?? (() => performance.now());
    this.sleep = opts.sleep ?? defaultSleep;
    this.rate = this.baseRate;
    this.tokens = this.baseRate;
    this.last = this.now();
  }

  /** Current rate in requests per second (lower than the base rate after a 429). */
  get currentRate(): number {
    this.refill();
    return this.rate;
  }

  /** Resolves when the caller may send one request. */
  async take(): Promise<void> {
    this.refill();
    this.tokens -= 1;
    if (this.tokens >= 0) return;
    await this.sleep((-this.tokens / this.rate) * 1000);
  }

  /** Stripe said 429: slow everyone down. */
  penalize(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
    if (this.last - this.lastPenalty < PENALTY_WINDOW_MS) return;
    this.lastPenalty = this.last;
    this.rate = Math.max(this.minRate, this.rate / 2);
  }

  private refill(): void {
    const t = this.now();
    const dtMs = Math.max(0, t - this.last);
    this.last = t;
    if (this.rate < this.baseRate) {
      this.rate = Math.min(this.baseRate, this.rate + ((this.baseRate - this.minRate) * dtMs) / this.recoveryMs);
    }
    // Capacity is one second's worth at the current rate.
    this.tokens = Math.min(this.rate, this.tokens + (this.rate * dtMs) / 1000);
  }
}
