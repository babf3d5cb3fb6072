/**
 * Health that tells the truth: `/healthz` answers 503 naming the failing check, and the
 * `recover_health_check` gauges say the same, when an attempt is overdue (the daemon cannot do
 * the work it has) — not 200 "running" while nothing gets done.
 */
import { describe, expect, it } from 'vitest';
import { evaluateHealth, OVERDUE_TOLERANCE_MS } from '../../src/daemon/health.js';
import { HOUR, oneCustomer, SOFT, startWorld } from './helpers.js';

const seed = oneCustomer('hz1', SOFT);

describe('health', () => {
  it('an attempt overdue beyond the tolerance makes /healthz 503, naming it', async () => {
    const w = await startWorld({ onboard: ['--control-share', '0'], seed, daemon: { loop: false } });
    await w.advance(2 * HOUR);
    const c = w.store.cases.getByInvoice('in_hz1')!;
    const pending = w.store.attempts.pendingForCase(c.id)!;
    // The daemon's clock moves past the due time, but no pass runs (as when every pass fails).
    w.clock.set(pending.scheduledAt + OVERDUE_TOLERANCE_MS + 60_000);
    const res = await fetch(`${w.daemon.url}/healthz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as {
      healthy: boolean;
      checks: Array<{ name: string; ok: boolean; detail: string }>;
    };
    expect(body.healthy).toBe(false);
    expect(body.checks.filter((x) => !x.ok).map((x) => x.name)).toEqual(['attempts']);
    expect(body.checks.find((x) => x.name === 'attempts')!.detail).toContain(
      new Date(pending.scheduledAt).toISOString(),
    );
    const metrics = await (await fetch(`${w.daemon.url}/metrics`)).text();
    expect(metrics).toContain('recover_health_check{check="attempts"} 0');
    expect(metrics).toContain('recover_health_check{check="daemon"} 1');
  });

  it('names each failing check', () => {
    const base = {
      daemonHolds: true,
      now: 10 * HOUR,
      nextAttemptDueAt: null,
      failedPasses: 0,
      inboxBacklog: 0,
      oldestUnprocessedAt: null,
      diskWritable: true,
      wallNow: 10 * HOUR,
    };
    expect(evaluateHealth(base).healthy).toBe(true);
    const bad = evaluateHealth({
      ...base,
      daemonHolds: false,
      failedPasses: 3,
      lastError: 'SQLITE_FULL: database or disk is full',
      inboxBacklog: 7,
      oldestUnprocessedAt: 9 * HOUR,
      diskWritable: false,
    });
    expect(bad.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['daemon', 'passes', 'inbox', 'disk']);
    expect(bad.checks.find((c) => c.name === 'passes')!.detail).toBe(
      '3 passes failed in a row: SQLITE_FULL: database or disk is full',
    );
    expect(evaluateHealth({ ...base, failedPasses: 2 }).healthy).toBe(true); // a transient failure or two
  });
});
