import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { completeSession, findSession, type Completion } from './checkout.js';
import { controlHandler } from './control.js';
import { DeliveryFaults, type WebhookFaults } from './delivery-faults.js';
import { Faults, type FaultSettings } from './faults.js';
import { ApiServer } from './server.js';
import { resolveRetrySettings, type SmartRetriesInput } from './retry-settings.js';
import { loadSeed, type LoadSummary } from './seed-load.js';
import { parseSeed, resolveTime } from './seed-parse.js';
import type { Seed, SeedInput } from './seed-schema.js';
import { snapshot, type EmulatorState, type StateOptions } from './state.js';
import { runUntil } from './timeline.js';
import { WebhookDispatcher } from './webhooks.js';
import { World } from './world.js';

/**
 * A stateful, in-memory Stripe API for tests, demos and trying the tool without a Stripe
 * account. Start it, point the real `stripe` SDK at `url` (host/port/protocol), use any
 * `sk_test_…` key. See README.md in this folder.
 */
export interface EmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 = a random free port (default). */
  port?: number;
  /** A seed (parsed by seedSchema, from generateMerchant, or raw input to validate); default: an empty main account. */
  seed?: Seed | SeedInput;
  /**
   * Smart Retries for accounts whose seed does not say; default true (8 tries in 2 weeks). Also
   * "on:2w:8" / "on:30d:8" / "off", or { window, tries, subscription_action, invoice_action }
   * (window "1w"|"2w"|"3w"|"1m"|"2m"|"<n>d" or a number of days): see retry-settings.ts.
   */
  smartRetries?: SmartRetriesInput;
  /** Added to every response, ms. */
  latencyMs?: number;
  /** 0..1 share of API requests answered 500 before doing anything. */
  errorRate?: number;
  /** Requests per second per API key; over it → 429 with Stripe's rate_limit error. */
  rateLimitPerSec?: number;
  /** Restricted key → its rak_* permissions (in addition to the seed's keys). Any other sk_test_… key has full access. */
  keys?: Record<string, string[]>;
  /**
   * Emulator clock start, epoch ms; default the seed's `start` (an offset such as "-3d" counts from
   * now), else the current wall-clock time, so the emulator lives "now" like Stripe.
   */
  clockStart?: number;
  /**
   * Delay before re-delivering a failed webhook, WALL-CLOCK ms (doubles per attempt, capped at
   * one hour; 8 attempts in all). Default 1000.
   */
  webhookRetryMs?: number;
  /**
   * Accept webhook endpoints on localhost, loopback, private and link-local addresses, which
   * Stripe refuses ("URL must be publicly accessible"). Default false; tests and the demo set it.
   */
  allowLocalWebhooks?: boolean;
  /**
   * Webhook delivery faults (shares 0..1, seeded: delivery-faults.ts): `drop` (never delivered),
   * `duplicate` (delivered twice), `reorder` (sent after the endpoint's next event). Default none.
   */
  webhookFaults?: WebhookFaults;
}

export interface Emulator {
  url: string;
  host: string;
  port: number;
  /** The main (platform) account id. */
  accountId: string;
  /** What the seed loaded. */
  loaded: LoadSummary;
  /** Emulator clock, epoch ms. */
  now(): number;
  /** Moves the clock forward, running due Smart Retries, card updates and subscription ends in time order. */
  advance(ms: number): Promise<void>;
  /** Sets the clock (forward runs what falls due; backward only moves the clock). */
  setTime(ms: number): Promise<void>;
  /** Resolves once every queued event has been delivered (or has failed its current attempt). */
  flushWebhooks(): Promise<void>;
  setFaults(f: { latencyMs?: number; errorRate?: number; rateLimitPerSec?: number | null }): void;
  /** Read-only snapshot for tests: charges (with the idempotency key used), invoices, events, request counts. */
  state(opts?: StateOptions): EmulatorState;
  /**
   * The customer completes a setup-mode Checkout Session on its hosted page with a test card (default
   * `pm_card_visa`), as `POST /_emulator/checkout/:id/complete` does; throws for an unknown, closed or
   * declined session (checkout.ts).
   */
  completeCheckout(sessionId: string, card?: string): Completion;
  close(): Promise<void>;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const seed = opts.seed ? parseSeed(opts.seed) : parseSeed({});
  const wallNow = Date.now();
  const start = opts.clockStart ?? (seed.start !== undefined ? resolveTime(seed.start, wallNow) : wallNow);
  const world = new World(start);
  world.allowLocalWebhooks = opts.allowLocalWebhooks ?? false;
  resolveRetrySettings(opts.smartRetries ?? true); // a bad setting fails here, before anything starts
  const loaded = loadSeed(world, seed, { start, smartRetries: opts.smartRetries ?? true });
  for (const [key, perms] of Object.entries(opts.keys ?? {})) world.keys.set(key, new Set(perms));

