/**
 * Recharge webhooks: verify a delivery (both signature schemes), then normalise it into the
 * core's case events (src/connectors/events.ts).
 *
 * Signatures, both keyed by the store's API client secret (not the access token):
 * - `X-Recharge-Webhook-Signature: t=<epoch s>,v1=<hex>`: v1 = HMAC-SHA256 over `<t>.<raw body>`,
 *   refused when `t` is more than 48 h from now (Recharge's changelog "Webhook signatures now
 *   support timestamp verification"; hookdeck/webhook-skills recharge-webhooks verification.md).
 * - legacy `X-Recharge-Hmac-Sha256`: hex SHA-256 (a plain hash, not an HMAC) of secret + raw body.
 * The timestamped header wins when present: a delivery carrying a stale or wrong one is refused
 * even if a legacy header matches, so a captured body cannot be replayed on the weaker scheme.
 *
 * Payloads are `{ "<object>": {...} }` (charge, subscription, customer) and the topic comes in
 * `X-Recharge-Topic`; both are validated (zod) before anything is recorded.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { minorFromDecimal } from '../../money.js';
import type { CaseEvent, FailedItem } from '../events.js';

/** Recharge's replay window for the timestamped scheme: 48 hours, in ms. */
export const SIGNATURE_WINDOW_MS = 48 * 3_600_000;

export const HEADER_SIGNATURE = 'x-recharge-webhook-signature';
export const HEADER_LEGACY = 'x-recharge-hmac-sha256';
export const HEADER_TOPIC = 'x-recharge-topic';

export type Headers = Record<string, string | string[] | undefined>;

export class RechargeSignatureError extends Error {
  override readonly name = 'RechargeSignatureError';
}

export interface VerifiedDelivery {
  topic: string;
  scheme: 'v1' | 'legacy';
  /** The signed time (v1), epoch ms; null for the legacy scheme, which signs no time. */
  signedAt: number | null;
  body: unknown;
  /** Stable across redeliveries of the same body: the inbox dedupes by it (`evt_rc_…`). */
  deliveryId: string;
}

function header(h: Headers, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && crypto.timingSafeEqual(x, y);
}

/** The header value a sender computes for the timestamped scheme (used by tests and the emulator's peers). */
export function signV1(rawBody: Buffer | string, secret: string, atSeconds: number): string {
  const mac = crypto.createHmac('sha256', secret).update(`${atSeconds}.`).update(rawBody).digest('hex');
  return `t=${atSeconds},v1=${mac}`;
}

export function signLegacy(rawBody: Buffer | string, secret: string): string {
  return crypto.createHash('sha256').update(secret).update(rawBody).digest('hex');
}

