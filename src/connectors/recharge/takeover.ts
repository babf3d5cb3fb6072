/**
 * Takeover (and the daemon's backfill): the store's charges in `error`, page by page (cursor
 * pages of 250, Recharge's maximum), as recover's failed items. Charges that failed for an order
 * problem (INVENTORY_*, SHIPPING_*, …) are not recover's to retry and are counted apart.
 */
import type { FailedItem } from '../events.js';
import type { RechargeClient } from './client.js';
import { failedItemOf, isPaymentErrorType, parseCharge } from './webhooks.js';

export type Listed = { kind: 'item'; item: FailedItem } | { kind: 'not_payment'; chargeId: string; errorType: string };

/** `updatedSince` (epoch ms): only charges changed since (the backfill after downtime). */
export async function* listFailedCharges(
  client: RechargeClient,
  accountId: string,
  updatedSince?: number,
): AsyncGenerator<Listed> {
  const updated_at_min = updatedSince === undefined ? undefined : new Date(updatedSince).toISOString();
  for await (const page of client.chargePages({ status: 'error', limit: 250, updated_at_min })) {
    for (const raw of page.items) {
      const c = parseCharge(raw);
      if (!isPaymentErrorType(c.error_type)) {
        yield { kind: 'not_payment', chargeId: c.id, errorType: c.error_type ?? 'none' };
      } else yield { kind: 'item', item: failedItemOf(c, accountId) };
    }
  }
}
