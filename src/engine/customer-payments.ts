/**
 * A customer's past charges as the policy's pay-cycle belief reads them (`takeover --history` and
 * every succeeded charge the daemon sees: the history table), for the first decision of a case
 * (takeover, webhook intake) and every later one (the daemon's PolicyContext) alike.
 */
import type { Store } from '../db/index.js';
import type { CustomerPayment } from '../policy/index.js';

/** At most this many of a customer's charges, from the last 200 days. */
const PAYMENT_LOOKBACK_MS = 200 * 86_400_000;
const PAYMENT_LIMIT = 200;

export function customerPayments(
  store: Store,
  accountId: string,
  customerId: string | null,
  now: number,
): CustomerPayment[] {
  if (!customerId) return [];
  const rows = store.history.forCustomer(accountId, customerId, now - PAYMENT_LOOKBACK_MS, now, PAYMENT_LIMIT);
  return rows.map((r) => ({
    at: r.created,
    succeeded: r.status === 'succeeded',
    ...(r.declineCode ? { declineCode: r.declineCode } : {}),
  }));
}
