import { invalidRequest } from '../api-error.js';
import { TEST_CARD_NUMBERS, TEST_PAYMENT_METHODS, type CardSpec } from '../cards.js';
import { attachPaymentMethod, createCustomer, createPaymentMethod, detachPaymentMethod, updateCustomer } from '../customers.js';
import { allowOnly, int, mergeMetadata, requiredStr, str, type Params } from '../params.js';
import type { Doc, Row } from '../store.js';
import type { RuntimeBehaviour } from '../behaviour.js';
import { find, many, one, over, type Route, type RouteCtx } from './common.js';

/**
 * /v1/customers (rak_customer_*) and /v1/payment_methods plus a customer's payment methods
 * (rak_payment_method_*).
 */
function customerPatch(ctx: RouteCtx, cus: Row | null, p: Params): Doc {
  const patch: Doc = {};
  for (const f of ['name', 'email', 'description', 'phone'] as const) {
    const v = str(p, f);
    if (v !== undefined) patch[f] = v || null;
  }
  if (p.metadata !== undefined) patch.metadata = mergeMetadata(cus?.doc.metadata ?? {}, p.metadata);
  if (p.address !== undefined) {
    const a = (p.address === '' ? null : p.address) as Record<string, string> | null;
    patch.address = a && { city: a.city ?? null, country: a.country ?? null, line1: a.line1 ?? null, line2: a.line2 ?? null, postal_code: a.postal_code ?? null, state: a.state ?? null };
  }
  const settings = p.invoice_settings as Record<string, unknown> | undefined;
  if (settings !== undefined) {
    if (typeof settings !== 'object' || settings === null) throw invalidRequest('Invalid hash', 'invoice_settings');
    for (const k of Object.keys(settings)) {
      if (!['default_payment_method', 'custom_fields', 'footer', 'rendering_options'].includes(k)) {
        throw invalidRequest(`Received unknown parameter: invoice_settings[${k}]`, `invoice_settings[${k}]`, 'parameter_unknown');
      }
    }
    const dpm = settings.default_payment_method as string | undefined;
    const next = { ...(cus?.doc.invoice_settings ?? { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null }) };
    if (dpm !== undefined) {
      if (dpm) {
        const pm = find(ctx, 'payment_methods', dpm, 'invoice_settings[default_payment_method]');
        if (cus && pm.doc.customer !== cus.id) {
          throw invalidRequest(
            `The payment method \`${dpm}\` must be attached to the customer before it can be set as the default.`,
            'invoice_settings[default_payment_method]',
          );
        }
      }
      next.default_payment_method = dpm || null;
    }
    if (typeof settings.footer === 'string') next.footer = settings.footer || null;
    patch.invoice_settings = next;
  }
  return patch;
}

const CUSTOMER_PARAMS = ['name', 'email', 'description', 'phone', 'metadata', 'address', 'invoice_settings', 'preferred_locales', 'shipping', 'tax_exempt', 'balance', 'coupon', 'promotion_code', 'source', 'tax', 'tax_id_data', 'test_clock', 'next_invoice_sequence', 'invoice_prefix', 'payment_method', 'default_source', 'cash_balance'];

function createCustomerRoute(ctx: RouteCtx) {
  allowOnly(ctx.params, CUSTOMER_PARAMS);
  const { world, acct } = ctx;
  const cus = createCustomer(world, acct, { created: world.nowMs() });
  const pmId = str(ctx.params, 'payment_method');
  acct.customers.update(cus, customerPatch(ctx, cus, { ...ctx.params, invoice_settings: undefined }));
  world.emit(acct, 'customer.created', 'customer', cus.doc, { origin: ctx.origin });
  if (pmId) attach(ctx, pmId, cus);
  if (ctx.params.invoice_settings !== undefined) {
    updateCustomer(world, acct, cus, customerPatch(ctx, cus, { invoice_settings: ctx.params.invoice_settings }), ctx.origin);
  }
  return one(ctx, 'customer', cus.doc);
}

