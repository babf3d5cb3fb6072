/**
 * Webhook signature verification and signing, with the SDK's own code (`constructEvent`,
 * `generateTestHeaderString`), so nothing outside `src/stripe/` imports 'stripe'.
 *
 * Verification runs against a clock the caller controls (`nowSec`), so the daemon can follow the
 * emulator's clock. Beyond the SDK (which only rejects signatures older than the tolerance), a
 * timestamp more than `toleranceSec` in the future is rejected too. Several secrets may be given
 * (rotation): the event is accepted if any of them signed it.
 */
import Stripe from 'stripe';
import { ConfigError, WorkError } from '../errors.js';
import { redactText } from '../redact.js';
import { sdkWebhooks } from './client.js';
import type { StripeEvent } from './types.js';

/** Stripe's default, in seconds. */
export const DEFAULT_WEBHOOK_TOLERANCE_SEC = 300;

export type WebhookRejection =
  | 'payload_missing'
  | 'header_missing'
  | 'header_malformed'
  | 'signature_mismatch'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'payload_not_json'
  | 'payload_not_event';

/** A webhook that must be answered 400. `reason` is a short, stable label for counters. */
export class WebhookSignatureInvalid extends WorkError {
  readonly kind = 'webhook_rejected' as const;
  constructor(
    readonly reason: WebhookRejection,
    message: string,
  ) {
    super(redactText(`webhook rejected (${reason}): ${message}`));
  }
  toJSON(): Record<string, unknown> {
    return { name: this.name, kind: this.kind, reason: this.reason, message: this.message };
  }
}

function reasonOf(message: string): WebhookRejection {
  if (/timestamp outside the tolerance/i.test(message)) return 'timestamp_too_old';
  if (/no signatures found matching/i.test(message)) return 'signature_mismatch';
  if (/no stripe-signature header/i.test(message)) return 'header_missing';
  if (/no webhook payload/i.test(message)) return 'payload_missing';
  return 'header_malformed';
}

/** `t=` of a Stripe-Signature header (the last one, as the SDK reads it), in seconds. */
function headerTimestamp(header: string): number | undefined {
  let t: number | undefined;
  for (const part of header.split(',')) {
    const [k, v] = part.split('=');
    if (k?.trim() === 't' && v !== undefined && /^\d+$/.test(v.trim())) t = Number(v.trim());
  }
  return t;
}

/**
 * Verifies `Stripe-Signature` over the raw body and returns the parsed event.
 * @param rawBody exactly the bytes received (not re-serialized JSON)
 * @param toleranceSec maximum age (and future skew) of the signature timestamp, in seconds; 0 = no time check
 * @param nowSec current time in epoch SECONDS (default: the system clock)
 * @throws WebhookSignatureInvalid for anything that must be rejected; ConfigError if no secret is configured
 */
export function constructEvent(
  rawBody: string | Uint8Array,
  signatureHeader: string | undefined | null,
  secret: string | readonly string[],
  toleranceSec: number = DEFAULT_WEBHOOK_TOLERANCE_SEC,
  nowSec?: number,
): StripeEvent {
  const secrets = (typeof secret === 'string' ? [secret] : [...secret]).filter((s) => s.trim() !== '');
  if (secrets.length === 0) throw new ConfigError('no webhook signing secret configured; run `recover onboard stripe`');
  if (nowSec !== undefined && nowSec > 1e11) {
    // 1e11 s is the year 5138: this is a millisecond timestamp passed by mistake.
    throw new TypeError(`constructEvent: nowSec must be epoch seconds, got ${nowSec} (milliseconds?)`);
  }
  if (rawBody === undefined || rawBody === null || rawBody.length === 0) {
    throw new WebhookSignatureInvalid('payload_missing', 'empty body');
  }
  if (!signatureHeader) throw new WebhookSignatureInvalid('header_missing', 'no Stripe-Signature header');
  const now = nowSec ?? Math.floor(Date.now() / 1000);
  const t = headerTimestamp(signatureHeader);
  if (t === undefined) throw new WebhookSignatureInvalid('header_malformed', 'no timestamp in Stripe-Signature header');

  let rejection: WebhookSignatureInvalid | undefined;
  for (const s of secrets) {
    try {
      const event = sdkWebhooks.constructEvent(rawBody, signatureHeader, s, toleranceSec, undefined, now * 1000);
      if (toleranceSec > 0 && t - now > toleranceSec) {
        throw new WebhookSignatureInvalid('timestamp_in_future', `signature timestamp ${t} is ${t - now} s ahead of now (${now})`);
      }
      if (!event || typeof event !== 'object' || typeof event.id !== 'string' || typeof event.type !== 'string') {
        throw new WebhookSignatureInvalid('payload_not_event', 'body is not a Stripe event (no id/type)');
      }
      return event;
    } catch (e) {
      if (e instanceof WebhookSignatureInvalid) throw e;
      if (e instanceof SyntaxError) throw new WebhookSignatureInvalid('payload_not_json', 'body is not JSON');
      if (e instanceof Error && /thin event/i.test(e.message)) throw new WebhookSignatureInvalid('payload_not_event', 'a v2 thin event, not a snapshot event');
      if (!(e instanceof Stripe.errors.StripeSignatureVerificationError)) throw e;
      const reason = reasonOf(e.message);
      const msg = reason === 'timestamp_too_old' ? `signature timestamp ${t} is ${now - t} s old (tolerance ${toleranceSec} s)` : e.message.split('\n')[0];
      const err = new WebhookSignatureInvalid(reason, msg);
      // A mismatch may just mean "other secret": keep trying; any other verdict is final.
      if (reason !== 'signature_mismatch') throw err;
      rejection = err;
    }
  }
  throw rejection ?? new WebhookSignatureInvalid('signature_mismatch', 'no matching signature');
}

/** The `Stripe-Signature` header value for `payload` signed with `secret` at `timestampSec` (epoch seconds). */
export function signPayload(payload: string, secret: string, timestampSec: number): string {
  return sdkWebhooks.generateTestHeaderString({ payload, secret, timestamp: timestampSec });
}
