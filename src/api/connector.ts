/**
 * The Recovery API side of the charge seam (src/connectors/types.ts): an API case is a payment
 * the merchant's billing handed over. The check is the merchant's retry-status answer (§3; no URL
 * = yes); the charge is an off-session PaymentIntent with the attempt's idempotency key (Stripe
 * replays its first answer for 24 h: https://docs.stripe.com/api/idempotent_requests), on the
 * Stripe customer and PaymentMethod the API was given (or the newer one a card update brought).
 */
import type { Settings } from '../config/settings.js';
import { classifyStripeError, STRIPE_REPLAY_WINDOW_MS } from '../connectors/stripe/billing-connector.js';
import type { ChargeConnector } from '../connectors/types.js';
import type { Case, Store } from '../db/index.js';
import { declineOf } from '../daemon/attempt-outcomes.js';
import { declineFacts } from '../decline.js';
import type { StripeGateway } from '../stripe/index.js';
import { askRetryStatus, UNANSWERED_COUNTER } from './retry-status.js';
import { recoveryId } from './view.js';

export interface ApiConnectorDeps {
  store: Store;
  gateway(): StripeGateway | undefined;
  settings(): Settings;
  now(): number;
}

/** The PaymentIntent's metadata: how `latestCharge` finds the charges of one recovery. */
export const metadataOf = (c: Case) => ({ recover_recovery: recoveryId(c.id), recover_invoice: c.invoiceId });

export function apiConnector(d: ApiConnectorDeps): ChargeConnector {
  const gw = () => {
    const g = d.gateway();
    if (!g) throw new Error('no Stripe key for the Recovery API saved (run recover onboard api)');
    return g;
  };
  return {
    platform: 'api',
    replayWindowMs: STRIPE_REPLAY_WINDOW_MS,
    async check(c, a) {
      const url = d.settings().retryStatusUrl;
      if (!url) return { ok: true };
      const v = await askRetryStatus(
        url,
        d.store.secrets.get('result_webhook_secret'),
        {
          recoveryId: recoveryId(c.id),
          invoiceId: c.invoiceId,
          customerId: c.customerId,
          amount: c.amountDue,
          currency: c.currency,
          attempt: a.n,
        },
        d.now(),
      );
      if (!v.ok && v.kind === 'ask_later') d.store.counters.increment(UNANSWERED_COUNTER);
      return v;
    },
    async charge(c, a, p) {
      const r = d.store.apiRecoveries.get(c.id);
      if (!r) throw new Error(`case ${c.id} has no Recovery API facts`);
      const res = await gw().paymentIntents.create({
        amount: p.amount ?? c.amountDue,
        currency: c.currency,
        customer: r.stripeCustomer,
        paymentMethod: c.paymentMethodId ?? r.paymentMethod,
        // A customer-present case's first attempt was on-session (present.ts): a resume sends the same.
        offSession: r.presentAttempt !== a.id,
        idempotencyKey: p.idempotencyKey,
        metadata: metadataOf(c),
      });
      if (res.ok)
        return {
          ok: true,
          amount: res.paymentIntent.amount_received || (p.amount ?? c.amountDue),
          chargeId: res.chargeId,
        };
      if ('decline' in res) return { ok: false, decline: declineOf(res.decline) };
      return {
        ok: false,
        decline: { ...declineFacts({ declineCode: 'authentication_required' }), chargeId: null, requiresAction: true },
      };
    },
    async latestCharge(c) {
      const r = d.store.apiRecoveries.get(c.id);
      if (!r) return null;
      const list = await gw().paymentIntents.list({
        customer: r.stripeCustomer,
        limit: 100,
        expand: ['data.latest_charge'],
      });
      const pi = list.data
        .filter((p) => p.metadata?.recover_recovery === recoveryId(c.id))
        .sort((x, y) => y.created - x.created)[0];
      const ch = pi?.latest_charge;
      if (!pi || !ch || typeof ch === 'string') return null;
      const o = ch.outcome;
      return {
        chargeId: ch.id,
        at: ch.created * 1000,
        amount: ch.amount,
        succeeded: ch.status === 'succeeded',
        decline:
          ch.status === 'failed'
            ? declineFacts({
                declineCode: o?.reason ?? ch.failure_code,
                adviceCode: o?.advice_code,
                networkAdviceCode: o?.network_advice_code,
                networkDeclineCode: o?.network_decline_code,
              })
            : null,
      };
    },
    classify: classifyStripeError,
  };
}
