/** Every benchmark, by name. Each returns its figures; bench/run.ts adds peak RSS. */
import { benchApi } from './api.js';
import { benchDaemon } from './daemon.js';
import { benchDb } from './db.js';
import { benchDemoSpeed } from './demo-speed.js';
import { benchEmulator } from './emulator.js';
import { benchInboxLatency } from './inbox-latency.js';
import { benchIngest } from './ingest.js';
import { benchRechargeEmulator } from './recharge-emulator.js';
import { benchReport } from './report.js';
import { benchSimulate } from './simulate.js';
import { benchSimulateSpeed } from './simulate-speed.js';
import { benchStartup } from './startup.js';
import { benchTakeover } from './takeover.js';
import { benchWebhooks } from './webhooks.js';

export type Bench = () => Promise<Record<string, number | string>>;

export const BENCHES: Record<string, Bench> = {
  api: benchApi,
  daemon: benchDaemon,
  db: benchDb,
  'demo-speed': benchDemoSpeed,
  emulator: benchEmulator,
  'inbox-latency': benchInboxLatency,
  ingest: benchIngest,
  'recharge-emulator': benchRechargeEmulator,
  report: benchReport,
  simulate: benchSimulate,
  'simulate-speed': benchSimulateSpeed,
  startup: benchStartup,
  takeover: benchTakeover,
  webhooks: benchWebhooks,
};
