/**
 * The one shutdown path (src/signals.ts) on a plain EventEmitter standing in for the process:
 * the first signal aborts, the second forces 128 + n, and the runner leaves the context open then.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIO, Context } from '../src/context.js';
import { silentLogger } from '../src/log.js';
import { listenForStop, runStoppable, signalExitCode } from '../src/signals.js';

function io(): CliIO {
  return { stdout: new PassThrough(), stderr: new PassThrough(), env: {}, stdinIsTTY: false };
}

describe('signals', () => {
  it('first signal aborts with its name, the second resolves forced; dispose removes the handlers', async () => {
    const proc = new EventEmitter();
    const stop = listenForStop(proc);
    expect(proc.listenerCount('SIGINT') + proc.listenerCount('SIGTERM')).toBe(2);
    proc.emit('SIGTERM');
    expect(stop.signal.aborted).toBe(true);
    expect(stop.signal.reason).toBe('SIGTERM');
    expect(stop.received).toBe('SIGTERM');
    proc.emit('SIGINT');
    expect(await stop.forced).toBe('SIGINT');
    stop.dispose();
    expect(proc.listenerCount('SIGINT') + proc.listenerCount('SIGTERM')).toBe(0);
    expect([signalExitCode('SIGINT'), signalExitCode('SIGTERM')]).toEqual([130, 143]);
  });

  it('runStoppable: a graceful stop closes the context; a second signal returns 128 + n and does not', async () => {
    for (const second of [false, true]) {
      const proc = new EventEmitter();
      const cli = io();
      let closed = false;
      const ctx = { logger: silentLogger, close: async () => void (closed = true) } as unknown as Context;
      const run = runStoppable(
        cli,
        () => ctx,
        (c) => {
          expect(cli.handlesSigint).toBe(true);
          proc.emit('SIGINT');
          if (second) proc.emit('SIGTERM');
          // A body that honours the signal ends; one stuck in a call does not.
          return second ? new Promise<void>(() => undefined) : Promise.resolve(void c);
        },
        proc,
      );
      await run;
      expect(cli.stoppedBy).toBe('SIGINT');
      expect(cli.exitCode).toBe(second ? 143 : undefined);
      expect(closed).toBe(!second);
      expect(cli.handlesSigint).toBe(false);
      expect(proc.listenerCount('SIGINT')).toBe(0);
    }
  });
});
