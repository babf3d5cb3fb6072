/**
 * The one source of "now" (UTC epoch milliseconds). The policy never reads the time itself;
 * the daemon, takeover and the emulator take a Clock so tests can drive time explicitly.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** `inner`, calling `onFirstUse` with the time the first time it is read (to say which clock a command used). */
export function noticedClock(inner: Clock, onFirstUse: (now: number) => void): Clock {
  let told = false;
  return {
    now() {
      const t = inner.now();
      if (!told) {
        told = true;
        onFirstUse(t);
      }
      return t;
    },
  };
}

/** The one line a command prints (stderr) when it computes with "now" against an emulator. */
export function clockNote(which: 'system' | 'emulator', now: number, apiBase: string): string {
  const at = new Date(now).toISOString();
  return which === 'system'
    ? `note: "now" is this machine's clock, ${at} (Stripe API at ${apiBase}; --clock emulator follows the emulator's)\n`
    : `note: "now" follows the emulator's clock at ${apiBase}: ${at}\n`;
}

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
