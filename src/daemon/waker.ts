/**
 * How the daemon's loop sleeps: until the next due time on its clock, a new webhook, or a jump
 * of a fake/emulator clock — whichever comes first. Wall-clock timers are only trusted for a
 * real-time clock; other clocks wake the loop when they change.
 */
import type { DaemonClock } from './clock.js';

/** Longest single sleep, wall ms: the loop re-checks at least this often (settings, lock, clock drift). */
const MAX_SLEEP_MS = 30_000;

export class Waker {
  private wake: (() => void) | undefined;
  private pending = false;
  private readonly unsubscribe: (() => void) | undefined;

  constructor(private readonly clock: DaemonClock) {
    this.unsubscribe = clock.onChange?.(() => this.signal());
  }

  /** Wakes the loop now (or makes its next wait return at once). */
  signal(): void {
    if (this.wake) this.wake();
    else this.pending = true;
  }

  /** Sleeps until `dueAt` (clock ms; null = nothing due) or a signal, and at most `maxMs` wall ms. */
  wait(dueAt: number | null, maxMs = MAX_SLEEP_MS): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    const now = this.clock.now();
    if (dueAt !== null && dueAt <= now) return Promise.resolve();
    let ms = maxMs;
    if (dueAt !== null && this.clock.realTime) ms = Math.min(ms, Math.max(1, dueAt - now));
    // Non-real-time clocks that cannot notify us (none today) are polled every second.
    if (!this.clock.realTime && !this.clock.onChange) ms = Math.min(ms, 1000);
    return new Promise((resolve) => {
      // `timer` is assigned before `done` can run (a timer never fires synchronously).
      let timer: NodeJS.Timeout | undefined = undefined;
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      timer = setTimeout(done, ms);
      timer.unref();
      this.wake = done;
    });
  }

  close(): void {
    this.unsubscribe?.();
    this.signal();
  }
}
