/**
 * A Recharge store run end to end: the Recharge emulator, `recover onboard recharge` (real CLI,
 * a token with exactly the required scopes), and a daemon on a real SQLite file whose clock
 * follows the emulator's and whose HTTP server receives the emulator's signed webhooks.
 */
import { EmulatorClock } from '../../src/daemon/clock.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { openStore, type Store } from '../../src/db/index.js';
import type { RechargeEmulator } from '../../src/emulators/recharge/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDbPath } from '../db/helpers.js';
import { freePort, memoryLogger } from '../daemon/helpers.js';
import { control, emulator } from './helpers.js';
import { REQUIRED } from './required-scopes.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const TOKEN = 'tok_recover_daemon_0001';

export interface RechargeWorld {
  emu: RechargeEmulator;
  db: string;
  port: number;
  start(): Promise<{
    daemon: Daemon;
    store: Store;
    clock: EmulatorClock;
    log: ReturnType<typeof memoryLogger>;
    /** Stops the daemon and closes its database (the daemon "down"). */
    stop(): Promise<void>;
  }>;
}

const running: Array<() => Promise<void>> = [];

export async function stopAll(): Promise<void> {
  while (running.length) await running.pop()!();
}

/** `apiBase`: where recover reaches the emulator (e.g. through an interposer), default its URL. */
export async function rechargeWorld(o: { apiBase?: (emuUrl: string) => Promise<string> } = {}): Promise<RechargeWorld> {
  // The portal hand-off done: Recharge's own retries off (the store as recover wants it).
  const emu = await emulator({ tokens: { [TOKEN]: REQUIRED }, rechargeRetries: false });
  const apiBase = o.apiBase ? await o.apiBase(emu.url) : emu.url;
  const db = tempDbPath();
  const port = await freePort();
  const env = { RECOVER_RECHARGE_TOKEN: TOKEN, RECOVER_RECHARGE_CLIENT_SECRET: emu.clientSecret };
  const hook = `http://127.0.0.1:${port}/recharge/webhooks`;
  const on = await runCli(
    ['--db', db, 'onboard', 'recharge', '--recharge-api-base', apiBase, '--webhook-url', hook, '--yes'],
    { env },
  );
  if (on.code !== 0) throw new Error(`onboard failed: ${on.stderr}`);
  // The emulator runs without a bucket; the client's own (2 calls/s) would only slow the test down.
  const s = openStore(db);
  const saved = s.settings.require();
  s.settings.set({ ...saved, recharge: { ...saved.recharge!, callsPerSec: 1000 } });
  s.close();
  return {
    emu,
    db,
    port,
    async start() {
      const clock = new EmulatorClock(emu.url);
      await clock.sync();
      const store = openStore(db, { clock });
      const log = memoryLogger();
      const daemon = new Daemon({ store, clock, http: { host: '127.0.0.1', port }, logger: log.logger, loop: false });
      await daemon.start();
      let closed = false;
      const stop = async () => {
        await daemon.stop();
        if (!closed) store.close();
        closed = true;
      };
      running.push(stop);
      return { daemon, store, clock, log, stop };
    },
  };
}

/** A customer whose first renewal is charged `inMs` from now with this card behaviour. */
export async function customer(emu: RechargeEmulator, email: string, behaviour: unknown, inMs = HOUR) {
  const r = await control(emu, 'customers', { email, behaviour, charge_in_ms: inMs, price: '24.50' });
  if (r.status !== 200) throw new Error(JSON.stringify(r.body));
  return r.body as { customer: { id: number }; charge: { id: number } };
}

/** Moves the emulated world by `ms` in steps, letting the daemon do what is due after each. */
export async function run(
  w: { emu: RechargeEmulator; daemon?: Daemon; clock?: EmulatorClock },
  ms: number,
  stepMs = 6 * HOUR,
): Promise<void> {
  for (let done = 0; done < ms; done += stepMs) {
    await w.emu.advance(Math.min(stepMs, ms - done));
    await w.emu.flushWebhooks();
    if (w.daemon && w.clock) {
      await w.clock.sync();
      await w.daemon.settle();
      await w.emu.flushWebhooks();
      await w.daemon.settle();
    }
  }
}
