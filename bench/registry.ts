/** Every benchmark, by name. Each returns its figures; bench/run.ts adds peak RSS. */
import { benchDaemon } from './daemon.js';
import { benchDb } from './db.js';
import { benchEmulator } from './emulator.js';
import { benchIngest } from './ingest.js';
import { benchRechargeEmulator } from './recharge-emulator.js';
import { benchReport } from './report.js';
import { benchSimulate } from './simulate.js';
import { benchSimulateSpeed } from './simulate-speed.js';
import { benchStartup } from './startup.js';
import { benchTakeover } from './takeover.js';

export type Bench = () => Promise<Record<string, number | string>>;

export const BENCHES: Record<string, Bench> = {
  daemon: benchDaemon,
  db: benchDb,
  emulator: benchEmulator,
  ingest: benchIngest,
  'recharge-emulator': benchRechargeEmulator,
  report: benchReport,
  simulate: benchSimulate,
  'simulate-speed': benchSimulateSpeed,
  startup: benchStartup,
  takeover: benchTakeover,
};
