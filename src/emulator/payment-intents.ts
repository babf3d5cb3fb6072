import { evaluate } from './behaviour.js';
import { insertCharge } from './charge-row.js';
import { attachPaymentMethod, customerZone, hasNewerPaymentMethod } from './customers.js';
import { resolveDecline } from './declines.js';
import { AUTH_REQUIRED, cardErrorFor, NEXT_ACTION_3DS, paymentError } from './payments.js';
import type { Doc, Row } from './store.js';
import type { AccountState, Origin, World } from './world.js';

/**
 * A direct PaymentIntent (`POST /v1/payment_intents`), the way the Recovery API charges: created and,
 * with `confirm=true`, attempted at once on the card's behaviour (behaviour.ts, the same machinery as
 * invoice payments). Outcomes, as Stripe documents them:
 *
 * - succeeded: a succeeded Charge, PaymentIntent `succeeded` (`payment_intent.created`,
 *   `charge.succeeded`, `payment_intent.succeeded`); 200.
 * - declined: a failed Charge, PaymentIntent `requires_payment_method` with `last_payment_error`
 *   (`charge.failed`, `payment_intent.payment_failed`); 402 `card_error` carrying `payment_intent` and
 *   `charge` (SDK StripeCardError / PaymentIntent.last_payment_error). Stripe's "charge a saved card
 *   later" guide: a failed off-session attempt answers 402 and leaves the PaymentIntent in
 *   `requires_payment_method`.
 * - a 3-D Secure card on-session: no charge yet, PaymentIntent `requires_action` with `next_action`
 *   (`payment_intent.requires_action`); 200. Off-session (or `error_on_requires_action`) the customer
 *   cannot authenticate: the attempt fails with decline `authentication_required`, as above.
 */
export interface PaymentIntentInput {
  /** Minor units. */
  amount: number;
  currency: string;
  customer: Row | null;
  pm: Row | null;
  confirm: boolean;
  offSession: boolean;
  errorOnRequiresAction: boolean;
  metadata: Record<string, string>;
  description: string | null;
  allowedTypes: string[] | null;
  automaticPaymentMethods: Doc | null;
  setupFutureUsage: string | null;
}

export function createPaymentIntent(
  world: World,
  acct: AccountState,
  p: PaymentIntentInput,
  origin: Origin,
  logUrl: string,
): Row {
  const pi = acct.payment_intents.insert(
    {
      id: world.ids.next('pi'),
      created: world.nowSec(),
      amount: p.amount,
      currency: p.currency,
      customer: p.customer?.id ?? null,
      description: p.description,
      metadata: p.metadata,
      payment_method: p.pm?.id ?? null,
      allowed_payment_method_types: p.allowedTypes,
      automatic_payment_methods: p.automaticPaymentMethods,
      setup_future_usage: p.setupFutureUsage,
      // Its state before any confirmation (SDK PaymentIntent.Status).
      status: p.pm ? 'requires_confirmation' : 'requires_payment_method',
    },
    { idempotencyKey: origin.idempotencyKey, requestId: origin.requestId, offSession: p.offSession },
  );
  const o = { origin };
  world.emit(acct, 'payment_intent.created', 'payment_intent', pi.doc, o);
  if (!p.confirm || !p.pm) return pi;
  const pm = p.pm;
  const outcome = evaluate(pm.meta.behaviour, {
    now: world.nowMs(),
    timezone: customerZone(acct, p.customer?.doc),
    newerPaymentMethod: hasNewerPaymentMethod(acct, pm),
  });
  const needsAction = outcome.kind === 'requires_action';
  if (needsAction && !p.offSession && !p.errorOnRequiresAction) {
    acct.payment_intents.update(pi, { status: 'requires_action', next_action: NEXT_ACTION_3DS });
    world.emit(acct, 'payment_intent.requires_action', 'payment_intent', pi.doc, o);
    return pi;
  }
  const decline =
    outcome.kind === 'succeeded' ? null : resolveDecline(outcome.kind === 'declined' ? outcome.decline : AUTH_REQUIRED);
  const charge = insertCharge(world, acct, {
    pm,
    amount: p.amount,
    currency: p.currency,
    customer: p.customer?.id ?? null,
    paymentIntent: pi.id,
    decline,
    threeDs: needsAction,
    origin,
    source: 'payment_intent',
    invoice: null,
    description: p.description,
  });
  if (!decline) {
    acct.payment_intents.update(pi, { status: 'succeeded', amount_received: p.amount, latest_charge: charge.id });
    world.emit(acct, 'charge.succeeded', 'charge', charge.doc, o);
    world.emit(acct, 'payment_intent.succeeded', 'payment_intent', pi.doc, o);
    // Saved for later use: Stripe attaches the card to the customer once the payment succeeds.
    if (p.setupFutureUsage && p.customer && !pm.doc.customer)
      attachPaymentMethod(world, acct, pm, p.customer.id, origin);
    return pi;
  }
  acct.payment_intents.update(pi, {
    status: 'requires_payment_method',
    latest_charge: charge.id,
    last_payment_error: paymentError(decline, charge, pm),
  });
  world.emit(acct, 'charge.failed', 'charge', charge.doc, o);
  world.emit(acct, 'payment_intent.payment_failed', 'payment_intent', pi.doc, o);
  throw cardErrorFor({ ok: false, charge, pi, pm, decline, requiresAction: false }, logUrl);
}