/** Throws RechargeSignatureError (the daemon answers 400) unless one scheme verifies. */
export function verifyRechargeWebhook(
  rawBody: Buffer,
  headers: Headers,
  secret: string,
  now: number,
): VerifiedDelivery {
  const topic = header(headers, HEADER_TOPIC);
  if (!topic) throw new RechargeSignatureError(`missing ${HEADER_TOPIC} header`);
  const v1Header = header(headers, HEADER_SIGNATURE);
  const legacy = header(headers, HEADER_LEGACY);
  let scheme: VerifiedDelivery['scheme'];
  let signedAt: number | null = null;
  if (v1Header !== undefined) {
    const parts = new Map(v1Header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
    const t = Number(parts.get('t'));
    const v1 = parts.get('v1') ?? '';
    if (!Number.isSafeInteger(t)) throw new RechargeSignatureError(`${HEADER_SIGNATURE} has no t=<epoch seconds>`);
    if (Math.abs(now - t * 1000) > SIGNATURE_WINDOW_MS) {
      throw new RechargeSignatureError(`${HEADER_SIGNATURE} timestamp ${t} is outside the 48 h window`);
    }
    const want = signV1(rawBody, secret, t).split('v1=')[1];
    if (!sameHex(v1, want)) throw new RechargeSignatureError(`${HEADER_SIGNATURE} does not match the body`);
    scheme = 'v1';
    signedAt = t * 1000;
  } else if (legacy !== undefined) {
    if (!sameHex(legacy, signLegacy(rawBody, secret))) {
      throw new RechargeSignatureError(`${HEADER_LEGACY} does not match the body`);
    }
    scheme = 'legacy';
  } else {
    throw new RechargeSignatureError(`unsigned: neither ${HEADER_SIGNATURE} nor ${HEADER_LEGACY}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new RechargeSignatureError('signed body is not JSON');
  }
  const digest = crypto.createHash('sha256').update(topic).update('\n').update(rawBody).digest('hex');
  return { topic, scheme, signedAt, body, deliveryId: `evt_rc_${digest.slice(0, 32)}` };
}

const id = z.union([z.number().int(), z.string().min(1)]).transform(String);
const time = z.string().transform((s, ctx) => {
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`); // Recharge omits the zone at times: UTC
  if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', message: `not a time: ${s}` });
  return ms;
});
const chargeSchema = z.object({
  id,
  status: z.string(),
  customer: z.object({ id }).optional(),
  customer_id: id.optional(),
  error_type: z.string().nullish(),
  charge_attempts: z.number().int().nonnegative().nullish(),
  retry_date: time.nullish(),
  currency: z.string().length(3),
  total_price: z.string(),
  created_at: time,
  updated_at: time,
  processed_at: time.nullish(),
  line_items: z.array(z.object({ subscription_id: id.nullish() })).default([]),
});
export type ChargePayload = z.infer<typeof chargeSchema>;

/**
 * Recharge `error_type` → the core's decline vocabulary (src/policy/decline-codes.ts). Recharge
 * passes on only its own upper-case class, not the issuer's code; unknown card errors are
 * `generic_decline` (soft). CUSTOMER_NEEDS_TO_UPDATE_CARD waits for a card update, like Stripe's
 * expired_card. Mapping: an assumption from the codes' names (Recharge documents no table).
 */
const DECLINES: Readonly<Record<string, string>> = {
  INSUFFICIENT_FUNDS: 'insufficient_funds',
  CARD_DECLINED: 'generic_decline',
  CARD_EXPIRED: 'expired_card',
  EXPIRED_CARD: 'expired_card',
  CUSTOMER_NEEDS_TO_UPDATE_CARD: 'expired_card',
  INCORRECT_CVC: 'incorrect_cvc',
  INVALID_CARD_NUMBER: 'incorrect_number',
  PROCESSING_ERROR: 'processing_error',
  FRAUD: 'fraudulent',
  CARD_UPDATED_NOW_PENDING_NEXT_ATTEMPT: 'new_account_information_available',
};

export function declineCodeOf(errorType: string | null | undefined): string | null {
  if (!errorType) return null;
  return DECLINES[errorType] ?? 'generic_decline';
}

/** Order problems (stock, shipping, address, product), not the card's: never recover's to retry. */
export function isPaymentErrorType(errorType: string | null | undefined): boolean {
  if (!errorType) return false;
  return !/^(INVENTORY_|SHIPPING_|ADDRESS_|PRODUCT_|VARIANT_)/.test(errorType);
}

/** A charge as recover's failed item; `accountId` is the store's account (`rc_…`). */
export function failedItemOf(c: ChargePayload, accountId: string): FailedItem {
  const customerId = c.customer?.id ?? c.customer_id;
  if (!customerId) throw new RechargeSignatureError(`charge ${c.id} names no customer`);
  const currency = c.currency.toLowerCase();
  return {
    platform: 'recharge',
    accountId,
    externalId: c.id,
    customerId,
    subscriptionId: c.line_items.find((l) => l.subscription_id)?.subscription_id ?? null,
    amount: minorFromDecimal(c.total_price, currency),
    currency,
    declineCode: declineCodeOf(c.error_type),
    platformCode: c.error_type ?? null,
    platformAttempts: c.charge_attempts ?? 0,
    platformRetryAt: c.retry_date ?? null,
    createdAt: c.created_at,
    failedAt: c.updated_at,
  };
}

export function parseCharge(raw: unknown): ChargePayload {
  return chargeSchema.parse(raw);
}

const subscriptionSchema = z.object({ id, status: z.string(), updated_at: time, cancelled_at: time.nullish() });
const customerSchema = z.object({ id, updated_at: time });

/**
 * The case events of one verified delivery. Unknown topics give none (stored and skipped, as on
 * Stripe). A `charge/failed` for an order problem (INVENTORY_*, SHIPPING_*) closes rather than
 * opens: recover does not retry it.
 */
export function normaliseRecharge(d: VerifiedDelivery, accountId: string): CaseEvent[] {
  const body = d.body as Record<string, unknown>;
  const ref = (c: ChargePayload) => ({ platform: 'recharge' as const, accountId, externalId: c.id });
  switch (d.topic) {
    case 'charge/failed': {
      const c = parseCharge(body.charge);
      if (!isPaymentErrorType(c.error_type)) {
        return [
          { kind: 'closed', ...ref(c), reason: `not a payment error: ${c.error_type ?? 'none'}`, at: c.updated_at },
        ];
      }
      return [{ kind: 'failed', ...failedItemOf(c, accountId) }];
    }
    case 'charge/paid': {
      const c = parseCharge(body.charge);
      const currency = c.currency.toLowerCase();
      const at = c.processed_at ?? c.updated_at;
      return [{ kind: 'paid', ...ref(c), amount: minorFromDecimal(c.total_price, currency), currency, at }];
    }
    case 'charge/refunded': {
      const c = parseCharge(body.charge);
      return [{ kind: 'closed', ...ref(c), reason: 'refunded', at: c.updated_at }];
    }
    case 'charge/max_retries_reached': {
      const c = parseCharge(body.charge);
      return [{ kind: 'retries_exhausted', ...ref(c), at: c.updated_at }];
    }
    case 'subscription/cancelled': {
      const s = subscriptionSchema.parse(body.subscription);
      const at = s.cancelled_at ?? s.updated_at;
      return [{ kind: 'subscription_canceled', platform: 'recharge', accountId, subscriptionId: s.id, at }];
    }
    case 'customer/payment_method_updated': {
      const c = customerSchema.parse(body.customer);
      return [{ kind: 'card_updated', platform: 'recharge', accountId, customerId: c.id, at: c.updated_at }];
    }
    default:
      return [];
  }
}
