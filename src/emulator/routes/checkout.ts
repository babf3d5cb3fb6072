import { invalidRequest, noSuchParam } from '../api-error.js';
import { createSetupSession, expireSession, MAX_EXPIRY_S, MIN_EXPIRY_S } from '../checkout.js';
import { allowOnly, int, mergeMetadata, str, stringList, type Params } from '../params.js';
import { find, one, type Route, type RouteCtx } from './common.js';

/**
 * /v1/checkout/sessions (rak_checkout_session_*; setup mode only) and GET /v1/setup_intents/:id
 * (rak_setup_intent_*). Parameter names as the SDK's Checkout.SessionCreateParams declares them
 * (node_modules/stripe/esm/resources/Checkout/Sessions.d.ts).
 */
const CREATE_PARAMS = [
  'adaptive_pricing',
  'after_expiration',
  'allow_promotion_codes',
  'allowed_payment_method_types',
  'automatic_tax',
  'billing_address_collection',
  'branding_settings',
  'cancel_url',
  'client_reference_id',
  'consent_collection',
  'currency',
  'custom_fields',
  'custom_text',
  'customer',
  'customer_account',
  'customer_creation',
  'customer_email',
  'customer_update',
  'discounts',
  'excluded_payment_method_types',
  'expires_at',
  'integration_identifier',
  'invoice_creation',
  'line_items',
  'locale',
  'managed_payments',
  'metadata',
  'mode',
  'name_collection',
  'optional_items',
  'origin_context',
  'payment_intent_data',
  'payment_method_collection',
  'payment_method_configuration',
  'payment_method_data',
  'payment_method_options',
  'permissions',
  'phone_number_collection',
  'redirect_on_completion',
  'return_url',
  'saved_payment_method_options',
  'setup_intent_data',
  'shipping_address_collection',
  'shipping_options',
  'submit_type',
  'subscription_data',
  'success_url',
  'tax_id_collection',
  'ui_mode',
  'wallet_options',
];

function urlParam(p: Params, name: string): string | null {
  const v = str(p, name);
  if (v === undefined) return null;
  // Stripe keeps `{CHECKOUT_SESSION_ID}` literally in success_url until it redirects.
  if (!URL.canParse(v.replace(/\{CHECKOUT_SESSION_ID\}/g, 'x')) || !/^https?:/i.test(v)) {
    throw invalidRequest('Not a valid URL', name, 'url_invalid');
  }
  return v;
}

function createSession(ctx: RouteCtx) {
  const p = ctx.params;
  allowOnly(p, CREATE_PARAMS);
  const mode = str(p, 'mode');
  if (mode === undefined) throw invalidRequest('Missing required param: mode.', 'mode', 'parameter_missing');
  if (mode !== 'setup') throw invalidRequest(`The emulator serves Checkout in setup mode only (got ${mode}).`, 'mode');
  const ui = str(p, 'ui_mode');
  if (ui !== undefined && ui !== 'hosted_page') {
    throw invalidRequest(`The emulator serves the hosted page only (ui_mode hosted_page; got ${ui}).`, 'ui_mode');
  }
  const allowedTypes = stringList(p, 'allowed_payment_method_types');
  const currency = str(p, 'currency')?.toLowerCase() ?? null;
  // SDK SessionCreateParams.currency: "Required in `setup` mode when `allowed_payment_method_types` is not set."
  if (currency === null && allowedTypes === null) {
    throw invalidRequest('Missing required param: currency.', 'currency', 'parameter_missing');
  }
  if (currency !== null && !/^[a-z]{3}$/.test(currency))
    throw invalidRequest(`Invalid currency: ${currency}.`, 'currency');
  const customerId = str(p, 'customer');
  const customer = customerId === undefined ? null : ctx.acct.customers.get(customerId);
  if (customer === undefined) throw noSuchParam('customer', customerId!, 'customer');
  if (customer && p.customer_email !== undefined) {
    // Stripe's wording for mutually exclusive parameters.
    throw invalidRequest('You may only specify one of these parameters: customer, customer_email.', 'customer_email');
  }
  const now = ctx.world.nowSec();
  const expiresAt = int(p, 'expires_at') ?? now + MAX_EXPIRY_S;
  // SDK SessionCreateParams.expires_at: "anywhere from 30 minutes to 24 hours after Checkout Session creation".
  if (expiresAt < now + MIN_EXPIRY_S || expiresAt > now + MAX_EXPIRY_S) {
    throw invalidRequest(
      'The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation ' +
        `(got ${expiresAt}; now is ${now}).`,
      'expires_at',
    );
  }
  const sid = (p.setup_intent_data ?? {}) as Params;
  if (typeof sid !== 'object') throw invalidRequest('Invalid hash', 'setup_intent_data');
  allowOnly(sid, ['description', 'metadata', 'on_behalf_of']);
  const row = createSetupSession(ctx.world, ctx.acct, {
    customer,
    currency,
    successUrl: urlParam(p, 'success_url'),
    cancelUrl: urlParam(p, 'cancel_url'),
    expiresAt,
    metadata: mergeMetadata({}, p.metadata),
    clientReferenceId: str(p, 'client_reference_id') ?? null,
    customerEmail: str(p, 'customer_email') ?? null,
    allowedTypes,
    setupIntentData: { metadata: mergeMetadata({}, sid.metadata), description: str(sid, 'description') ?? null },
  });
  return one(ctx, 'checkout.session', row.doc);
}

export const checkoutRoutes: Route[] = [
  { method: 'POST', path: '/v1/checkout/sessions', resource: 'checkout_session', handler: createSession },
  {
    method: 'GET',
    path: '/v1/checkout/sessions/:id',
    resource: 'checkout_session',
    handler: (c) => one(c, 'checkout.session', find(c, 'checkout_sessions', c.pathParams[0], 'session').doc),
  },
  {
    method: 'POST',
    path: '/v1/checkout/sessions/:id/expire',
    resource: 'checkout_session',
    handler: (c) => {
      allowOnly(c.params, []);
      const row = find(c, 'checkout_sessions', c.pathParams[0], 'session');
      // SDK SessionResource.expire: "can be expired when it is in one of these statuses: open".
      if (!expireSession(c.world, c.acct, row, c.origin)) {
        throw invalidRequest(
          `Only Checkout Sessions with a status of \`open\` can be expired (this one is ${row.doc.status}).`,
        );
      }
      return one(c, 'checkout.session', row.doc);
    },
  },
  {
    method: 'GET',
    path: '/v1/setup_intents/:id',
    resource: 'setup_intent',
    handler: (c) => one(c, 'setup_intent', find(c, 'setup_intents', c.pathParams[0], 'intent').doc),
  },
];
