/**
 * What "healthy" means, for `/healthz`, `recover status` and the `recover_health_check` gauges:
 * each check named, so a failing probe says what is wrong. Pure: the caller gathers the facts.
 */

/** An attempt may be this late before it counts as overdue, ms (one busy pass, a slow Stripe). */
export const OVERDUE_TOLERANCE_MS = 15 * 60_000;
/** An event may wait this long in the inbox before the inbox counts as stuck, ms. */
export const INBOX_STUCK_MS = 5 * 60_000;
/** Passes failing in a row before health says so (one transient failure is not a problem). */
export const FAILING_PASSES = 3;

export type HealthCheckName = 'daemon' | 'passes' | 'attempts' | 'inbox' | 'disk';

export interface HealthCheck {
  name: HealthCheckName;
  ok: boolean;
  detail: string;
}

export interface HealthFacts {
  /** A daemon holds the single-daemon lease (for the daemon itself: it still holds it). */
  daemonHolds: boolean;
  /** Business clock now, and the earliest due time of a pending attempt (ms), or null. */
  now: number;
  nextAttemptDueAt: number | null;
  /** Passes failed in a row, and the last failure's message. Unknown (status) → undefined. */
  failedPasses?: number;
  lastError?: string | null;
  /** Unprocessed inbox events, and when the oldest was received (ms), or null. */
  inboxBacklog: number;
  oldestUnprocessedAt: number | null;
  /** A write to the database succeeded just now; undefined when not probed. */
  diskWritable?: boolean;
  /** Wall now, ms (inbox ages are wall-clock receipts). */
  wallNow: number;
}

const iso = (t: number) => new Date(t).toISOString();

export function evaluateHealth(f: HealthFacts): { healthy: boolean; checks: HealthCheck[] } {
  const checks: HealthCheck[] = [];
  checks.push({ name: 'daemon', ok: f.daemonHolds, detail: f.daemonHolds ? 'a daemon holds the lock (fresh lease)' : 'no daemon holds the lock: nothing is retried' });
  if (f.failedPasses !== undefined) {
    const ok = f.failedPasses < FAILING_PASSES;
    checks.push({ name: 'passes', ok, detail: ok ? 'passes succeed' : `${f.failedPasses} passes failed in a row: ${f.lastError ?? 'unknown error'}` });
  }
  const late = f.nextAttemptDueAt !== null && f.nextAttemptDueAt < f.now - OVERDUE_TOLERANCE_MS;
  checks.push({
    name: 'attempts', ok: !late,
    detail: late ? `an attempt has been due since ${iso(f.nextAttemptDueAt!)} (over ${OVERDUE_TOLERANCE_MS / 60_000} min late)` : 'no attempt overdue',
  });
  const stuck = f.oldestUnprocessedAt !== null && f.oldestUnprocessedAt < f.wallNow - INBOX_STUCK_MS;
  checks.push({
    name: 'inbox', ok: !stuck,
    detail: stuck ? `${f.inboxBacklog} events waiting, the oldest since ${iso(f.oldestUnprocessedAt!)}` : `${f.inboxBacklog} events waiting`,
  });
  if (f.diskWritable !== undefined) {
    checks.push({ name: 'disk', ok: f.diskWritable, detail: f.diskWritable ? 'the database is writable' : 'the database cannot be written (disk full or read-only?)' });
  }
  return { healthy: checks.every((c) => c.ok), checks };
}
