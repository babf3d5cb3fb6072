import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/stripe/index.js';

/** A clock that only moves when someone sleeps: the limiter's waits become exact and instant. */
function virtualTime() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
    get t() {
      return t;
    },
  };
}

describe('TokenBucket', () => {
  it('lets a burst of one second through, then paces at the rate', async () => {
    const vt = virtualTime();
    const b = new TokenBucket({ ratePerSec: 10, now: vt.now, sleep: vt.sleep });
    for (let i = 0; i < 10; i++) await b.take();
    expect(vt.t).toBe(0);
    for (let i = 0; i < 20; i++) await b.take();
    // 20 more tokens at 10/s = 2 s.
    expect(vt.t).toBeCloseTo(2000, 6);
  });

  it('serves concurrent callers without exceeding the rate', async () => {
    let t = 0;
    const timers: Array<{ at: number; resolve: () => void }> = [];
    const b = new TokenBucket({
      ratePerSec: 5,
      now: () => t,
      sleep: (ms) => new Promise<void>((resolve) => timers.push({ at: t + ms, resolve })),
    });
    const granted: number[] = [];
    const all = Array.from({ length: 15 }, () => b.take().then(() => granted.push(t)));
    // Drive the virtual clock: release sleepers in time order.
    while (granted.length < 15) {
      await new Promise((r) => setImmediate(r));
      timers.sort((a, c) => a.at - c.at);
      const next = timers.shift();
      if (next) {
        t = next.at;
        next.resolve();
      }
    }
    await Promise.all(all);
    // In any window of 1 s after the initial burst, at most 5 (+ burst) requests.
    expect(granted.filter((x) => x === 0)).toHaveLength(5);
    expect(Math.max(...granted)).toBeCloseTo(2000, 6);
  });

  it('halves the rate on a 429 and recovers linearly', async () => {
    const vt = virtualTime();
    const b = new TokenBucket({ ratePerSec: 20, minRatePerSec: 1, recoveryMs: 10_000, now: vt.now, sleep: vt.sleep });
    b.penalize();
    expect(b.currentRate).toBe(10);
    // 429s of calls that were in flight together are one signal: no second halving within 1 s.
    b.penalize();
    expect(b.currentRate).toBe(10);
    await vt.sleep(1000);
    // Recovers (20 - 1) / 10 s = 1.9 req/s per second.
    expect(b.currentRate).toBeCloseTo(11.9, 6);
    b.penalize();
    expect(b.currentRate).toBeCloseTo(5.95, 6);
    await vt.sleep(5000);
    expect(b.currentRate).toBeCloseTo(5.95 + 9.5, 6);
    await vt.sleep(60_000);
    expect(b.currentRate).toBe(20);
  });

  it('empties the bucket on a 429 so the next call waits', async () => {
    const vt = virtualTime();
    const b = new TokenBucket({ ratePerSec: 10, now: vt.now, sleep: vt.sleep });
    b.penalize(); // rate 5, no tokens
    await b.take();
    expect(vt.t).toBeCloseTo(200, 0);
  });
});
