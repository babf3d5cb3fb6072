/**
 * Driving an in-process daemon and an in-process emulator through simulated time together
 * (tests; `recover demo` steps its own clock): both clocks move to the next moment anything is due — a retry, a job,
 * a deadline, a reconcile — or by at most `maxStepMs`, and after each move the emulator's
 * webhooks are delivered and the daemon settles, until neither has anything left to do.
 */
import type { FakeClock } from '../../src/clock.js';
import type { Daemon } from '../../src/daemon/daemon.js';

/** The part of the emulator this needs (`startEmulator()`'s result has it). */
export interface DrivableEmulator {
  now(): number;
  setTime(ms: number): Promise<void>;
  flushWebhooks(): Promise<void>;
  state(opts: { summary: true }): { webhooks: { queued: number } };
}

export interface DriveOptions {
  daemon: Daemon;
  emulator: DrivableEmulator;
  /** The daemon's clock; set to the emulator's time after each move. */
  clock: FakeClock;
  /** Longest single move, ms (default 1 h): events the emulator makes by itself are seen at most this late. */
  maxStepMs?: number;
  /** Called after each move, once all is quiet (progress bars). */
  onStep?: (now: number) => void;
}

/** Delivers queued webhooks and lets the daemon settle until neither has work left. */
export async function quiesce(o: Pick<DriveOptions, 'daemon' | 'emulator'>, maxRounds = 1000): Promise<void> {
  for (let i = 0; i < maxRounds; i++) {
    await o.emulator.flushWebhooks();
    const worked = await o.daemon.settle();
    if (worked === 0 && o.emulator.state({ summary: true }).webhooks.queued === 0) return;
  }
  throw new Error(`the daemon and the emulator did not quiesce in ${maxRounds} rounds`);
}

/** Moves both clocks to `target` (epoch ms), stopping wherever the daemon has something due. */
export async function driveTo(o: DriveOptions, target: number): Promise<void> {
  const step = o.maxStepMs ?? 3_600_000;
  await quiesce(o);
  while (o.clock.now() < target) {
    const now = o.clock.now();
    const next = o.daemon.nextWakeAt();
    let to = Math.min(target, now + step);
    if (next !== null && next > now) to = Math.min(to, next);
    await o.emulator.setTime(to);
    o.clock.set(o.emulator.now());
    await quiesce(o);
    o.onStep?.(o.clock.now());
  }
}
