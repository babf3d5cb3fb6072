/**
 * A fixed number of workers draining a queue of jobs that may grow while it drains (a job that
 * learns it has more than its share of work splits some off with `push`, best when `idle()`
 * says workers are waiting). The gateway's token bucket is the real throttle; the pool only
 * keeps enough requests in flight to use it.
 *
 * The first error stops the pool: no worker takes a new job, running jobs see `stopped()` and
 * finish their current step; `runPool` then rejects with that error.
 */
export interface PoolControl<J> {
  /** Workers waiting for a job right now. */
  idle(): number;
  push(job: J): void;
  /** True once a job failed or the signal was aborted: finish the current step and return. */
  stopped(): boolean;
}

export async function runPool<J>(
  jobs: J[],
  concurrency: number,
  work: (job: J, ctl: PoolControl<J>) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const queue = [...jobs];
  let running = 0;
  let waiting: Array<() => void> = [];
  let failure: { error: unknown } | undefined;
  const wakeAll = () => {
    const w = waiting;
    waiting = [];
    for (const f of w) f();
  };
  const ctl: PoolControl<J> = {
    idle: () => waiting.length,
    push(job) {
      queue.push(job);
      waiting.shift()?.();
    },
    stopped: () => failure !== undefined || Boolean(signal?.aborted),
  };
  const onAbort = () => wakeAll();
  signal?.addEventListener('abort', onAbort);

  async function next(): Promise<J | undefined> {
    for (;;) {
      if (ctl.stopped()) return undefined;
      const job = queue.shift();
      if (job !== undefined) return job;
      if (running === 0) return undefined; // nothing queued and nobody left who could push
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  }

  async function worker(): Promise<void> {
    for (;;) {
      const job = await next();
      if (job === undefined) {
        wakeAll(); // let the other waiters see the end too
        return;
      }
      running++;
      try {
        await work(job, ctl);
      } catch (error) {
        failure ??= { error };
      } finally {
        running--;
        if (failure || (running === 0 && queue.length === 0)) wakeAll();
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, () => worker()));
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (failure) throw failure.error;
}

/**
 * At most `n` calls of `run` in flight; the others wait their turn (FIFO). Takeover passes every
 * Stripe call through one of these, so the gateway's token bucket never holds more than `n`
 * reservations: after a 429 halves its rate, the wait stays bounded by n / rate instead of
 * growing with a whole page of pauses queued at once.
 */
export function callLimit(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  return async (fn) => {
    if (active >= n) await new Promise<void>((resolve) => queue.push(resolve));
    else active++;
    try {
      return await fn();
    } finally {
      const next = queue.shift();
      if (next) next(); // the slot passes straight to the next caller
      else active--;
    }
  };
}
