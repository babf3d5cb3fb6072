/**
 * The demo's Stripe emulator in a worker thread (issue 18). The demo is two programs on one
 * machine, the emulator (Stripe) and recover's daemon; in one thread they took turns on one core
 * of two. In a worker the emulator answers the SDK's requests and sends its webhooks on the
 * other core: the same emulator (src/emulator/), reached over the same HTTP on 127.0.0.1.
 * Under vitest (sources run as .ts, which a worker cannot load) it runs in-process instead.
 */
import { Worker } from 'node:worker_threads';
import { generateMerchant, startEmulator, type GenerateOptions } from '../emulator/index.js';

export interface DemoEmulatorInput {
  merchant: GenerateOptions;
}

export type ToWorker = { id: number } & ({ op: 'advance'; ms: number } | { op: 'flush' | 'close' });
export interface FromWorker {
  id: number;
  /** The emulator's clock after the request, epoch ms. */
  now: number;
  url?: string;
  error?: string;
}

/** What the demo drives: the subset of `Emulator` (src/emulator/index.ts) it uses. */
interface DemoEmulator {
  url: string;
  /** The emulator's clock as of the last request answered, epoch ms. */
  now(): number;
  advance(ms: number): Promise<void>;
  flushWebhooks(): Promise<void>;
  close(): Promise<void>;
}

const WORKER_URL = new URL('./demo-emulator-worker.js', import.meta.url);

export async function startDemoEmulator(input: DemoEmulatorInput): Promise<DemoEmulator> {
  if (!import.meta.url.endsWith('.js')) return inProcess(input);
  const worker = new Worker(WORKER_URL, { workerData: input });
  const waiting = new Map<number, { ok: (m: FromWorker) => void; fail: (e: Error) => void }>();
  let failed: Error | undefined;
  const failAll = (e: Error) => {
    failed ??= e;
    for (const w of waiting.values()) w.fail(e);
    waiting.clear();
  };
  worker.on('message', (m: FromWorker) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error) w?.fail(new Error(`emulator: ${m.error}`));
    else w?.ok(m);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`emulator worker exited (code ${code})`)));
  let next = 0;
  let now = 0;
  const call = (m: ToWorker | null): Promise<FromWorker> =>
    new Promise<FromWorker>((ok, fail) => {
      if (failed) return fail(failed);
      const id = m?.id ?? 0;
      waiting.set(id, {
        ok: (r) => {
          now = r.now;
          ok(r);
        },
        fail,
      });
      if (m) worker.postMessage(m);
    });
  let closed: Promise<void> | undefined;
  let ready: FromWorker;
  try {
    ready = await call(null); // the worker's first message: listening, or why not
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  return {
    url: ready.url!,
    now: () => now,
    advance: async (ms) => void (await call({ id: ++next, op: 'advance', ms })),
    flushWebhooks: async () => void (await call({ id: ++next, op: 'flush' })),
    close: () =>
      (closed ??= (async () => {
        await call({ id: ++next, op: 'close' }).catch(() => undefined);
        await worker.terminate();
      })()),
  };
}

async function inProcess(input: DemoEmulatorInput): Promise<DemoEmulator> {
  const emu = await startEmulator({ seed: generateMerchant(input.merchant), allowLocalWebhooks: true });
  return {
    url: emu.url,
    now: () => emu.now(),
    advance: (ms) => emu.advance(ms),
    flushWebhooks: () => emu.flushWebhooks(),
    close: () => emu.close(),
  };
}
