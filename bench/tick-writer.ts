/**
 * Worker thread of the scheduler benchmark: the webhook receiver's writes, meanwhile — its own
 * connection to the same database, one autocommit inbox insert (~3 KiB event) per event at
 * `ratePerSec`, as the receiver does before each 200. Stops on any message; replies with the
 * count written.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../src/db/index.js';
import { eventBody } from './load.js';

const { file, ratePerSec } = workerData as { file: string; ratePerSec: number };
// As the daemon opens it: checkpoints on a background thread, not inside an insert's commit.
const store = openStore(file, { checkpoint: 'background' });
let written = 0;
const started = performance.now();
let stopped = false;
function step(): void {
  if (stopped) return;
  // Catch up to the rate: the events due by now are written, one commit each.
  const due = Math.floor(((performance.now() - started) / 1000) * ratePerSec);
  const now = Math.floor(Date.now() / 1000);
  for (; written < due; written++) {
    const raw = eventBody(written, now, 'tick');
    store.events.insertIfNew({ id: `evt_tick${written}`, type: 'invoice.payment_failed', created: now, raw });
  }
  setTimeout(step, 2);
}
step();
parentPort!.on('message', () => {
  stopped = true;
  store.close();
  parentPort!.postMessage(written);
  parentPort!.close();
});
