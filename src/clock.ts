/**
 * The one source of "now" (UTC epoch milliseconds). The policy never reads the time itself;
 * the daemon, takeover and the emulator take a Clock so tests can drive time explicitly.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

type Listener = (now: number) => void;

/** A manually driven clock for tests and simulations. */
export class FakeClock implements Clock {
  private current: number;
  private listeners = new Set<Listener>();
  constructor(start: number = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }
  now(): number {
    return this.current;
  }
  set(ms: number): void {
    this.current = ms;
    for (const l of this.listeners) l(ms);
  }
  advance(ms: number): void {
    this.set(this.current + ms);
  }
  /** Called after every change; returns an unsubscribe function. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
