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

/** Main-connection auto-checkpoint threshold in background mode (pages of 4 KiB: 40 MiB). */
export const SAFETY_AUTOCHECKPOINT_PAGES = 10_000;
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 250;

// Plain CommonJS so it runs in an eval'd worker under both tsc output and vitest.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true, timeout: workerData.busyTimeoutMs });
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: try again next time */ }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
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
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, intervalMs, busyTimeoutMs } });
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
