import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/clock.js';
import { fillSyntheticBacklog } from '../../bench/synthetic.js';
import { benchDb } from '../../bench/db.js';
import { open, T0, tempDbPath } from './helpers.js';

describe('synthetic backlog (benchmarks)', () => {
  it('fills valid cases with one due attempt each, spread over the window', () => {
    const p = tempDbPath();
    open(p).close();
    fillSyntheticBacklog(p, { cases: 2000, start: T0, spreadMs: 30 * DAY_MS });
    fillSyntheticBacklog(p, { cases: 10, start: T0, spreadMs: DAY_MS }); // appends, no clash
    const store = open(p);
    expect(store.cases.count()).toBe(2010);
    expect(store.cases.countsByStatus().in_dunning).toBe(2010);
    const first = store.attempts.listForCase(1)[0];
    expect(first.idempotencyKey).toBe(`recover:self:${store.cases.get(1)!.invoiceId}:1`);
    const halfway = store.attempts.claimDue(T0 + 15 * DAY_MS, 60_000, 5000, 'x').length;
    expect(halfway).toBeGreaterThan(900);
    expect(halfway).toBeLessThan(1150);
    expect(store.attempts.nextDueAt()).toBeGreaterThanOrEqual(T0);
  });

  it('bench/db.ts runs end to end on a small database', async () => {
    const figures = await benchDb({ cases: 3000 });
    expect(figures.cases).toBe(3000);
    expect(figures['tick, background checkpoints: p99 (ms)']).toBeTypeOf('number');
    expect(figures['inbox insert, 4 KiB event, own transaction (events/s)']).toBeGreaterThan(0);
  });
});
