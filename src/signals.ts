/**
 * The one shutdown path of every long command (`run`, `takeover`, `emulator`, `demo`).
 *
 * The first SIGINT or SIGTERM aborts `signal`, which the command receives as `ctx.signal`: it stops
 * taking new work, finishes or records what is in flight, and returns. A second one resolves
 * `forced`: the command table's runner then returns at once with 128 + the signal's number (as shells
 * report a process killed by it) and bin/recover exits, cutting what is still in flight as a kill -9
 * would (recover survives that: idempotency keys from (case, attempt number), pages recorded as read).
 *
 * Handlers are installed before the command starts, so a signal during start-up is not lost.
 */
import type { EventEmitter } from 'node:events';
import type { CliIO, Context } from './context.js';

/** The signals a long command stops on, with their numbers (signal(7)). */
const STOP_SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;
export type StopSignalName = keyof typeof STOP_SIGNALS;

/** The exit code of a command stopped by `signal`: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
export function signalExitCode(signal: StopSignalName): number {
  return 128 + STOP_SIGNALS[signal];
}

interface StopListener {
  /** Aborted by the first signal; its `reason` is the signal's name. */
  readonly signal: AbortSignal;
  /** The first signal received, if any. */
  readonly received: StopSignalName | undefined;
  /** Resolves with the second signal's name. */
  readonly forced: Promise<StopSignalName>;
  /** Removes the handlers (the process's default behaviour returns). */
  dispose(): void;
}

/** Listens on `emitter` (the process; an EventEmitter in unit tests) until disposed. */
export function listenForStop(emitter: Pick<EventEmitter, 'on' | 'off'> = process): StopListener {
  const abort = new AbortController();
  let received: StopSignalName | undefined;
  let force: (s: StopSignalName) => void = () => undefined;
  const forced = new Promise<StopSignalName>((resolve) => (force = resolve));
  const handlers = (Object.keys(STOP_SIGNALS) as StopSignalName[]).map((name) => {
    const handler = () => {
      if (received === undefined) {
        received = name;
        abort.abort(name);
      } else force(name);
    };
    emitter.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: abort.signal,
    get received() {
      return received;
    },
    forced,
    dispose() {
      for (const [name, handler] of handlers) emitter.off(name, handler);
    },
  };
}

/** Resolves when `signal` is aborted (at once if it already is). */
export function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * Runs a long command: handlers first, then the context (whose `signal` the first signal aborts),
 * then the body. A second signal returns at once with exit code 128 + n in `io.exitCode`, and the
 * context is left open: closing the store under a call still in flight would fail that call
 * instead of letting the exit cut it.
 */
export async function runStoppable(
  io: CliIO,
  open: (signal: AbortSignal) => Context,
  body: (ctx: Context) => Promise<void>,
  emitter: Pick<EventEmitter, 'on' | 'off'> = process,
): Promise<void> {
  const stop = listenForStop(emitter);
  io.handlesSigint = true;
  let forced: StopSignalName | undefined;
  let ctx: Context | undefined;
  try {
    ctx = open(stop.signal);
    const work = body(ctx);
    // Once forced, the body is abandoned: a later rejection of it is not an unhandled one.
    work.catch(() => undefined);
    forced = await Promise.race([work.then(() => undefined), stop.forced]);
    if (forced) {
      ctx.logger.warn(
        { signal: forced },
        'second signal: exiting now; work in flight resumes on the next start (same keys)',
      );
      io.exitCode = signalExitCode(forced);
    }
  } finally {
    io.stoppedBy = stop.received;
    io.handlesSigint = false;
    stop.dispose();
    if (!forced) await ctx?.close();
  }
}
