/**
 * The daemon's one source of "now" (UTC epoch ms). Three kinds:
 * - the system clock (production);
 * - a FakeClock (tests), whose changes wake the daemon at once;
 * - the emulator's clock (`--clock emulator`), read from `GET /_emulator/clock` and polled, so
 *   a whole dunning cycle runs in seconds when a script advances the emulator.
 */
import { systemClock, type Clock } from '../clock.js';
import { UsageError, WorkError } from '../errors.js';

export interface DaemonClock extends Clock {
  /** Re-reads an external clock (emulator); no-op otherwise. */
  sync?(): Promise<void>;
  /** Called whenever the clock jumps (FakeClock, emulator); returns an unsubscribe function. */
  onChange?(listener: (now: number) => void): () => void;
  /** True for clocks that move with wall time, so timers can be used to wait for due work. */
  readonly realTime: boolean;
  close?(): void;
}

type Changeable = Clock & { onChange?: (l: (now: number) => void) => () => void };

/** Wraps a plain Clock (system or FakeClock). */
export function daemonClock(clock: Clock = systemClock): DaemonClock {
  const c = clock as Changeable;
  return {
    now: () => clock.now(),
    realTime: clock === systemClock,
    onChange: typeof c.onChange === 'function' ? (l) => c.onChange!(l) : undefined,
  };
}

/** Follows the emulator's clock: one GET per `pollMs` of wall time (default 200 ms), and on demand. */
export class EmulatorClock implements DaemonClock {
  readonly realTime = false;
  private current = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(now: number) => void>();
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly apiBase: string,
    private readonly pollMs = 200,
  ) {}

  /** Refuses the real Stripe API: only an emulator has a clock to follow. */
  static check(apiBase: string | undefined): string {
    if (!apiBase)
      throw new UsageError(
        '--clock emulator needs --stripe-api-base pointing at the emulator (it is refused against the real Stripe API)',
      );
    if (/(^|\.)stripe\.com$/i.test(new URL(apiBase).hostname))
      throw new UsageError('--clock emulator is refused against the real Stripe API');
    return apiBase;
  }

  async start(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => void this.sync().catch(() => undefined), this.pollMs);
    this.timer.unref();
  }

  now(): number {
    return this.current;
  }

  sync(): Promise<void> {
    this.inflight ??= this.fetchNow().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  onChange(listener: (now: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async fetchNow(): Promise<void> {
    let body: { now_ms?: unknown };
    try {
      const res = await fetch(`${this.apiBase}/_emulator/clock`);
      body = (await res.json()) as { now_ms?: unknown };
    } catch (e) {
      throw new WorkError(`cannot read the emulator clock at ${this.apiBase}/_emulator/clock: ${(e as Error).message}`);
    }
    if (typeof body.now_ms !== 'number')
      throw new WorkError(`${this.apiBase} is not the recover emulator (no clock at /_emulator/clock)`);
    if (body.now_ms !== this.current) {
      this.current = body.now_ms;
      for (const l of this.listeners) l(this.current);
    }
  }
}
