/**
 * Emulator + onboarded database + in-process daemon, with the daemon's FakeClock following the
 * emulator's clock. `advanceTo` moves both together, stopping at every time the daemon has
 * something due, and waits for quiescence through the daemon's own reports (no sleeps).
 */
import net from 'node:net';
import { afterEach, expect } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { openStore, type Store } from '../../src/db/index.js';
import { Daemon, type DaemonOptions } from '../../src/daemon/daemon.js';
import { driveTo, quiesce as quiesceBoth } from '../helpers/drive.js';
import type { SeedInput } from '../../src/emulator/index.js';
import { createLogger, type Logger } from '../../src/log.js';
import { createGateway, type StripeGateway } from '../../src/stripe/index.js';
import { runCli } from '../helpers/cli.js';
import { LEAST_CONNECT_KEY, LEAST_KEY, emulator, tempDb } from '../helpers/env.js';
import type { Emulator } from '../../src/emulator/index.js';
import { PassThrough } from 'node:stream';

const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

/** Full access: what the merchant's other tools (and the customer, through them) use in tests. */
export const KEY = 'sk_test_daemon0000000000000001';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function onboard(
  emuUrl: string,
  db: string,
  port: number,
  extra: string[] = [],
  scope: 'account' | 'connect' = 'account',
  key = scope === 'connect' ? LEAST_CONNECT_KEY : LEAST_KEY,
): Promise<void> {
  const r = await runCli([
    '--db',
    db,
    '--stripe-api-base',
    emuUrl,
    'onboard',
    'stripe',
    '--env',
    'test',
    '--scope',
    scope,
    '--primary-key',
    key,
    '--webhook-url',
    `http://127.0.0.1:${port}/stripe/webhook`,
    '--control-baseline',
    'stripe',
    '--mode',
    'live',
    '--yes',
    ...extra,
  ]);
  expect(r.stderr).not.toMatch(/recover: /);
  expect(r.code).toBe(0);
}

