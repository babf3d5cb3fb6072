/**
 * The result events only the API path records (issue 16 §4; the outbox engineer's daemon path
 * records the attempt and end-of-dunning ones): `recovery.scheduled` / `recovery.blocked` at
 * intake, `recovery.canceled`, `card.updated`. Call inside the transaction of the outcome.
 */
import type { Case, ResultEventType, Store } from '../db/index.js';
import { buildView } from './view.js';

export function recordApiEvent(
  store: Store,
  type: ResultEventType,
  c: Case,
  at: number,
  dedupe: string = `${type}:case:${c.id}`,
): void {
  const v = buildView(store, c, store.apiRecoveries.get(c.id));
  store.outbox.record({
    type,
    dedupeKey: dedupe,
    caseId: c.id,
    at,
    data: {
      recoveryId: v.id,
      invoiceId: v.invoiceId,
      customerId: v.customerId,
      platform: 'api',
      amount: v.amount,
      currency: v.currency,
      status: v.status,
      ...(v.nextAttempt ? { nextAttemptAt: v.nextAttempt.at } : {}),
      ...(v.reason ? { reason: v.reason } : {}),
      ...(v.lastDecline?.declineCode ? { declineCode: v.lastDecline.declineCode } : {}),
      recommendedAction: v.recommendedAction,
    },
  });
}
