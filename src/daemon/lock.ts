/**
 * One daemon per database: the lock is a lease in `meta` ({owner, pid, host, ns, beat,
 * expiresAt}), taken in one IMMEDIATE transaction and renewed by a timer of its own, whatever
 * the passes are doing. A daemon may claim or charge only while `held()`: its lease has not run
 * out by the wall clock, or it could renew it just now. A daemon that was paused (SIGSTOP, a
 * frozen VM) past its lease finds, on waking, that another took over, and stops at once.
 *
 * Taking over: a lease that ran out, or — for an immediate restart after kill -9 — a holder on
 * this host, in this PID namespace, whose pid is gone. A pid says nothing across PID namespaces
 * (containers sharing a hostname): there only expiry counts. The owner id is random per
 * Daemon instance, never derived from pid and hostname. All times here are WALL ms (Date.now()):
 * they say whether a process is alive, not what time it is for the business logic.
 */
import { randomUUID } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfigError } from '../errors.js';
import type { Store } from '../db/index.js';

const KEY = 'daemon_lock';
/** Owners of live daemons in this process (tests run several daemons in one process). */
const LIVE_HERE = new Set<string>();

export interface LockValue {
  owner: string;
  pid: number;
  host: string;
  /** The PID namespace (`/proc/self/ns/pid` link), or '' where there is none to read. */
  ns: string;
  /** Wall ms of the last renewal. */
  beat: number;
  /** Wall ms after which another daemon may take the lock. */
  expiresAt: number;
}

/** How long a lease lasts, and how often the holder renews it, wall ms. */
export const LEASE_MS = 30_000;
export const RENEW_EVERY_MS = 10_000;
/** A holder renews before acting when less than this is left of its lease, wall ms. */
const RENEW_MARGIN_MS = 10_000;

export function newOwnerId(): string {
  return `daemon:${randomUUID()}`;
}

let nsCache: string | undefined;
function pidNamespace(): string {
  if (nsCache === undefined) {
    try {
      nsCache = readlinkSync('/proc/self/ns/pid');
    } catch {
      nsCache = '';
    }
  }
  return nsCache;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM'; // exists, owned by someone else
  }
}

export function parseLock(raw: string | undefined): LockValue | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<LockValue>;
    if (typeof v.owner !== 'string' || typeof v.pid !== 'number' || typeof v.host !== 'string') return null;
    const beat = typeof v.beat === 'number' ? v.beat : 0;
    return { owner: v.owner, pid: v.pid, host: v.host, ns: typeof v.ns === 'string' ? v.ns : '', beat, expiresAt: typeof v.expiresAt === 'number' ? v.expiresAt : beat };
  } catch {
    return null;
  }
}

/** Who holds the lock, for `recover status`: the holder and whether its lease still runs. */
export function lockStatus(store: Store, now = Date.now()): (LockValue & { alive: boolean }) | null {
  const v = parseLock(store.meta.get(KEY));
  if (!v) return null;
  const killed = v.host === hostname() && v.ns !== '' && v.ns === pidNamespace() && !alive(v.pid);
  return { ...v, alive: !killed && v.expiresAt > now };
}

/** Whether `current` still holds the lock against a newcomer, at wall time `now`. */
function stillHeld(current: LockValue, now: number): boolean {
  if (current.host === hostname() && current.pid === process.pid) return LIVE_HERE.has(current.owner);
  const sameNamespace = current.host === hostname() && current.ns !== '' && current.ns === pidNamespace();
  if (sameNamespace && !alive(current.pid)) return false; // killed: restart at once
  return current.expiresAt > now;
}

export class DaemonLease {
  private expiresAt = 0;
  private lost = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    readonly owner: string,
    private readonly onLost: () => void,
    private readonly wallNow: () => number = Date.now,
  ) {}

  /** Takes the lock; returns how many attempt/job/event/outbox leases of the previous holder were released. */
  acquire(): { attempts: number; jobs: number; events: number; outbox: number; tookOver: LockValue | null } {
    const { store } = this;
    return store.tx(() => {
      const current = parseLock(store.meta.get(KEY));
      if (current && current.owner !== this.owner && stillHeld(current, this.wallNow())) {
        const until = new Date(current.expiresAt).toISOString();
        throw new ConfigError(
          `another recover run (pid ${current.pid} on ${current.host}) is using ${store.path} (its lease runs until ${until})`,
          current.host === hostname() ? `stop it first (kill ${current.pid}), or wait for its lease to run out` : 'stop it first; one daemon per database',
        );
      }
      this.write();
      LIVE_HERE.add(this.owner);
      // The owners of every other lease are dead (we hold the lock): their work is due again now,
      // result webhooks included (redelivered with the same webhook-id).
      const events = store.events.queue.releaseLeasesExcept(this.owner);
      const outbox = store.outbox.releaseLeasesExcept(this.owner);
      const attempts = store.attempts.releaseLeasesExcept(this.owner);
      return { attempts, jobs: store.jobs.releaseLeasesExcept(this.owner), events, outbox, tookOver: current };
    });
  }

  /** Renews on a timer of its own (not tied to passes, which may be slow). */
  startRenewing(): void {
    this.timer ??= setInterval(() => void this.renew(), RENEW_EVERY_MS);
    this.timer.unref();
  }

  /** May this daemon claim or charge now? Renews first when the lease is close to its end. */
  held(): boolean {
    if (this.lost) return false;
    if (this.wallNow() < this.expiresAt - RENEW_MARGIN_MS) return true;
    return this.renew();
  }

  /** Extends the lease; false (and `onLost`, once) if another daemon holds it now. */
  renew(): boolean {
    if (this.lost) return false;
    let ok: boolean;
    try {
      ok = this.store.tx(() => {
        if (parseLock(this.store.meta.get(KEY))?.owner !== this.owner) return false;
        this.write();
        return true;
      });
    } catch {
      // The database is unwritable (disk full, closed): we cannot prove we hold it.
      return this.wallNow() < this.expiresAt;
    }
    if (!ok) {
      this.lost = true;
      this.stopRenewing();
      this.onLost();
    }
    return ok;
  }

  release(): void {
    this.stopRenewing();
    LIVE_HERE.delete(this.owner);
    if (this.lost) return;
    try {
      this.store.tx(() => {
        if (parseLock(this.store.meta.get(KEY))?.owner === this.owner) this.store.meta.set(KEY, '{}');
      });
    } catch {
      // The database may already be closed; the lease simply runs out.
    }
  }

  private stopRenewing(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private write(): void {
    const now = this.wallNow();
    this.expiresAt = now + LEASE_MS;
    const v: LockValue = { owner: this.owner, pid: process.pid, host: hostname(), ns: pidNamespace(), beat: now, expiresAt: this.expiresAt };
    this.store.meta.set(KEY, JSON.stringify(v));
  }
}
