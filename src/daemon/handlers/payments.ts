/**
 * `invoice.paid` / `invoice.payment_succeeded` → the case is recovered, attributed to recover's
 * retry (our idempotency key), to Stripe (its own retry on an invoice it was left), or to the
 * customer (paid by another means). A paid event with no case is simply stored (a healthy
 * invoice, or a `paid` arriving before its `payment_failed`: intake later re-reads the invoice,
 * sees it paid, and opens nothing). `charge.refunded` is recorded for the report.
 */
import { chargeFacts, historyCharge } from '../../engine/stripe-facts.js';
import type { Charge } from '../../stripe/index.js';
import { formatMoney, recordObservedAttempt, recordRecovery } from '../case-ops.js';
import { numberField, stringField } from '../event-facts.js';
import { readLatestCharge } from '../stripe-read.js';
import { actorOf, type Handler } from './deps.js';

export const invoicePaid: Handler = async (f, d, commit) => {
  const account = d.accountOf(f);
  if (!account || !f.objectId) return 'skipped: not an account recover manages';
  const c = d.store.cases.getByInvoice(f.objectId, account);
  if (!c) return 'no case for this invoice';
  if (c.status === 'recovered') return 'already recovered';
  const amount = numberField(f.object, 'amount_paid') ?? c.amountDue;
  const by = f.ours ? 'recover' : actorOf(c, f, d.settings);
  const charge = by === 'recover' ? null : await readLatestCharge(d.gw, f.objectId, d.ctxFor(account));
  let recovered = false;
  const done = commit(() => {
    const cur = d.store.cases.get(c.id)!;
    if (charge?.succeeded && by !== 'recover') recordObservedAttempt(d.store, cur, charge, by);
    recovered = recordRecovery(d.store, cur, { at: f.created, by, amount });
    return recovered ? `recovered by ${by}` : 'already recovered';
  });
  // The typed fact, not the label, says whether this event recovered the invoice.
  if (recovered) d.recovered({ caseId: c.id, invoiceId: c.invoiceId, by, amount, currency: c.currency });
  return done;
};

export const chargeRefunded: Handler = async (f, d, commit) => {
  const ch = chargeFacts(f.object as unknown as Charge);
  const refunded = numberField(f.object, 'amount_refunded') ?? 0;
  const before = f.previous && typeof f.previous.amount_refunded === 'number' ? f.previous.amount_refunded : 0;
  const delta = Math.max(0, refunded - before);
  const currency = stringField(f.object, 'currency') ?? ch.currency;
  return commit(() => {
    if (delta > 0) d.store.counters.increment(`refunded:${currency}`, delta);
    const a = d.store.attempts.getByChargeId(ch.chargeId);
    if (!a) return `refund of ${formatMoney(delta, currency)} counted (charge not from a case)`;
    d.store.decisions.add({
      caseId: a.caseId,
      at: f.created,
      action: 'note',
      kind: 'refund',
      reason: `Charge ${ch.chargeId} refunded: ${formatMoney(delta, currency)} (${formatMoney(refunded, currency)} of ${formatMoney(ch.amount, currency)} in all).`,
      inputs: { chargeId: ch.chargeId, refunded: delta, totalRefunded: refunded, currency },
    });
    return `refund of ${formatMoney(delta, currency)} recorded on case ${a.caseId}`;
  });
};

/**
 * `charge.succeeded`: the customer's payment joins the payment history (`history_charges`, as
 * `takeover --history` imports it), so the policy's pay-cycle belief learns when this customer
 * pays — from every paid invoice, not only the ones that went through dunning. Idempotent by
 * charge id; the recovery itself is recorded by `invoice.paid`.
 */
export const chargeSucceeded: Handler = async (f, d, commit) => {
  const account = d.accountOf(f);
  if (!account) return 'skipped: not an account recover manages';
  const row = historyCharge(account, f.object as unknown as Charge, null);
  return commit(() =>
    row && d.store.history.insert(row) ? 'added to the payment history' : 'already in the payment history',
  );
};
