import { SUCCESS_OUTCOME, type ResolvedDecline } from './declines.js';
import type { Row } from './store.js';
import type { AccountState, Origin, World } from './world.js';

/**
 * One card charge (`ch_…`) as a payment attempt leaves it: succeeded, or failed with the decline's
 * failure code, message and outcome. Shared by invoice payments (payments.ts) and direct PaymentIntents
 * (payment-intents.ts), so both render the same Charge object.
 */
export interface NewCharge {
  pm: Row;
  /** Minor units. */
  amount: number;
  currency: string;
  customer: string | null;
  paymentIntent: string;
  /** null: the charge succeeded. */
  decline: ResolvedDecline | null;
  /** The card asked for 3-D Secure (`payment_method_details.card.three_d_secure`). */
  threeDs: boolean;
  origin: Origin;
  /** Who made it, for `state().charges[].source`: 'api' (invoices.pay), 'payment_intent', 'smart_retry'… */
  source: string;
  invoice: string | null;
  /** The charge's description; default the template's ("Subscription update"). */
  description?: string | null;
}

export function insertCharge(world: World, acct: AccountState, c: NewCharge): Row {
  const ok = c.decline === null;
  return acct.charges.insert(
    {
      id: world.ids.next('ch'),
      created: world.nowSec(),
      amount: c.amount,
      billing_details: c.pm.doc.billing_details,
      currency: c.currency,
      customer: c.customer,
      ...(c.description !== undefined ? { description: c.description } : {}),
      failure_code: c.decline?.code ?? null,
      failure_message: c.decline?.message ?? null,
      outcome: ok ? SUCCESS_OUTCOME : c.decline!.outcome,
      paid: ok,
      payment_intent: c.paymentIntent,
      payment_method: c.pm.id,
      status: ok ? 'succeeded' : 'failed',
      amount_refunded: 0,
      refunded: false,
      // The card as charged (payment_method_details is derived from it at render).
      _card: c.pm.doc.card,
      _3ds: c.threeDs,
    },
    {
      invoice: c.invoice,
      idempotencyKey: c.origin.idempotencyKey,
      requestId: c.origin.requestId,
      source: c.source,
      decline: c.decline,
    },
  );
}
