/**
 * One daemon per database. The lock is a row in `meta` ({owner, pid, host, beat}) taken in one
 * IMMEDIATE transaction. A lock whose process is gone (kill -9) is taken over, and the dead
 * owner's leases are dropped at once, so a restart resumes interrupted attempts immediately
 * (with their original idempotency keys) instead of waiting for leases to expire.
 *
 * Liveness: on the same host, the pid is checked; from another host (or a container with a new
 * hostname), the holder's heartbeat must be younger than STALE_MS. The heartbeat is WALL time
 * (Date.now()) on purpose: it says whether a process is alive, not what time it is for the
 * business logic, which reads the daemon's clock.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../errors.js';
import type { Store } from '../db/index.js';

const KEY = 'daemon_lock';
/** Owners of live daemons in this process (tests run several daemons in one process). */
const LIVE_HERE = new Set<string>();

interface LockValue {
  owner: string;
  pid: number;
  host: string;
  /** Wall-clock ms of the last heartbeat. */
  beat: number;
}

/** How often the holder refreshes its heartbeat, and when another host may take over, wall ms. */
export const HEARTBEAT_MS = 10_000;
export const STALE_MS = 45_000;

export function newOwnerId(): string {
  return `daemon:${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM'; // exists, owned by someone else
  }
}

function parse(raw: string | undefined): LockValue | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<LockValue>;
    if (typeof v.owner !== 'string' || typeof v.pid !== 'number' || typeof v.host !== 'string') return null;
    return { owner: v.owner, pid: v.pid, host: v.host, beat: typeof v.beat === 'number' ? v.beat : 0 };
  } catch {
    return null;
  }
}

/** Who holds the lock, for `recover status`: the holder and whether it is still running. */
export function lockStatus(store: Store): (LockValue & { alive: boolean }) | null {
  const v = parse(store.meta.get(KEY));
  if (!v) return null;
  const live = v.host === hostname() ? alive(v.pid) : Date.now() - v.beat < STALE_MS;
  return { ...v, alive: live };
}

/** Takes the lock for `owner`; returns how many stale attempt/job leases were released. */
export function acquireLock(store: Store, owner: string): { attempts: number; jobs: number; tookOver: LockValue | null } {
  return store.tx(() => {
    const current = parse(store.meta.get(KEY));
    if (current && current.owner !== owner) {
      const sameProcess = current.host === hostname() && current.pid === process.pid;
      const held = sameProcess
        ? LIVE_HERE.has(current.owner)
        : current.host === hostname()
          ? alive(current.pid)
          : Date.now() - current.beat < STALE_MS;
      if (held) {
        throw new ConfigError(
          `another recover run (pid ${current.pid} on ${current.host}) is using ${store.path}`,
          current.host === hostname() ? `stop it first (kill ${current.pid})` : 'stop it first; one daemon per database',
        );
      }
    }
    store.meta.set(KEY, value(owner));
    LIVE_HERE.add(owner);
    return { attempts: store.attempts.releaseLeasesExcept(owner), jobs: store.jobs.releaseLeasesExcept(owner), tookOver: current };
  });
}

function value(owner: string): string {
  return JSON.stringify({ owner, pid: process.pid, host: hostname(), beat: Date.now() } satisfies LockValue);
}

/** Refreshes the heartbeat; false if the lock was taken by someone else meanwhile. */
export function heartbeat(store: Store, owner: string): boolean {
  return store.tx(() => {
    if (parse(store.meta.get(KEY))?.owner !== owner) return false;
    store.meta.set(KEY, value(owner));
    return true;
  });
}

export function releaseLock(store: Store, owner: string): void {
  LIVE_HERE.delete(owner);
  try {
    store.tx(() => {
      if (parse(store.meta.get(KEY))?.owner === owner) store.meta.set(KEY, '{}');
    });
  } catch {
    // The database may already be closed; the next start sees a dead pid and takes over.
  }
}
