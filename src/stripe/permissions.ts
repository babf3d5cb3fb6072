/**
 * The restricted-key permission of every Stripe endpoint recover calls, and the permission
 * lists derived from them. The gateway's executor refuses a call whose endpoint is not listed
 * here, so the list the wizard asks for, the probes, `status` and the emulator's generated key
 * can never fall behind the calls recover actually makes (today's daemon once needed
 * `rak_event_read` and `rak_payment_method_read` that the wizard did not ask for).
 *
 * Source: Stripe's restricted keys (https://docs.stripe.com/keys/restricted-api-keys): each
 * resource is None / Read / Write; Write includes Read; a GET needs Read, a POST or DELETE
 * Write. Invoice payments are part of the Invoices resource. (recover never calls
 * `GET /v1/account`, which needs `rak_accounts_kyc_basic_read`.)
 */

export type Access = 'read' | 'write';

/**
 * Which of recover's integrations call an endpoint, each with its own restricted key: `billing` is the
 * Stripe Billing connector (onboard stripe, takeover, the daemon), `api` the Recovery API's charging key
 * (onboard api: PaymentIntents, Checkout Sessions in setup mode). Each key is asked only for what its
 * integration calls, so adding the API path never widens the Billing key.
 */
export type Integration = 'billing' | 'api';

export interface EndpointPermission {
  /** Stripe's name, e.g. `rak_invoice`. */
  resource: string;
  access: Access;
  integrations: readonly Integration[];
  /** Needed only in Connect scope (listing and reading connected accounts). */
  connectOnly?: boolean;
}

const B: readonly Integration[] = ['billing'];
const A: readonly Integration[] = ['api'];
const BA: readonly Integration[] = ['billing', 'api'];
const r = (resource: string, integrations = B, connectOnly = false): EndpointPermission => ({
  resource,
  access: 'read',
  integrations,
  connectOnly,
});
const w = (resource: string, integrations = B): EndpointPermission => ({ resource, access: 'write', integrations });

/**
 * `METHOD path-template` → what the call needs. Every gateway call must be listed. Grouped by
 * resource in the order the wizard shows them (the first seven are the Phase 1 list). The API
 * path's resource names are Stripe's (restricted-keys docs; the Dashboard's key-creation URLs use
 * `rak_payment_intent_write`, `rak_checkout_session_write`, `rak_setup_intent_read`).
 */
export const ENDPOINT_PERMISSIONS: Readonly<Record<string, EndpointPermission>> = {
  'GET /v1/charges': r('rak_charge'),
  'GET /v1/customers': r('rak_customer'),
  'GET /v1/customers/:id': r('rak_customer', BA),
  'GET /v1/payment_intents': r('rak_payment_intent'),
  'GET /v1/payment_intents/:id': r('rak_payment_intent', BA),
  'POST /v1/payment_intents': w('rak_payment_intent', A),
  'GET /v1/invoices': r('rak_invoice'),
  'GET /v1/invoices/:id': r('rak_invoice'),
  'POST /v1/invoices/:id': w('rak_invoice'),
  'POST /v1/invoices/:id/pay': w('rak_invoice'),
  'POST /v1/invoices/:id/mark_uncollectible': w('rak_invoice'),
  'GET /v1/invoice_payments': r('rak_invoice'),
  'GET /v1/subscriptions/:id': r('rak_subscription'),
  'POST /v1/subscriptions/:id': w('rak_subscription'),
  'DELETE /v1/subscriptions/:id': w('rak_subscription'),
  'GET /v1/webhook_endpoints': r('rak_webhook'),
  'POST /v1/webhook_endpoints': w('rak_webhook'),
  'POST /v1/webhook_endpoints/:id': w('rak_webhook'),
  'DELETE /v1/webhook_endpoints/:id': w('rak_webhook'),
  'GET /v1/credit_notes': r('rak_credit_note'),
  'GET /v1/payment_methods/:id': r('rak_payment_method', BA),
  'GET /v1/events': r('rak_event'),
  'GET /v1/accounts': r('rak_connected_account', B, true),
  'POST /v1/checkout/sessions': w('rak_checkout_session', A),
  'GET /v1/checkout/sessions/:id': r('rak_checkout_session', A),
  'GET /v1/setup_intents/:id': r('rak_setup_intent', A),
};

/** The permission a call needs, e.g. `rak_invoice_write`; throws for an endpoint not listed above. */
export function permissionFor(method: string, path: string): string {
  const p = ENDPOINT_PERMISSIONS[`${method} ${path}`];
  if (!p) throw new TypeError(`${method} ${path} has no entry in ENDPOINT_PERMISSIONS (src/stripe/permissions.ts)`);
  return `${p.resource}_${p.access}`;
}

/** One permission per resource: write where any call writes, else read; in table order. */
function derive(integration: Integration, connect: boolean): string[] {
  const access = new Map<string, Access>();
  for (const p of Object.values(ENDPOINT_PERMISSIONS)) {
    if (!p.integrations.includes(integration) || (p.connectOnly && !connect)) continue;
    if (access.get(p.resource) !== 'write') access.set(p.resource, p.access);
  }
  return [...access].map(([resource, a]) => `${resource}_${a}`);
}

/** What the Stripe Billing key needs in account scope. */
export const REQUIRED_PERMISSIONS: readonly string[] = derive('billing', false);
/** What the Stripe Billing key needs in Connect scope (adds reading the connected accounts). */
export const CONNECT_PERMISSIONS: readonly string[] = derive('billing', true);
/** What the Recovery API's charging key needs (`recover onboard api`; account scope only). */
export const API_PERMISSIONS: readonly string[] = derive('api', false);

/** `account` / `connect`: the Stripe Billing key in that scope; `api`: the Recovery API's key. */
export function requiredPermissions(scope: 'account' | 'connect' | 'api'): readonly string[] {
  if (scope === 'api') return API_PERMISSIONS;
  return scope === 'connect' ? CONNECT_PERMISSIONS : REQUIRED_PERMISSIONS;
}