/** A logger whose lines are kept (JSON) for assertions. */
export function memoryLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>>; text: () => string } {
  const sink = new PassThrough();
  let buf = '';
  sink.on('data', (c: Buffer) => (buf += c.toString('utf8')));
  const logger = createLogger({ level: 'debug', format: 'json', destination: sink });
  return {
    logger,
    text: () => buf,
    lines: () =>
      buf
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export interface World {
  emu: Emulator;
  db: string;
  store: Store;
  clock: FakeClock;
  daemon: Daemon;
  port: number;
  gw: StripeGateway;
  log: ReturnType<typeof memoryLogger>;
  /** Moves the emulator and the daemon to `target` (ms) together; returns when all is quiet. */
  advanceTo(target: number, maxStepMs?: number): Promise<void>;
  advance(ms: number, maxStepMs?: number): Promise<void>;
  /** Delivers queued webhooks and lets the daemon settle, until neither has anything left. */
  quiesce(): Promise<void>;
}

export interface WorldOptions {
  seed?: SeedInput;
  onboard?: string[];
  daemon?: Partial<DaemonOptions>;
  smartRetries?: boolean;
  /** Settings to patch after onboarding. */
  settings?: Record<string, unknown>;
  latencyMs?: number;
  webhookRetryMs?: number;
  scope?: 'account' | 'connect';
  /** Onboard with this key instead of LEAST_KEY / LEAST_CONNECT_KEY (declare it in `keys`). */
  key?: string;
  /** After onboarding, the daemon runs with this key instead (e.g. one that lost a permission since). */
  daemonKey?: string;
  keys?: Record<string, string[]>;
  /** Run `recover takeover` (the CLI, on the emulator's clock) before the daemon starts. */
  takeover?: boolean;
}

/**
 * The daemon on an onboarded database: a FakeClock at the emulator's now, a fast saved rate limit
 * (2000/s, the emulator's), a memory logger, HTTP on `port`; stopped and closed after the test.
 */
export async function startDaemonOn(
  emu: Emulator,
  db: string,
  port: number,
  o: { settings?: Record<string, unknown>; daemon?: Partial<DaemonOptions>; before?: (store: Store) => unknown } = {},
): Promise<{ clock: FakeClock; store: Store; log: ReturnType<typeof memoryLogger>; daemon: Daemon }> {
  const clock = new FakeClock(emu.now());
  const store = openStore(db, { clock });
  o.before?.(store);
  store.settings.set({ ...store.settings.require(), rateLimitPerSec: 2000, ...(o.settings ?? {}) });
  const log = memoryLogger();
  const daemon = new Daemon({
    store,
    clock,
    apiBase: emu.url,
    http: { host: '127.0.0.1', port },
    logger: log.logger,
    ...o.daemon,
  });
  stops.push(() => store.close());
  stops.push(() => daemon.stop());
  await daemon.start();
  return { clock, store, log, daemon };
}

export async function startWorld(o: WorldOptions = {}): Promise<World> {
  const emu = await emulator({
    seed: o.seed,
    smartRetries: o.smartRetries,
    latencyMs: o.latencyMs,
    webhookRetryMs: o.webhookRetryMs ?? 60_000,
    keys: o.keys,
  });
  const port = await freePort();
  const db = tempDb();
  await onboard(emu.url, db, port, o.onboard, o.scope, o.key);
  if (o.takeover) {
    const t = await runCli(['--db', db, '--stripe-api-base', emu.url, 'takeover', '--clock', 'emulator']);
    expect(t.code, t.stderr).toBe(0);
  }
  const { clock, store, log, daemon } = await startDaemonOn(emu, db, port, {
    settings: o.settings,
    daemon: o.daemon,
    before: (s) => o.daemonKey && s.secrets.set('primary_key', o.daemonKey),
  });
  const gw = createGateway({ primaryKey: KEY, apiBase: emu.url, rateLimitPerSec: 1000 });

  const quiesce = () => quiesceBoth({ daemon, emulator: emu });
  const advanceTo = (target: number, maxStepMs = 6 * 3600_000) =>
    driveTo({ daemon, emulator: emu, clock, maxStepMs }, target);

  return {
    emu,
    db,
    store,
    clock,
    daemon,
    port,
    gw,
    log,
    advanceTo,
    advance: (ms, step) => advanceTo(clock.now() + ms, step),
    quiesce,
  };
}

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;

/** A raw Stripe API call to the emulator, as a merchant's other tools (or the customer) would make. */
export async function stripeApi(
  w: Pick<World, 'emu'>,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  params: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const body = new URLSearchParams(params).toString();
  const res = await fetch(`${w.emu.url}${path}${method === 'GET' && body ? `?${body}` : ''}`, {
    method,
    headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: method === 'GET' ? undefined : body,
  });
  return (await res.json()) as Record<string, unknown>;
}

/** The first customer id `cus_<prefix><i>` that the stable hash puts in `arm` for this control share. */
export async function customerIn(arm: 'treatment' | 'control', share: number, prefix: string): Promise<string> {
  const { assignArm } = await import('../../src/policy/index.js');
  for (let i = 0; ; i++) if (assignArm(`cus_${prefix}${i}`, share) === arm) return `cus_${prefix}${i}`;
}

export const SOFT = { type: 'decline', decline_code: 'insufficient_funds' };
export const LATER = (after: string) => ({
  type: 'schedule',
  decline: { decline_code: 'insufficient_funds' },
  succeed_after: after,
});

/**
 * One customer (Chicago, a Visa card with `behaviour`) whose subscription invoice `in_<tag>` of
 * 30.00 USD is created 10 min after the clock start and fails on its first attempt an hour later.
 */
export function oneCustomer(tag: string, behaviour: Record<string, unknown>, start?: string): SeedInput {
  return {
    ...(start ? { start } : {}),
    account: {
      customers: [
        {
          id: `cus_${tag}`,
          timezone: 'America/Chicago',
          country: 'US',
          payment_methods: [{ id: `pm_${tag}`, brand: 'visa', behaviour: behaviour as never }],
          subscriptions: [
            { id: `sub_${tag}`, price: 3000, invoices: [{ id: `in_${tag}`, amount: 3000, created: '+10m' }] },
          ],
        },
      ],
    },
  };
}
