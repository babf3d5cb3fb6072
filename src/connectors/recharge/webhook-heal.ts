/**
 * recover's webhooks at Recharge: one per topic (Recharge takes one topic per webhook), at one
 * address. `ensureWebhooks` lists what exists, keeps ours, creates the missing ones and never
 * creates a duplicate — run by onboarding, at daemon start and hourly, because Recharge deletes
 * a webhook after 20 failed deliveries over 48 hours (issue 17 §2; src/emulators/recharge/README.md).
 */
import type { RechargeClient } from './client.js';
import { RECOVER_TOPICS } from './types.js';

/** recover's receiver path on `recover run`'s HTTP server. */
export const RECHARGE_WEBHOOK_PATH = '/recharge/webhooks';

export interface WebhookHeal {
  kept: string[];
  created: string[];
}

/** Topics of ours missing at `address` (a read; changes nothing). */
export async function missingTopics(client: RechargeClient, address: string): Promise<string[]> {
  const have = new Set((await client.webhooks()).filter((w) => w.address === address).map((w) => w.topic));
  return RECOVER_TOPICS.filter((t) => !have.has(t));
}

export async function ensureWebhooks(client: RechargeClient, address: string): Promise<WebhookHeal> {
  const missing = await missingTopics(client, address);
  for (const topic of missing) await client.createWebhook({ address, topic });
  return { kept: RECOVER_TOPICS.filter((t) => !missing.includes(t)), created: missing };
}
