/**
 * Background WAL checkpoints, for the daemon. SQLite normally checkpoints inside whichever
 * commit pushes the WAL past 1000 pages; that commit then pays for copying ~4 MiB into the
 * database and two fsyncs (tens of ms on ordinary disks) — a scheduler tick or a webhook ack
 * stalls. With `checkpoint: 'background'`, a worker thread with its own connection runs
 * PASSIVE checkpoints (they never block writers) every `intervalMs`, and the main connection's
 * own auto-checkpoint threshold is raised to a safety net, so the WAL stays bounded even if
 * the worker falls behind or dies.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Main-connection auto-checkpoint threshold in background mode (pages of 4 KiB: 40 MiB). The
 * worker below keeps the WAL backfilled (it comes back within behindMs while the WAL moves), so
 * this is only a safety net. 2,000 pages was tried for issue 18's ingest p99: on a quiet machine
 * it did not lower the ingest p99 at 32 in flight (1.8–2.2× vs 2.2–2.3×) and gave the scheduler
 * 4 ticks over 50 ms (max 117 ms) in 60 s with 1,000,000 cases, against 0 (max 47 ms) at 10,000
 * (`RECOVER_BENCH_TICK_SECONDS=60 npm run bench -- daemon`, 2 Dec).
 */
export const SAFETY_AUTOCHECKPOINT_PAGES = 10_000;
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 250;
/**
 * A checkpoint that leaves at least this many WAL frames (4 KiB pages) behind is followed by
 * another at once; fewer behind, by one after BEHIND_MS. Issue 18: at 12,000 events/s (36 MB/s
 * of WAL) a checkpoint every 250 ms fell behind, the WAL grew to the safety net and a webhook ack
 * paid for a 40 MiB checkpoint (p99 5.7x the reference receiver's).
 */
export const CATCH_UP_FRAMES = 1000;
export const BEHIND_MS = 10;

// Plain CommonJS so it runs in an eval'd worker under both tsc output and vitest.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true, timeout: workerData.busyTimeoutMs });
let timer;
let lastLog = -1;
function run() {
  let delay = workerData.intervalMs;
  try {
    // PASSIVE copies what it can without blocking a writer; row = { busy, log, checkpointed } (frames).
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    // Behind a busy writer: go again at once (far behind) or soon, so the WAL is backfilled before
    // the main connection's safety net fires inside a commit.
    const behind = r && r.log > 0 ? r.log - r.checkpointed : 0;
    if (behind >= workerData.catchUpFrames) delay = 0;
    else if (behind > 0) delay = Math.min(delay, workerData.behindMs);
    // The WAL moved since the last run (a writer is busy): come back soon too. A busy writer
    // restarts the WAL every few hundred ms; a worker asleep for intervalMs would leave the whole
    // copy to the commit that crosses the main connection's threshold (issue 18).
    const log = r ? r.log : 0;
    if (log !== lastLog) delay = Math.min(delay, workerData.behindMs);
    lastLog = log;
  } catch { /* busy or closing: try again next time */ }
  timer = setTimeout(run, delay);
}
timer = setTimeout(run, workerData.intervalMs);
parentPort.on('message', () => {
  clearTimeout(timer);
  try { db.close(); } catch {}
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Asks the worker to close its connection and exit; does not wait. */
  stop(): void;
}

export function startCheckpointer(path: string, intervalMs: number, busyTimeoutMs: number): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const workerData = { path, driver, intervalMs, busyTimeoutMs, catchUpFrames: CATCH_UP_FRAMES, behindMs: BEHIND_MS };
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
  worker.unref(); // never keeps the process alive
  worker.on('error', () => {
    // The safety-net auto-checkpoint on the main connection takes over.
  });
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      worker.postMessage('stop');
    },
  };
}
