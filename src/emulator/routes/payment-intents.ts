import { invalidRequest, noSuchParam } from '../api-error.js';
import { TEST_PAYMENT_METHODS } from '../cards.js';
import { createPaymentMethod } from '../customers.js';
import { createPaymentIntent, type PaymentIntentInput } from '../payment-intents.js';
import { allowOnly, bool, int, mergeMetadata, requiredStr, str, stringList, type Params } from '../params.js';
import type { Doc, Row } from '../store.js';
import { one, type Route, type RouteCtx } from './common.js';

/**
 * `POST /v1/payment_intents` (rak_payment_intent_write): the parameters Stripe validates, read the way
 * the SDK's PaymentIntentCreateParams (node_modules/stripe/esm/resources/PaymentIntents.d.ts) names them.
 */
const CREATE_PARAMS = [
  'amount',
  'currency',
  'allowed_payment_method_types',
  'amount_details',
  'application_fee_amount',
  'automatic_payment_methods',
  'capture_method',
  'confirm',
  'confirmation_method',
  'confirmation_token',
  'customer',
  'customer_account',
  'description',
  'error_on_requires_action',
  'excluded_payment_method_types',
  'hooks',
  'mandate',
  'mandate_data',
  'metadata',
  'off_session',
  'on_behalf_of',
  'payment_details',
  'payment_method',
  'payment_method_configuration',
  'payment_method_data',
  'payment_method_options',
  'radar_options',
  'receipt_email',
  'return_url',
  'setup_future_usage',
  'shipping',
  'statement_descriptor',
  'statement_descriptor_suffix',
  'transfer_data',
  'transfer_group',
  'use_stripe_sdk',
];

/**
 * Quoted from Stripe's answer as public bug reports show it: a confirm with the Dashboard's automatic
 * payment methods (the default when `allowed_payment_method_types` is not given) and no `return_url`.
 */
const RETURN_URL_NEEDED =
  'This PaymentIntent is configured to accept payment methods enabled in your Dashboard. Because some of these ' +
  "payment methods might redirect your customer off of your page, you must provide a `return_url`. If you don't " +
  'want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and ' +
  '`automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.';

/** Stripe's minimum charge amounts, minor units (docs.stripe.com/currencies, "Minimum and maximum charge amounts"). */
const MINIMUM: Record<string, [number, string]> = { usd: [50, '$0.50'], eur: [50, '€0.50'], gbp: [30, '£0.30'] };

function amountOf(p: Params, currency: string): number {
  if (p.amount === undefined) throw invalidRequest('Missing required param: amount.', 'amount', 'parameter_missing');
  const amount = int(p, 'amount')!;
  if (amount < 1)
    throw invalidRequest('This value must be greater than or equal to 1.', 'amount', 'parameter_invalid_integer');
  const min = MINIMUM[currency];
  if (min && amount < min[0]) {
    throw invalidRequest(`Amount must be at least ${min[1]} ${currency}`, 'amount', 'amount_too_small');
  }
  return amount;
}

/** The payment method to charge; Stripe's test ids (`pm_card_visa`…) stand for a fresh copy, as in test mode. */
function paymentMethodOf(ctx: RouteCtx, id: string | undefined): Row | null {
  if (id === undefined) return null;
  const pm = ctx.acct.payment_methods.get(id);
  if (pm) return pm;
  const test = TEST_PAYMENT_METHODS[id];
  if (!test) throw noSuchParam('PaymentMethod', id, 'payment_method');
  const now = ctx.world.nowMs();
  return createPaymentMethod(ctx.world, ctx.acct, {
    card: test.card,
    behaviour: test.behaviour,
    created: now,
    customer: null,
  });
}

function parseCreate(ctx: RouteCtx): PaymentIntentInput {
  const p = ctx.params;
  allowOnly(p, CREATE_PARAMS);
  const currency = requiredStr(p, 'currency').toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) throw invalidRequest(`Invalid currency: ${currency}.`, 'currency');
  const amount = amountOf(p, currency);
  const customerId = str(p, 'customer');
  const customer = customerId === undefined ? null : ctx.acct.customers.get(customerId);
  if (customer === undefined) throw noSuchParam('customer', customerId!, 'customer');
  const confirm = bool(p, 'confirm') ?? false;
  const offSession = p.off_session === 'one_off' || p.off_session === 'recurring' || (bool(p, 'off_session') ?? false);
  if (p.off_session !== undefined && !confirm) {
    // SDK PaymentIntentCreateParams.off_session: "This parameter can only be used with confirm=true."
    throw invalidRequest('The off_session parameter can only be used with confirm=true.', 'off_session');
  }
  const capture = str(p, 'capture_method');
  if (capture !== undefined && capture !== 'automatic' && capture !== 'automatic_async') {
    throw invalidRequest(`The emulator only charges with capture_method=automatic (got ${capture}).`, 'capture_method');
  }
  const pm = paymentMethodOf(ctx, str(p, 'payment_method'));
  if (pm?.doc.customer && pm.doc.customer !== customer?.id) {
    throw invalidRequest(
      `The \`payment_method\` parameter supplied ${pm.id} belongs to the Customer ${pm.doc.customer}. ` +
        'Please include the Customer in the `customer` parameter on the PaymentIntent.',
      'payment_method',
    );
  }
  if (confirm && !pm) {
    throw invalidRequest(
      "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the " +
        'PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a ' +
        'payment method.',
      'payment_method',
    );
  }
  const allowedTypes = stringList(p, 'allowed_payment_method_types');
  const apmParam = p.automatic_payment_methods as Doc | undefined;
  const apmEnabled = allowedTypes === null && (apmParam === undefined || bool(apmParam, 'enabled') !== false);
  const allowRedirects = apmParam && typeof apmParam === 'object' ? str(apmParam, 'allow_redirects') : undefined;
  if (confirm && apmEnabled && allowRedirects !== 'never' && str(p, 'return_url') === undefined) {
    throw invalidRequest(RETURN_URL_NEEDED);
  }
  return {
    amount,
    currency,
    customer,
    pm,
    confirm,
    offSession,
    errorOnRequiresAction: bool(p, 'error_on_requires_action') ?? false,
    metadata: mergeMetadata({}, p.metadata),
    description: str(p, 'description') ?? null,
    allowedTypes,
    automaticPaymentMethods: apmEnabled ? { allow_redirects: allowRedirects ?? 'always', enabled: true } : null,
    setupFutureUsage: str(p, 'setup_future_usage') ?? null,
  };
}

export const paymentIntentRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/payment_intents',
    resource: 'payment_intent',
    handler: (c) => {
      const pi = createPaymentIntent(c.world, c.acct, parseCreate(c), c.origin, c.requestLogUrl);
      return one(c, 'payment_intent', pi.doc);
    },
  },
];
