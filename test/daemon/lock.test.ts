/**
 * The single-daemon lock is a lease renewed on a timer and checked before every claim and
 * charge. Two breaks it closes (issue 15): a holder in another PID namespace with the same
 * hostname (its pid means nothing here) was taken over at once; a holder paused past its
 * heartbeat kept claiming and charging after another daemon took over.
 */
import { hostname } from 'node:os';
import { readlinkSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/index.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { LEASE_MS } from '../../src/daemon/lock.js';
import { buildChildCli } from '../helpers/child-build.js';
import { emulator, tempDb } from '../helpers/env.js';
import { startChildRun } from './child.js';
import { freePort, onboard, startWorld } from './helpers.js';

const NOT_A_PID_HERE = 2 ** 22 + 12345; // above Linux's pid_max default: never alive in this namespace

function writeLock(db: string, v: Record<string, unknown>): void {
  const s = openStore(db);
  s.meta.set('daemon_lock', JSON.stringify(v));
  s.close();
}

describe('single-daemon lease', () => {
  let entry: string;
  beforeAll(() => {
    entry = buildChildCli();
  }, 120_000);

  it('a holder in another PID namespace with our hostname is respected until its lease runs out', async () => {
    const w = await startWorld();
    await w.daemon.stop();
    const other = {
      owner: 'daemon:other-container',
      pid: NOT_A_PID_HERE,
      host: hostname(),
      ns: 'pid:[1]',
      beat: Date.now(),
      expiresAt: Date.now() + LEASE_MS,
    };
    writeLock(w.db, other);
    const store = openStore(w.db, { clock: w.clock });
    try {
      const second = new Daemon({ store, clock: w.clock, apiBase: w.emu.url, http: null, loop: false });
      await expect(second.start()).rejects.toThrow(
        /another recover run \(pid \d+ on .+\) is using .+ \(its lease runs until/,
      );
      // Once its lease has run out (the holder stopped renewing), the lock is taken over.
      const later = new Daemon({
        store,
        clock: w.clock,
        apiBase: w.emu.url,
        http: null,
        loop: false,
        wallNow: () => Date.now() + LEASE_MS + 1,
      });
      await later.start();
      await later.stop();
    } finally {
      store.close();
    }
  });

  it('a holder killed in our own PID namespace is taken over at once (restart after kill -9)', async () => {
    const w = await startWorld();
    await w.daemon.stop();
    const ns = readlinkSync('/proc/self/ns/pid');
    writeLock(w.db, {
      owner: 'daemon:killed',
      pid: NOT_A_PID_HERE,
      host: hostname(),
      ns,
      beat: Date.now(),
      expiresAt: Date.now() + LEASE_MS,
    });
    const store = openStore(w.db, { clock: w.clock });
    try {
      const again = new Daemon({ store, clock: w.clock, apiBase: w.emu.url, http: null, loop: false });
      await again.start();
      await again.stop();
    } finally {
      store.close();
    }
  });

  it('a holder paused past its lease stops claiming and charging when it wakes up to a new holder', async () => {
    const emu = await emulator();
    const port = await freePort();
    const db = tempDb();
    await onboard(emu.url, db, port);
    const a = await startChildRun(entry, { db, apiBase: emu.url, port, logLevel: 'debug' });
    a.proc.kill('SIGSTOP');
    // 31 s later by the wall clock (the newcomer's view), A has not renewed: its lease ran out.
    const store = openStore(db);
    const b = new Daemon({
      store,
      apiBase: emu.url,
      http: null,
      loop: false,
      wallNow: () => Date.now() + LEASE_MS + 1_000,
    });
    try {
      await b.start();
      const mark = a.lines.length;
      a.proc.kill('SIGCONT');
      // A's own renewal finds the new owner: it stops at once, claiming and charging nothing more.
      await a.next(
        (l) => l.msg === 'another daemon took the lock of this database; stopping (no further claims or charges)',
        30_000,
      );
      const exit = await a.exited;
      expect(exit.code).toBe(0);
      expect(a.lines.slice(mark).filter((l) => l.msg === 'charging' || l.msg === 'attempt')).toEqual([]);
    } finally {
      await b.stop();
      store.close();
      if (a.alive) a.proc.kill('SIGKILL');
    }
  }, 60_000);
});