function updateCustomerRoute(ctx: RouteCtx) {
  allowOnly(ctx.params, CUSTOMER_PARAMS);
  const cus = find(ctx, 'customers', ctx.pathParams[0]);
  updateCustomer(ctx.world, ctx.acct, cus, customerPatch(ctx, cus, ctx.params), ctx.origin);
  return one(ctx, 'customer', cus.doc);
}

function listCustomers(ctx: RouteCtx) {
  allowOnly(ctx.params, ['created', 'email', 'test_clock'], true);
  const email = str(ctx.params, 'email');
  const spec = over(ctx, 'customers');
  if (email !== undefined) spec.filter = (r) => r.doc.email === email;
  return many(ctx, 'customer', '/v1/customers', spec);
}

function listPaymentMethods(ctx: RouteCtx, customer: string | undefined, url: string) {
  const type = str(ctx.params, 'type');
  if (customer !== undefined) find(ctx, 'customers', customer, 'customer');
  const spec = over(ctx, 'payment_methods', ['customer', customer]);
  if (customer === undefined) spec.filter = (r) => r.doc.customer !== null;
  if (type !== undefined && type !== 'card') spec.rows = undefined;
  spec.createdFilter = false;
  return many(ctx, 'payment_method', url, spec);
}

/** Brand from a card number's first digits (enough for test numbers). */
function brandOf(number: string): string {
  if (/^4/.test(number)) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  if (/^6/.test(number)) return 'discover';
  return 'unknown';
}

function createPaymentMethodRoute(ctx: RouteCtx) {
  allowOnly(ctx.params, ['type', 'card', 'billing_details', 'metadata', 'allow_redisplay', 'customer', 'payment_method']);
  const type = requiredStr(ctx.params, 'type');
  if (type !== 'card') throw invalidRequest(`The emulator only supports type=card (got ${type}).`, 'type');
  const card = (ctx.params.card ?? {}) as Record<string, string>;
  let spec: CardSpec;
  let behaviour: RuntimeBehaviour = { type: 'succeed' };
  if (card.token && TEST_PAYMENT_METHODS[card.token.replace(/^tok_/, 'pm_card_')]) {
    ({ card: spec, behaviour } = TEST_PAYMENT_METHODS[card.token.replace(/^tok_/, 'pm_card_')]);
  } else {
    const number = String(card.number ?? '').replace(/\s/g, '');
    if (!/^\d{12,19}$/.test(number)) throw invalidRequest('Your card number is incorrect.', 'card[number]', 'incorrect_number');
    const test = TEST_CARD_NUMBERS[number];
    if (test) ({ card: spec, behaviour } = TEST_PAYMENT_METHODS[test]);
    else spec = { brand: brandOf(number), funding: 'credit', country: 'US', last4: number.slice(-4) };
    const expMonth = int(card, 'exp_month');
    const expYear = int(card, 'exp_year');
    spec = { ...spec, exp_month: expMonth ?? spec.exp_month, exp_year: expYear ?? spec.exp_year };
  }
  const pm = createPaymentMethod(ctx.world, ctx.acct, { card: spec, behaviour, created: ctx.world.nowMs(), customer: null });
  if (ctx.params.metadata !== undefined) ctx.acct.payment_methods.update(pm, { metadata: mergeMetadata({}, ctx.params.metadata) });
  return one(ctx, 'payment_method', pm.doc);
}

/** Attaches `id` to `cus`; a `pm_card_…` test id attaches a fresh copy, like Stripe. */
function attach(ctx: RouteCtx, id: string, cus: Row): Row {
  const { world, acct } = ctx;
  let pm = acct.payment_methods.get(id);
  if (!pm && TEST_PAYMENT_METHODS[id]) {
    const t = TEST_PAYMENT_METHODS[id];
    pm = createPaymentMethod(world, acct, { card: t.card, behaviour: t.behaviour, created: world.nowMs(), customer: null });
  }
  if (!pm) pm = find(ctx, 'payment_methods', id);
  if (pm.doc.customer === cus.id) return pm;
  if (pm.doc.customer) throw invalidRequest('The payment method you provided has already been attached to a customer.', 'payment_method');
  attachPaymentMethod(world, acct, pm, cus.id, ctx.origin);
  return pm;
}

