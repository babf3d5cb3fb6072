/**
 * The daemon behind `recover run`. See daemon.ts for the lifecycle, runtime.ts for what one pass
 * does (test/helpers/drive.ts runs it against the emulator in simulated time).
 */
export { Daemon, type DaemonOptions } from './daemon.js';
export { EmulatorClock, daemonClock, type DaemonClock } from './clock.js';
export { DEFAULT_RECONCILE_CRON } from './reconciler.js';
export { MAX_WEBHOOK_BYTES, WEBHOOK_PATH } from './webhook-server.js';
export type * from './types.js';
