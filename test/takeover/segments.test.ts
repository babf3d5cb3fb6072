/** The pure parts: created-range segments, their splitting, and the worker pool. */
import { describe, expect, it } from 'vitest';
import { advance, createdFilter, initialSegments, parseScan, split, type Segment } from '../../src/commands/takeover/segments.js';
import { callLimit, runPool } from '../../src/commands/takeover/pool.js';

/** Which segment covers each second of [lo, hi): every second exactly once, or the test fails. */
function coverage(segs: Segment[], lo: number, hi: number): number[] {
  const owners: number[] = [];
  for (let t = lo; t < hi; t++) {
    const who = segs.flatMap((s, i) => ((s.gte === null || t >= s.gte) && (s.lt === null || t < s.lt) ? [i] : []));
    expect(who.length, `second ${t}`).toBe(1);
    owners.push(who[0]);
  }
  return owners;
}

describe('segments', () => {
  it('slices a window into disjoint ranges, newest first, plus the open ends', () => {
    const segs = initialSegments({ from: 1000, to: 1100, parts: 3, openBelow: true });
    expect(segs.map((s) => [s.gte, s.lt])).toEqual([[1066, 1100], [1032, 1066], [1000, 1032], [null, 1000]]);
    coverage(segs, 900, 1100);
    const open = initialSegments({ from: 1000, to: 1100, parts: 2, openAbove: true });
    expect(open[0].lt).toBeNull();
    expect(createdFilter(open[0])).toEqual({ gte: 1050 });
    expect(createdFilter({ ...open[0], gte: null })).toBeUndefined();
  });

  it('splits what is left of a segment in two halves that still cover it exactly once', () => {
    const s = initialSegments({ from: 0, to: 10_000, parts: 1 })[0];
    advance(s, { lastId: 'in_a', lastCreated: 8000, hasMore: true });
    const lower = split(s, 60)!;
    expect(lower).toMatchObject({ gte: 0, lt: 4000, after: null, pages: 0 });
    expect(s).toMatchObject({ gte: 4000, lt: 10_000, after: 'in_a', lastCreated: 8000 });
    // The rest was [0, 8000]: now [4000, 8000] after the cursor, and [0, 4000).
    coverage([s, lower], 0, 8001);
    expect(split({ ...s, gte: 7950 }, 60)).toBeNull(); // too narrow
    expect(split({ ...s, gte: null })).toBeNull(); // unbounded below
    advance(s, { lastId: undefined, lastCreated: undefined, hasMore: true });
    expect(s.done).toBe(true); // an empty page never loops
  });

  it('reads back only scans it understands', () => {
    expect(parseScan('{"v":1,"runId":"r","startedAt":1,"segments":[]}')).toBeDefined();
    expect(parseScan('{"v":2,"runId":"r","segments":[]}')).toBeUndefined();
    expect(parseScan('not json')).toBeUndefined();
  });
});

describe('runPool', () => {
  it('runs jobs pushed while draining, never more than the concurrency at once', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await runPool([1, 2], 3, async (n, ctl) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      if (n < 50) ctl.push(n * 10);
      done.push(n);
      running--;
    });
    expect(done.sort((a, b) => a - b)).toEqual([1, 2, 10, 20, 100, 200]);
    expect(peak).toBeLessThanOrEqual(3);
  });

  it('stops at the first error and rejects with it; an abort stops taking jobs', async () => {
    const seen: number[] = [];
    await expect(runPool([1, 2, 3, 4, 5], 1, async (n) => {
      seen.push(n);
      if (n === 2) throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(seen).toEqual([1, 2]);
    const ac = new AbortController();
    const ran: number[] = [];
    await runPool([1, 2, 3], 1, async (n) => {
      ran.push(n);
      ac.abort();
    }, ac.signal);
    expect(ran).toEqual([1]);
  });

  it('callLimit keeps at most n calls in flight, in arrival order, and frees the slot on failure', async () => {
    const limit = callLimit(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const job = (i: number) => limit(async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 3));
      order.push(i);
      active--;
      if (i === 1) throw new Error('no');
      return i;
    });
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map(job));
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
  });
});
