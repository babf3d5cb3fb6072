/**
 * Shared set-up for the gateway tests: a small seeded merchant in the emulator, the keys the
 * tests use, and a check that no key leaks into an error or a log line.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { expect } from 'vitest';
import { parseSeed, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { REQUIRED_PERMISSIONS } from '../../src/stripe/permissions.js';
import { createGateway, type CallReport, type GatewayOptions, type StripeGateway } from '../../src/stripe/index.js';

// Only letters/digits after the prefix, like real keys; distinct last four characters so the
// emulator's request log (which keeps the last four) tells them apart.
export const PRIMARY = 'sk_test_primaryAbCdEf1111';
export const FALLBACK = 'sk_test_fallbackGhIjKl2222';
/** Every required permission except rak_invoice_write (it still has rak_invoice_read). */
export const NO_INVOICE_WRITE = 'rk_test_noInvoiceWrite3333';
export const UNKNOWN = 'rk_test_neverIssuedKey4444';
export const ALL_KEYS = [PRIMARY, FALLBACK, NO_INVOICE_WRITE, UNKNOWN];

export const CONNECTED = 'acct_1Connected';

const hours = (n: number) => `-${n}h`;

const DECLINE_24 = {
  decline_code: 'insufficient_funds',
  advice_code: 'try_again_later',
  network_advice_code: '24',
  network_decline_code: '51',
};

/** 25 failed invoices on one subscription (paging), plus customers for payments and declines. */
export const SEED = parseSeed({
  account: {
    id: 'acct_1MainMerchant',
    smart_retries: false,
    customers: [
      {
        id: 'cus_pages',
        payment_methods: [{ id: 'pm_pages', behaviour: { type: 'decline', decline_code: 'generic_decline' } }],
        subscriptions: [
          {
            id: 'sub_pages',
            price: 1500,
            invoices: Array.from({ length: 25 }, (_, i) => ({
              id: `in_page${String(i).padStart(2, '0')}`,
              amount: 1000 + i,
              created: hours(100 - i),
              attempts: [{ at: hours(99 - i) }],
            })),
          },
        ],
      },
      {
        id: 'cus_pays',
        payment_methods: [{ id: 'pm_pays', behaviour: { type: 'schedule', decline: { decline_code: 'insufficient_funds' }, succeed_after: '-1h' } }],
        invoices: ['in_pay1', 'in_pay2', 'in_pay3', 'in_pay4', 'in_pay5'].map((id) => ({ id, amount: 2000, created: '-3d', attempts: [{ at: '-2d' }] })),
      },
      {
        id: 'cus_declines',
        payment_methods: [{ id: 'pm_mc24', brand: 'mastercard', behaviour: { type: 'decline', ...DECLINE_24 } }],
        invoices: [{ id: 'in_decline', amount: 2500, created: '-3d', attempts: [{ at: '-2d' }] }],
      },
      {
        id: 'cus_3ds',
        payment_methods: [{ id: 'pm_3ds', behaviour: { type: 'requires_action' } }],
        invoices: [{ id: 'in_3ds', amount: 900, created: '-3d' }],
      },
    ],
  },
  connected_accounts: [
    {
      id: CONNECTED,
      smart_retries: false,
      customers: [
        {
          id: 'cus_conn',
          payment_methods: [{ id: 'pm_conn', behaviour: { type: 'decline', decline_code: 'expired_card' } }],
          invoices: [{ id: 'in_conn1', amount: 700, created: '-2d', attempts: [{ at: '-1d' }] }],
        },
      ],
    },
  ],
  keys: [
    {
      key: NO_INVOICE_WRITE,
      permissions: REQUIRED_PERMISSIONS.map((p) => (p === 'rak_invoice_write' ? 'rak_invoice_read' : p)),
    },
  ],
});

export function startSeeded(): Promise<Emulator> {
  return startEmulator({ port: 0, seed: SEED, allowLocalWebhooks: true }); // receivers listen on 127.0.0.1
}

export interface Recorder {
  calls: CallReport[];
  logs: Array<{ level: string; obj: object; msg?: string }>;
  sleeps: number[];
}

/** A gateway on the emulator that records its calls, log lines and backoff sleeps (which are shortened). */
export function gatewayFor(emu: Emulator, opts: Partial<GatewayOptions> = {}): { gw: StripeGateway; rec: Recorder } {
  const rec: Recorder = { calls: [], logs: [], sleeps: [] };
  const log = (level: string) => (obj: object, msg?: string) => rec.logs.push({ level, obj, msg });
  const gw = createGateway({
    primaryKey: PRIMARY,
    apiBase: emu.url,
    rateLimitPerSec: 1000,
    onCall: (c) => rec.calls.push(c),
    logger: { debug: log('debug'), info: log('info'), warn: log('warn') },
    ...opts,
    sleep: async (ms) => {
      rec.sleeps.push(ms);
      await opts.sleep?.(ms);
    },
  });
  return { gw, rec };
}

/** The error a promise rejects with. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

/** No key, whole, in any rendering of the value. */
export function expectNoKeys(value: unknown): void {
  const texts: string[] = [inspect(value, { depth: 10, showHidden: true }), JSON.stringify(value) ?? ''];
  if (value instanceof Error) texts.push(String(value), value.message, String(value.stack));
  for (const text of texts) for (const key of ALL_KEYS) expect(text).not.toContain(key);
}

/** Requests the emulator answered for `path` (e.g. `/v1/invoices/in_pay1/pay`), oldest first. */
export function requestsTo(emu: Emulator, path: string) {
  return emu.state().requests.log.filter((r) => r.path === path);
}

export const tail = (key: string) => key.slice(-4);

export interface TappedRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  /** Last four characters of the API key sent. */
  keyTail: string | null;
  status: number;
}

/**
 * A pass-through HTTP proxy in front of the emulator that records what the SDK actually put on
 * the wire (method, path, Idempotency-Key, which key) and the status that came back.
 */
export async function startWireTap(targetUrl: string): Promise<{ url: string; requests: TappedRequest[]; close(): Promise<void> }> {
  const target = new URL(targetUrl);
  const requests: TappedRequest[] = [];
  const server = http.createServer((req, res) => {
    const auth = String(req.headers.authorization ?? '');
    const rec: TappedRequest = {
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', 'http://x').pathname,
      idempotencyKey: (req.headers['idempotency-key'] as string | undefined) ?? null,
      keyTail: auth ? auth.slice(-4) : null,
      status: 0,
    };
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        rec.status = up.statusCode ?? 0;
        requests.push(rec);
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
