/**
 * How a customer's card answers a charge attempt in the emulator (per payment method, set by the
 * generator or `POST /_emulator/payment_methods`). Decisions are a pure function of (behaviour,
 * charge id, attempt number, emulator time), so a run is reproducible whatever the order of calls.
 *
 * error_type values are Recharge's upper-case codes (the list and the storefront types:
 * CUSTOMER_NEEDS_TO_UPDATE_CARD); the `error` sentences are assumptions (processor texts vary).
 */
import { z } from 'zod';

export const ERROR_TEXT: Record<string, string> = {
  INSUFFICIENT_FUNDS: 'Your card has insufficient funds.',
  CARD_DECLINED: 'Your card was declined.',
  CARD_EXPIRED: 'Your card has expired.',
  CUSTOMER_NEEDS_TO_UPDATE_CARD: 'Customer needs to update credit card',
  CLOSED_MAX_RETRIES_REACHED: 'Maximum number of retries reached',
  CARD_UPDATED_NOW_PENDING_NEXT_ATTEMPT: 'Card updated, the charge will be retried at the next attempt',
  INVENTORY_OUT_OF_STOCK: 'Product is out of stock',
  SHIPPING_RATE_ERROR: 'No shipping rate available for the address',
};

const errorType = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an upper-case Recharge error_type such as CARD_DECLINED');

export const cardBehaviourSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('succeed') }),
  /** Every attempt fails with `error_type`. */
  z.object({ type: z.literal('decline'), error_type: errorType }),
  /** Fails until the emulator clock reaches `until_ms` (funds arrive, the block lifts), then succeeds. */
  z.object({ type: z.literal('decline_until'), error_type: errorType, until_ms: z.number().int() }),
  /**
   * Succeeds with probability `p` per attempt; `payday_p` instead on the 1st–2nd and 15th–16th
   * of the month (UTC), when insufficient funds clear more often.
   */
  z.object({
    type: z.literal('chance'),
    p: z.number().min(0).max(1),
    payday_p: z.number().min(0).max(1).optional(),
    error_type: errorType,
  }),
]);
export type CardBehaviour = z.infer<typeof cardBehaviourSchema>;

export type Outcome = { ok: true } | { ok: false; error_type: string; error: string };

export function decide(b: CardBehaviour, chargeId: number, attempt: number, nowMs: number): Outcome {
  const fail = (t: string): Outcome => ({ ok: false, error_type: t, error: ERROR_TEXT[t] ?? `Charge failed: ${t}` });
  switch (b.type) {
    case 'succeed':
      return { ok: true };
    case 'decline':
      return fail(b.error_type);
    case 'decline_until':
      return nowMs >= b.until_ms ? { ok: true } : fail(b.error_type);
    case 'chance': {
      const day = new Date(nowMs).getUTCDate();
      const payday = day === 1 || day === 2 || day === 15 || day === 16;
      const p = payday && b.payday_p !== undefined ? b.payday_p : b.p;
      return unit(chargeId, attempt) < p ? { ok: true } : fail(b.error_type);
    }
  }
}

/** A uniform number in [0, 1) from (charge, attempt): a 32-bit integer hash (splitmix-like). */
function unit(chargeId: number, attempt: number): number {
  let h = (chargeId ^ Math.imul(attempt + 0x9e37, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}