  const deliveryFaults = opts.webhookFaults ? new DeliveryFaults(opts.webhookFaults) : undefined;
  const hooks = new WebhookDispatcher(world, {
    retryMs: opts.webhookRetryMs ?? 1000, maxAttempts: 8, concurrency: 8, faults: deliveryFaults,
  });
  world.onEvent = (acct, event) => hooks.enqueue(acct, event);
  // Webhooks made while the clock moves are sent once it has arrived (signed with the wall clock).
  const heldDuring = async <T>(fn: () => Promise<T>): Promise<T> => {
    const release = hooks.hold();
    try {
      return await fn();
    } finally {
      release();
    }
  };
  const faults = new Faults({ latencyMs: opts.latencyMs, errorRate: opts.errorRate, rateLimitPerSec: opts.rateLimitPerSec ?? null });

  // advance/setTime run one at a time, in call order.
  let timeLock: Promise<unknown> = Promise.resolve();
  const serial = (fn: () => Promise<unknown>): Promise<void> => {
    const next = timeLock.then(fn, fn);
    timeLock = next.catch(() => undefined);
    return next.then(() => undefined);
  };
  const advance = (ms: number) => {
    if (!(ms >= 0)) return Promise.reject(new RangeError(`advance(ms) needs ms >= 0 (got ${ms})`));
    return serial(() => heldDuring(() => runUntil(world, world.nowMs() + ms)));
  };
  const setTime = (ms: number) =>
    serial(async () => {
      if (ms >= world.nowMs()) await heldDuring(() => runUntil(world, ms));
      else world.clock.set(ms);
    });
  const setFaults = (f: Partial<Pick<FaultSettings, 'latencyMs' | 'errorRate'>> & { rateLimitPerSec?: number | null }) => faults.set(f);
  const state = (o?: StateOptions) => snapshot(world, hooks, api.requests.snapshot(), o, deliveryFaults);

  const api: ApiServer = new ApiServer(
    world,
    faults,
    controlHandler({ world, advance, setTime, flushWebhooks: () => hooks.flush(), setFaults, faults: () => faults.settings, state }),
  );
  const server = http.createServer((req, res) => {
    api.handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { type: 'api_error', message: `emulator: ${(e as Error).message}` } }));
    });
  });
  server.keepAliveTimeout = 30_000;
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closed = false;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  world.baseUrl = url;
  return {
    url,
    host,
    port,
    accountId: world.main.id,
    loaded,
    now: () => world.nowMs(),
    advance,
    setTime,
    flushWebhooks: () => hooks.flush(),
    setFaults,
    state,
    completeCheckout(sessionId, card = 'pm_card_visa') {
      const found = findSession(world, sessionId);
      if (!found) throw new RangeError(`no such checkout.session ${sessionId}`);
      return completeSession(world, found.acct, found.row, card);
    },
    async close() {
      if (closed) return;
      closed = true;
      await hooks.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export { seedSchema } from './seed-schema.js';
export type { Seed, SeedInput, Behaviour } from './seed-schema.js';
export { parseSeed, readSeedFile, SeedError } from './seed-parse.js';
export {
  generateMerchant, GENERATED_KEY, GENERATED_KEY_PERMISSIONS, GENERATED_API_KEY, GENERATED_API_KEY_PERMISSIONS,
  type GenerateOptions,
} from './generator.js';
export type { EmulatorState, ChargeView, InvoiceView, EventView, SubscriptionView, StateOptions } from './state.js';
export type { LoadSummary } from './seed-load.js';
export type { Completion } from './checkout.js';
export type { DeliveryRecord } from './webhooks.js';
export { parseWebhookFaults, WEBHOOK_FAULTS_ACCEPTED, type WebhookFaults } from './delivery-faults.js';
export { API_VERSION, DEFAULT_RETRY_DAYS } from './world.js';
export {
  retryDaysFor, resolveRetrySettings, SMART_RETRIES_ACCEPTED, type SmartRetriesInput, type RetrySettings,
} from './retry-settings.js';
