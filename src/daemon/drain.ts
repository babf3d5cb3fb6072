/**
 * The one drain loop over a queue (src/db/queue.ts): claim up to `concurrency` due items, run
 * them all, and claim again while a full batch came back; stop early between batches when asked.
 * A batch that came back short means nothing more was due at claim time.
 */
interface DrainSpec<T> {
  /** Claims up to `limit` due items (one transaction). */
  claim(limit: number): T[];
  /** Runs one claimed batch to the end (every item settles; a crash is the runner's to handle). */
  run(batch: T[]): Promise<void>;
  concurrency: number;
  shouldStop(): boolean;
}

/** Returns how many items were claimed and run. */
export async function drain<T>(s: DrainSpec<T>): Promise<number> {
  let total = 0;
  while (!s.shouldStop()) {
    const batch = s.claim(s.concurrency);
    if (batch.length === 0) break;
    await s.run(batch);
    total += batch.length;
    if (batch.length < s.concurrency) break;
  }
  return total;
}
