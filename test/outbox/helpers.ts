/** A store with a result-webhook endpoint on a local merchant server, and a deliverer on a fake clock. */
import { afterEach } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { defaultSettings, type Settings } from '../../src/config/settings.js';
import type { Store } from '../../src/db/index.js';
import { createLogger } from '../../src/log.js';
import { newSigningSecret, WebhookDeliverer, type DeliveryReport } from '../../src/outbox/index.js';
import { open, T0 } from '../db/helpers.js';
import { startMerchantServer, type MerchantServer, type Received } from '../helpers/merchant-server.js';
import { Webhook } from 'standardwebhooks';

const servers: MerchantServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

export interface Rig {
  store: Store;
  clock: FakeClock;
  server: MerchantServer;
  secret: string;
  settings: Settings;
  deliverer: WebhookDeliverer;
  reports: DeliveryReport[];
  /** Records one event now (its own transaction). */
  event(n: number, at?: number): { id: number; messageId: string };
}

export async function rig(o: { dbPath?: string; url?: boolean; timeoutMs?: number } = {}): Promise<Rig> {
  const server = await startMerchantServer();
  servers.push(server);
  const clock = new FakeClock(T0);
  const store = open(o.dbPath, { clock });
  const secret = newSigningSecret();
  store.secrets.set('result_webhook_secret', secret);
  const settings: Settings = { ...defaultSettings(), ...(o.url === false ? {} : { resultWebhookUrl: server.url }) };
  store.settings.set(settings);
  const reports: DeliveryReport[] = [];
  const deliverer = new WebhookDeliverer({
    store,
    logger: createLogger({ level: 'silent', format: 'json' }),
    owner: 'test-daemon',
    leaseMs: 60_000,
    concurrency: 4,
    now: () => clock.now(),
    report: (r) => reports.push(r),
    timeoutMs: o.timeoutMs,
  });
  const event = (n: number, at = clock.now()) =>
    store.tx(() =>
      store.outbox.record({
        type: 'recovery.succeeded',
        dedupeKey: `recovery.succeeded:case:${n}`,
        data: { recoveryId: `rcv_${n}`, amountCollected: 3000, currency: 'usd' },
        at,
      }),
    );
  return { store, clock, server, secret, settings, deliverer, reports, event };
}

/** Verifies one received request with the independent `standardwebhooks` package (throws if forged). */
export function verifyReceived(secret: string, r: Received): { type: string; timestamp: string; data: any } {
  return new Webhook(secret).verify(r.body, {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  }) as { type: string; timestamp: string; data: any };
}

/** Points a running world's daemon at the merchant server, with a fresh secret; returns the secret. */
export function sendResultsTo(store: Store, server: MerchantServer): string {
  const secret = newSigningSecret();
  store.secrets.set('result_webhook_secret', secret);
  store.settings.set({ ...store.settings.require(), resultWebhookUrl: server.url });
  return secret;
}
