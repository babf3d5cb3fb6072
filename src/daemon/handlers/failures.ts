/**
 * `invoice.payment_failed` and `charge.failed`. Ours (idempotency key `recover:…`) were already
 * recorded by the executor. A failure on an invoice without a case opens one (the takeover path).
 * A failure by Stripe or the customer on a case is recorded as their attempt — for control
 * invoices under baseline `stripe`, these are the control arm's attempts — and, on cases recover
 * retries, the policy decides again (the new decline may be a hard one).
 */
import { isTerminalStatus } from '../../db/index.js';
import { chargeFacts, type ChargeFacts } from '../../engine/stripe-facts.js';
import type { Charge } from '../../stripe/index.js';
import { describeDecision, recordObservedAttempt, redecide } from '../case-ops.js';
import type { EventFacts } from '../event-facts.js';
import { invoiceOfPaymentIntent, readLatestCharge } from '../stripe-read.js';
import { actorOf, type Commit, type Handler, type HandlerDeps } from './deps.js';
import { recordAttemptFailed } from '../../outbox/events.js';

function recordForeign(d: HandlerDeps, f: EventFacts, caseId: number, charge: ChargeFacts, commit: Commit): string {
  return commit(() => {
    const c = d.store.cases.get(caseId);
    if (!c || isTerminalStatus(c.status)) return `skipped: case already ${c?.status ?? 'gone'}`;
    const by = actorOf(c, f, d.settings);
    if (!recordObservedAttempt(d.store, c, charge, by)) return `attempt ${charge.chargeId} already recorded`;
    const failed = () => recordAttemptFailed(d.store, c.id, d.store.attempts.getByChargeId(charge.chargeId), f.created);
    if (c.status === 'observing') {
      failed();
      return `control attempt by ${by} recorded (${charge.decline?.declineCode ?? 'declined'})`;
    }
    const next = redecide(d.store, d.policy, c.id, d.settings, d.now());
    failed();
    return `attempt by ${by} recorded; next: ${describeDecision(next)}`;
  });
}

export const invoicePaymentFailed: Handler = async (f, d, commit) => {
  if (f.ours) return 'our attempt (recorded by the executor)';
  const account = d.accountOf(f);
  if (!account || !f.objectId) return 'skipped: not an account recover manages';
  const c = d.store.cases.getByInvoice(f.objectId, account);
  if (c) {
    if (isTerminalStatus(c.status)) return `skipped: case already ${c.status}`;
    const charge = await readLatestCharge(d.gw, f.objectId, d.ctxFor(account));
    if (!charge || charge.succeeded) return commit(() => 'no failed charge to record');
    return recordForeign(d, f, c.id, charge, commit);
  }
  const intake = await d.intake(f.objectId, account, 'webhook');
  return commit(() => intake.apply());
};

export const chargeFailed: Handler = async (f, d, commit) => {
  if (f.ours) return 'our attempt (recorded by the executor)';
  const account = d.accountOf(f);
  if (!account) return 'skipped: not an account recover manages';
  const charge = chargeFacts(f.object as unknown as Charge);
  if (d.store.attempts.getByChargeId(charge.chargeId)) return 'already recorded';
  if (!charge.customerId || !charge.paymentIntentId) return 'skipped: no customer or payment intent';
  const open = d.store.cases.listByCustomer(charge.customerId, { accountId: account, activeOnly: true });
  if (open.length === 0) return 'skipped: no case in dunning for this customer';
  const invoiceId = await invoiceOfPaymentIntent(d.gw, charge.paymentIntentId, d.ctxFor(account));
  const c = open.find((x) => x.invoiceId === invoiceId);
  if (!c) return 'skipped: not a charge on an invoice in dunning';
  return recordForeign(d, f, c.id, charge, commit);
};
