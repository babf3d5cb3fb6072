/**
 * `POST /recharge/webhooks` on `recover run`: verify (both schemes, ./webhooks.ts), then store
 * the delivery in the inbox before the 2xx, as for Stripe. The inbox row's type is
 * `recharge:<topic>`, its id `evt_rc_<hash of topic and body>` (a redelivery is a duplicate), its
 * object the charge / subscription / customer it is about (per-object order), its time the
 * object's `updated_at` on Recharge's clock.
 */
import type { Store } from '../../db/index.js';
import { RechargeSignatureError, verifyRechargeWebhook, type Headers } from './webhooks.js';

export const RECHARGE_EVENT_PREFIX = 'recharge:';

export type Received =
  { ok: true; id: string; type: string; inserted: boolean } | { ok: false; reason: string; message: string };

function objectOf(topic: string, body: unknown): { objectId: string | null; created: number | null } {
  const kind = topic.split('/')[0] ?? '';
  const obj = (body as Record<string, unknown> | null)?.[kind] as Record<string, unknown> | undefined;
  if (!obj || (typeof obj.id !== 'number' && typeof obj.id !== 'string')) return { objectId: null, created: null };
  const updated = typeof obj.updated_at === 'string' ? Date.parse(obj.updated_at) : NaN;
  return { objectId: `rc_${kind}_${obj.id}`, created: Number.isNaN(updated) ? null : updated };
}

export function receiveRecharge(
  store: Store,
  secret: string,
  accountId: string,
  body: Buffer,
  headers: Headers,
  wallNow: number,
): Received {
  let v;
  try {
    // Wall clock on purpose: the signature's `t=` is when Recharge sent it (as for Stripe).
    v = verifyRechargeWebhook(body, headers, secret, wallNow);
  } catch (e) {
    if (!(e instanceof RechargeSignatureError)) throw e;
    return { ok: false, reason: 'recharge_signature_invalid', message: e.message };
  }
  const { objectId, created } = objectOf(v.topic, v.body);
  const type = RECHARGE_EVENT_PREFIX + v.topic;
  const inserted = store.events.insertIfNew({
    id: v.deliveryId,
    type,
    accountId,
    objectId,
    created: created ?? v.signedAt ?? wallNow,
    raw: body.toString('utf8'),
  });
  return { ok: true, id: v.deliveryId, type, inserted };
}