export const customerRoutes: Route[] = [
  { method: 'GET', path: '/v1/customers', resource: 'customer', handler: listCustomers },
  { method: 'POST', path: '/v1/customers', resource: 'customer', handler: createCustomerRoute },
  { method: 'GET', path: '/v1/customers/:id', resource: 'customer', handler: (c) => one(c, 'customer', find(c, 'customers', c.pathParams[0], 'customer').doc) },
  { method: 'POST', path: '/v1/customers/:id', resource: 'customer', handler: updateCustomerRoute },
  {
    method: 'GET',
    path: '/v1/customers/:id/payment_methods',
    resource: 'payment_method',
    handler: (c) => {
      allowOnly(c.params, ['type', 'allow_redisplay'], true);
      return listPaymentMethods(c, c.pathParams[0], `/v1/customers/${c.pathParams[0]}/payment_methods`);
    },
  },
  {
    method: 'GET',
    path: '/v1/payment_methods',
    resource: 'payment_method',
    handler: (c) => {
      allowOnly(c.params, ['customer', 'customer_account', 'type', 'allow_redisplay'], true);
      return listPaymentMethods(c, str(c.params, 'customer'), '/v1/payment_methods');
    },
  },
  { method: 'POST', path: '/v1/payment_methods', resource: 'payment_method', handler: createPaymentMethodRoute },
  { method: 'GET', path: '/v1/payment_methods/:id', resource: 'payment_method', handler: (c) => one(c, 'payment_method', find(c, 'payment_methods', c.pathParams[0], 'payment_method').doc) },
  {
    method: 'POST',
    path: '/v1/payment_methods/:id',
    resource: 'payment_method',
    handler: (c) => {
      allowOnly(c.params, ['metadata', 'billing_details', 'card', 'allow_redisplay']);
      const pm = find(c, 'payment_methods', c.pathParams[0], 'payment_method');
      const patch: Doc = {};
      if (c.params.metadata !== undefined) patch.metadata = mergeMetadata(pm.doc.metadata ?? {}, c.params.metadata);
      const card = c.params.card as Record<string, string> | undefined;
      if (card) patch.card = { ...pm.doc.card, exp_month: int(card, 'exp_month') ?? pm.doc.card.exp_month, exp_year: int(card, 'exp_year') ?? pm.doc.card.exp_year };
      const old = c.acct.payment_methods.update(pm, patch);
      c.world.emit(c.acct, 'payment_method.updated', 'payment_method', pm.doc, { prev: { ...(patch.card ? { card: old.card } : {}), ...(patch.metadata ? { metadata: old.metadata } : {}) }, origin: c.origin });
      return one(c, 'payment_method', pm.doc);
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_methods/:id/attach',
    resource: 'payment_method',
    handler: (c) => {
      allowOnly(c.params, ['customer', 'customer_account']);
      const cus = find(c, 'customers', requiredStr(c.params, 'customer'), 'customer');
      return one(c, 'payment_method', attach(c, c.pathParams[0], cus).doc);
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_methods/:id/detach',
    resource: 'payment_method',
    handler: (c) => {
      allowOnly(c.params, []);
      const pm = find(c, 'payment_methods', c.pathParams[0], 'payment_method');
      if (!pm.doc.customer) throw invalidRequest('The payment method you provided is not attached to a customer so detachment is impossible.', 'payment_method');
      detachPaymentMethod(c.world, c.acct, pm, c.origin);
      return one(c, 'payment_method', pm.doc);
    },
  },
];

export { attach as attachToCustomer };
