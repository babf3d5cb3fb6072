/**
 * The Recovery API as a merchant's billing code meets it: an emulator, `recover onboard api`
 * through the real CLI with the least-privilege API key, the daemon's real HTTP server, and
 * `call` making real HTTP requests to /v1/.
 */
import { afterEach, expect } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import type { Store } from '../../src/db/index.js';
import { Daemon, type DaemonOptions } from '../../src/daemon/daemon.js';
import { driveTo, quiesce as quiesceBoth } from '../helpers/drive.js';
import type { Emulator, SeedInput } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';
import { LEAST_API_KEY, emulator, tempDb } from '../helpers/env.js';
import { freePort, startDaemonOn, stripeApi, type memoryLogger } from '../daemon/helpers.js';

const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

export interface ApiWorld {
  emu: Emulator;
  db: string;
  store: Store;
  clock: FakeClock;
  daemon: Daemon;
  url: string;
  apiKey: string;
  signingSecret: string;
  onboardOut: string;
  log: ReturnType<typeof memoryLogger>;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiAnswer>;
  /** A Stripe customer with a card attached (a Stripe test PaymentMethod, e.g. pm_card_visa). */
  customer(card?: string): Promise<{ customer: string; token: string }>;
  advanceTo(target: number): Promise<void>;
  quiesce(): Promise<void>;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: any;
}

/** `recover onboard api` through the real CLI (least-privilege key, live, --yes): the key and secret printed once. */
export async function onboardApi(
  emuUrl: string,
  db: string,
  extra: string[] = [],
): Promise<{ apiKey: string; signingSecret: string; stdout: string }> {
  const r = await runCli(
    ['--db', db, '--stripe-api-base', emuUrl, 'onboard', 'api', '--env', 'test', '--mode', 'live', '--yes', ...extra],
    { env: { RECOVER_STRIPE_KEY: LEAST_API_KEY } },
  );
  expect(r.stderr).not.toMatch(/recover: /);
  expect(r.code, r.stderr).toBe(0);
  return {
    apiKey: /API key \(shown once\): (rcv_test_\w+)/.exec(r.stdout)![1]!,
    signingSecret: /signing secret \(shown once\): (whsec_\S+)/.exec(r.stdout)![1]!,
    stdout: r.stdout,
  };
}

export async function startApiWorld(
  o: {
    onboard?: string[];
    daemon?: Partial<DaemonOptions>;
    settings?: Record<string, unknown>;
    seed?: SeedInput;
  } = {},
): Promise<ApiWorld> {
  const emu = await emulator({ webhookRetryMs: 60_000, seed: o.seed });
  const port = await freePort();
  const db = tempDb();
  const { apiKey, signingSecret, stdout } = await onboardApi(emu.url, db, [
    '--card-update-return-url',
    'https://shop.example.com/card-updated',
    ...(o.onboard ?? []),
  ]);
  const { clock, store, log, daemon } = await startDaemonOn(emu, db, port, { settings: o.settings, daemon: o.daemon });
  const url = `http://127.0.0.1:${port}`;
  const call: ApiWorld['call'] = async (method, path, body, headers = {}) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };
  let n = 0;
  const customer: ApiWorld['customer'] = async (card = 'pm_card_visa') => {
    const cus = await stripeApi({ emu }, 'POST', '/v1/customers', { email: `api${n++}@example.com` });
    const pm = await stripeApi({ emu }, 'POST', `/v1/payment_methods/${card}/attach`, { customer: cus.id as string });
    return { customer: cus.id as string, token: pm.id as string };
  };
  return {
    emu,
    db,
    store,
    clock,
    daemon,
    url,
    apiKey,
    signingSecret,
    onboardOut: stdout,
    log,
    call,
    customer,
    advanceTo: (target) => driveTo({ daemon, emulator: emu, clock, maxStepMs: 6 * 3600_000 }, target),
    quiesce: () => quiesceBoth({ daemon, emulator: emu }),
  };
}

/** A POST /v1/recoveries body for a failed payment of `c`. */
export function failedPayment(
  c: { customer: string; token: string },
  invoiceId: string,
  extra: Record<string, unknown> = {},
) {
  return {
    paymentMethod: { customer: c.customer, token: c.token },
    amount: 2500,
    currency: 'usd',
    declineCode: 'insufficient_funds',
    invoiceId,
    customerId: `merchant-${c.customer}`,
    ...extra,
  };
}

/** The merchant's retry-status endpoint: answers each call with `decide(body)` ('hang' = never answers). */
export async function retryStatusServer(
  decide: (q: {
    recoveryId: string;
    invoiceId: string;
    attempt: number;
    amount: number;
  }) => { status: number; body: unknown } | 'hang',
): Promise<{ url: string; calls: Array<{ body: any; headers: Record<string, unknown> }> }> {
  const http = await import('node:http');
  const calls: Array<{ body: any; headers: Record<string, unknown> }> = [];
  const hung: Array<import('node:http').ServerResponse> = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(text);
      calls.push({ body, headers: req.headers });
      const a = decide(body);
      if (a === 'hang') return void hung.push(res);
      res
        .writeHead(a.status, { 'content-type': 'application/json' })
        .end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  stops.push(async () => {
    for (const r of hung) r.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { url: `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/retry-status`, calls };
}
