/**
 * The worker thread of `recover demo`'s Stripe emulator (demo-emulator.ts): generates the
 * synthetic merchant, starts the emulator on 127.0.0.1 and answers the demo's requests
 * (advance the clock, flush webhooks, close) one message each, so the emulator's request
 * handling runs on the machine's second core while the daemon runs on the first.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { generateMerchant, startEmulator, type Emulator } from '../emulator/index.js';
import type { DemoEmulatorInput, ToWorker, FromWorker } from './demo-emulator.js';

const port = parentPort!;
const input = workerData as DemoEmulatorInput;
const reply = (m: FromWorker) => port.postMessage(m);

async function serve(emu: Emulator, m: ToWorker): Promise<void> {
  try {
    if (m.op === 'advance') await emu.advance(m.ms);
    else if (m.op === 'flush') await emu.flushWebhooks();
    else await emu.close();
    reply({ id: m.id, now: emu.now() });
  } catch (e) {
    reply({ id: m.id, now: emu.now(), error: (e as Error).message });
  }
}

try {
  const seed = generateMerchant(input.merchant);
  const emu = await startEmulator({ seed, allowLocalWebhooks: true });
  // One message at a time, in order: advance, then flush, as the in-process emulator is driven.
  let chain = Promise.resolve();
  port.on('message', (m: ToWorker) => void (chain = chain.then(() => serve(emu, m))));
  reply({ id: 0, now: emu.now(), url: emu.url });
} catch (e) {
  reply({ id: 0, now: 0, error: (e as Error).message });
}
