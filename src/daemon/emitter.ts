/**
 * A small typed event emitter over node:events, plus `waitFor`, so tests (and `recover demo`)
 * wait for what the daemon reports ("an attempt on in_123 finished") instead of sleeping.
 */
import { EventEmitter } from 'node:events';

type EventMap = Record<string, unknown[]>;

export class TypedEmitter<E extends EventMap> {
  private readonly ee = new EventEmitter();

  constructor() {
    // Tests attach one waiter per expectation; the default cap of 10 would only warn.
    this.ee.setMaxListeners(0);
  }

  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): () => void {
    this.ee.on(event, listener as (...a: unknown[]) => void);
    return () => this.ee.off(event, listener as (...a: unknown[]) => void);
  }

  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): void {
    this.ee.once(event, listener as (...a: unknown[]) => void);
  }

  emit<K extends keyof E & string>(event: K, ...args: E[K]): void {
    this.ee.emit(event, ...args);
  }

  /**
   * Resolves with the arguments of the first `event` for which `match` is true. Rejects after
   * `timeoutMs` of wall time (default 30 000), naming the event, so a test fails instead of hanging.
   */
  waitFor<K extends keyof E & string>(
    event: K,
    match: (...args: E[K]) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<E[K]> {
    return new Promise((resolve, reject) => {
      const listener = (...args: unknown[]) => {
        if (!match(...(args as E[K]))) return;
        cleanup();
        resolve(args as E[K]);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for daemon event "${event}"`));
      }, timeoutMs);
      timer.unref();
      const cleanup = () => {
        clearTimeout(timer);
        this.ee.off(event, listener);
      };
      this.ee.on(event, listener);
    });
  }
}
