import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { openStore } from '../../src/db/index.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { IllegalTransition, transition } from '../../src/daemon/state.js';
import type { DaemonState } from '../../src/daemon/types.js';
import { emulator, tempDb } from '../helpers/env.js';
import { freePort, onboard } from './helpers.js';

const STATES: DaemonState[] = ['idle', 'starting', 'running', 'stopping', 'stopped'];
// Written out here, not read from the table: the test is the specification of the table.
const LEGAL = new Set([
  'idle>starting',
  'idle>stopped',
  'starting>running',
  'starting>stopping',
  'starting>stopped',
  'running>stopping',
  'stopping>stopped',
]);

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('daemon state machine', () => {
  it('allows exactly the listed moves and refuses every other one', () => {
    for (const from of STATES) {
      for (const to of STATES) {
        if (LEGAL.has(`${from}>${to}`)) expect(transition(from, to)).toBe(to);
        else expect(() => transition(from, to), `${from} → ${to}`).toThrow(IllegalTransition);
      }
    }
  });

  it('stop() during start(): never running, no loop, the lock released for the next daemon', async () => {
    const emu = await emulator({});
    const db = tempDb();
    const port = await freePort();
    await onboard(emu.url, db, port);
    const clock = new FakeClock(emu.now());
    const store = openStore(db, { clock });
    cleanups.push(() => store.close());
    const daemon = new Daemon({ store, clock, apiBase: emu.url, http: { host: '127.0.0.1', port } });
    const seen: DaemonState[] = [];
    daemon.on('state', (s) => seen.push(s));
    const started = daemon.start(); // still listening when stop() comes
    const stopped = daemon.stop();
    await started;
    await stopped;
    expect(seen).toEqual(['starting', 'stopping', 'stopped']);
    expect(daemon.state).toBe('stopped');
    expect(daemon.signal.aborted).toBe(true);
    // The lock is free: a second daemon on the same file starts at once and runs.
    const next = new Daemon({ store, clock, apiBase: emu.url, http: { host: '127.0.0.1', port } });
    cleanups.push(() => next.stop());
    await next.start();
    expect(next.state).toBe('running');
    await expect(daemon.start()).rejects.toThrow('daemon already stopped');
  });
});
