/**
 * A stateful, in-memory Recharge admin API (version 2021-11) for tests, the demo and trying
 * recover without a Recharge store: one store, its customers, addresses, subscriptions, payment
 * methods, charges on an emulator clock, webhooks signed both ways, token scopes, the leaky
 * bucket and cursor pages. See README.md in this folder for each rule and its source.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runUntil } from './billing.js';
import { rechargeControl } from './control.js';
import { generateStore, type GenerateStoreOptions, type StoreSummary } from './generator.js';
import { RechargeApi } from './server.js';
import { RechargeDispatcher, type DeliveryRecord } from './webhooks.js';
import { ALL_SCOPES, RechargeWorld, type StorePlan } from './world.js';

/**
 * Recharge's default retry schedule, days after each failed attempt: "the day after the first failed
 * attempt … then every six days for six more attempts" (support.rechargepayments.com/hc/en-us/
 * articles/360030618053-Managing-max-retry-order-errors).
 */
export const DEFAULT_RETRY_DAYS = [1, 6, 6, 6, 6, 6, 6];
export const EMULATOR_CLIENT_SECRET = 'emulator-client-secret-0001';

export interface RechargeEmulatorOptions {
  host?: string;
  /** 0 = a random free port (default). */
  port?: number;
  /** Token → scopes ('all' = ALL_SCOPES). */
  tokens?: Record<string, string[] | 'all'>;
  /** Leaky bucket for every token: default Recharge's 40 calls draining 2/s; null = none. */
  bucket?: { capacity: number; leakPerSec: number } | null;
  plan?: StorePlan;
  /** Recharge's own retries of failed charges; default on (as a store comes). */
  rechargeRetries?: boolean;
  retryDays?: number[];
  maxRetriesAction?: 'cancel' | 'nothing';
  /** Recharge's next-day retry after a card update; default on. */
  cardUpdateRetry?: boolean;
  clientSecret?: string;
  /** Emulator clock start, epoch ms; default now. */
  clockStart?: number;
  /** Lay out a store (customers, subscriptions, failed charges before the clock's now). */
  generate?: GenerateStoreOptions;
}

export interface RechargeEmulator {
  url: string;
  port: number;
  clientSecret: string;
  world: RechargeWorld;
  loaded: StoreSummary | null;
  now(): number;
  advance(ms: number): Promise<void>;
  setTime(ms: number): Promise<void>;
  flushWebhooks(): Promise<void>;
  deliveries(): DeliveryRecord[];
  requests(): { byRoute: Record<string, number>; total: number };
  state(): Record<string, unknown>;
  close(): Promise<void>;
}

export async function startRechargeEmulator(o: RechargeEmulatorOptions = {}): Promise<RechargeEmulator> {
  const start = o.clockStart ?? Date.now();
  const clientSecret = o.clientSecret ?? EMULATOR_CLIENT_SECRET;
  const w = new RechargeWorld(start, {
    plan: o.plan ?? 'pro',
    rechargeRetries: o.rechargeRetries ?? true,
    retryDays: o.retryDays ?? DEFAULT_RETRY_DAYS,
    maxRetriesAction: o.maxRetriesAction ?? 'cancel',
    cardUpdateRetry: o.cardUpdateRetry ?? true,
    clientSecret,
  });
  const bucket = o.bucket === undefined ? { capacity: 40, leakPerSec: 2 } : o.bucket;
  for (const [t, scopes] of Object.entries(o.tokens ?? {})) {
    w.tokens.set(t, { name: 'token', scopes: new Set(scopes === 'all' ? ALL_SCOPES : scopes), bucket });
  }
  const loaded = o.generate ? generateStore(w, { ...o.generate, bucket }) : null;
  const hooks = new RechargeDispatcher(w);
  w.onEvent = (topic, payload) => hooks.enqueue(topic, payload);
  let lock: Promise<unknown> = Promise.resolve();
  const serial = (fn: () => Promise<void>): Promise<void> => {
    const next = lock.then(fn, fn);
    lock = next.catch(() => undefined);
    return next;
  };
  const moveTo = async (ms: number) => {
    const release = hooks.hold();
    try {
      await runUntil(w, ms, (id) => hooks.attempt(id));
    } finally {
      release();
    }
  };
  const advance = (ms: number) => {
    if (!(ms >= 0)) return Promise.reject(new RangeError(`advance(ms) needs ms >= 0 (got ${ms})`));
    return serial(() => moveTo(w.nowMs() + ms));
  };
  const setTime = (ms: number) => serial(async () => (ms >= w.nowMs() ? moveTo(ms) : w.clock.set(ms)));
  const requests = () => ({ byRoute: Object.fromEntries(api.byRoute), total: api.log.length });
  const state = () => ({
    now: new Date(w.nowMs()).toISOString(),
    settings: { ...w.settings, clientSecret: undefined },
    counts: {
      customers: w.customers.size,
      subscriptions: w.subscriptions.size,
      charges: w.charges.size,
      orders: w.orders.size,
      payment_methods: w.paymentMethods.size,
    },
    webhooks: [...w.webhooks.values()],
    deleted_webhooks: w.deletedWebhooks.map((d) => ({ ...d.webhook, deleted_at: new Date(d.at).toISOString() })),
    deliveries: [...hooks.deliveries.values()].map(({ body: _b, ...d }) => d),
    requests: requests(),
  });
  const api: RechargeApi = new RechargeApi(w, rechargeControl({ w, api: () => api, hooks, advance, setTime, state }));
  const server = http.createServer((req, res) => {
    api.handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: `emulator: ${(e as Error).message}` }));
    });
  });
  server.keepAliveTimeout = 30_000;
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closed = false;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    clientSecret,
    world: w,
    loaded,
    now: () => w.nowMs(),
    advance,
    setTime,
    flushWebhooks: () => hooks.flush(),
    deliveries: () => [...hooks.deliveries.values()],
    requests,
    state,
    async close() {
      if (closed) return;
      closed = true;
      await hooks.flush();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export { legacySignature, timestampedSignature, MAX_ATTEMPTS, attemptOffsetMs } from './webhooks.js';
export type { DeliveryRecord } from './webhooks.js';
export { cardBehaviourSchema, type CardBehaviour } from './behaviour.js';
export type { GenerateStoreOptions, StoreSummary } from './generator.js';
export { GENERATED_TOKEN } from './generator.js';
export { ALL_SCOPES, PLANS, type StorePlan } from './world.js';
