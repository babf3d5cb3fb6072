/**
 * The admin API routes the emulator answers, each with the scopes that allow it (any one of
 * them). Where Recharge's docs disagree the emulator accepts both spellings: charges are
 * `read_orders`/`write_orders` in the API reference's scope list and `read_charges`/`write_charges`/
 * `process_charge` in the charges guide (docs.rechargepayments.com/docs/charges). A webhook needs
 * the read scope of its topic's resource (assumption). Paths and bodies follow 2021-11:
 * `{"charge": {...}}` for one object, `{"charges": [...], next_cursor, previous_cursor}` for a list.
 */
import { cancelSubscription, attemptCharge } from './billing.js';
import { page, unprocessable, type PageResult, type Row } from './list.js';
import type { RechargeWorld, TokenRow } from './world.js';

export interface RouteCtx {
  w: RechargeWorld;
  id: number;
  query: URLSearchParams;
  body: Record<string, unknown>;
  token: TokenRow;
}

export interface Route {
  method: string;
  template: string;
  re: RegExp;
  /** Any one of these scopes allows the call; [] = any valid token. */
  scopes: string[] | ((ctx: RouteCtx) => string[]);
  handle(ctx: RouteCtx): PageResult;
}

const CHARGES_READ = ['read_orders', 'read_charges'];
const CHARGES_PROCESS = ['write_orders', 'write_charges', 'process_charge'];
export const TOPIC_SCOPES: Record<string, string[]> = {
  charge: CHARGES_READ,
  order: ['read_orders'],
  subscription: ['read_subscriptions'],
  customer: ['read_customers'],
  address: ['read_customers'],
};

const notFound = (what: string): PageResult => ({ status: 404, body: { errors: `${what} not found` } });
const ok = (key: string, doc: unknown): PageResult => ({ status: 200, body: { [key]: doc } });
const eqNum = (f: Record<string, string>, k: string, v: unknown) => f[k] === undefined || Number(f[k]) === v;
const atLeast = (f: Record<string, string>, k: string, v: unknown) =>
  f[k] === undefined || Date.parse(String(v)) >= Date.parse(f[k]);
const atMost = (f: Record<string, string>, k: string, v: unknown) =>
  f[k] === undefined || Date.parse(String(v)) <= Date.parse(f[k]);

function route(method: string, template: string, scopes: Route['scopes'], handle: Route['handle']): Route {
  const re = new RegExp(`^${template.replace(/:id/g, '(\\d+)')}$`);
  return { method, template, re, scopes, handle };
}

export const ROUTES: Route[] = [
  route('GET', '/charges', CHARGES_READ, ({ w, query }) =>
    page(
      'charges',
      [...w.charges.values()].map((r) => r.doc as unknown as Row),
      query,
      (r, f) => {
        const c = r as unknown as import('../../connectors/recharge/types.js').RechargeCharge;
        if (f.status !== undefined && c.status !== f.status.toLowerCase()) return false;
        if (!eqNum(f, 'customer_id', c.customer.id)) return false;
        if (
          f.subscription_id !== undefined &&
          !c.line_items.some((l) => l.subscription_id === Number(f.subscription_id))
        ) {
          return false;
        }
        return (
          atLeast(f, 'updated_at_min', c.updated_at) &&
          atMost(f, 'updated_at_max', c.updated_at) &&
          atLeast(f, 'scheduled_at_min', c.scheduled_at) &&
          atMost(f, 'scheduled_at_max', c.scheduled_at)
        );
      },
    ),
  ),
  route('GET', '/charges/:id', CHARGES_READ, ({ w, id }) => {
    const row = w.charges.get(id);
    return row ? ok('charge', row.doc) : notFound('Charge');
  }),
  route('POST', '/charges/:id/process', CHARGES_PROCESS, ({ w, id }) => {
    // The plan is checked first: the endpoint is a Pro feature (docs.rechargepayments.com/docs/charges).
    if (w.settings.plan === 'standard') {
      return {
        status: 403,
        body: { errors: 'Processing charges via the API is a Pro plan feature: upgrade the plan' },
      };
    }
    const row = w.charges.get(id);
    if (!row) return notFound('Charge');
    if (row.doc.status !== 'queued' && row.doc.status !== 'error') {
      return unprocessable('status', `charge is ${row.doc.status}: only queued or error charges can be processed`);
    }
    attemptCharge(w, row, 'api');
    return ok('charge', row.doc);
  }),
  route('GET', '/orders', ['read_orders'], ({ w, query }) =>
    page('orders', w.orders.values() as Iterable<Row>, query, (r, f) => eqNum(f, 'customer_id', r.customer_id)),
  ),
  route('GET', '/subscriptions', ['read_subscriptions'], ({ w, query }) =>
    page(
      'subscriptions',
      w.subscriptions.values() as Iterable<Row>,
      query,
      (r, f) =>
        eqNum(f, 'customer_id', r.customer_id) && (f.status === undefined || r.status === f.status.toLowerCase()),
    ),
  ),
  route('GET', '/subscriptions/:id', ['read_subscriptions'], ({ w, id }) => {
    const s = w.subscriptions.get(id);
    return s ? ok('subscription', s) : notFound('Subscription');
  }),
  route('POST', '/subscriptions/:id/cancel', ['write_subscriptions'], ({ w, id, body }) => {
    const s = w.subscriptions.get(id);
    if (!s) return notFound('Subscription');
    const reason = body.cancellation_reason;
    if (typeof reason !== 'string' || !reason.trim()) return unprocessable('cancellation_reason', "can't be blank");
    if (s.status === 'active') {
      const comments = typeof body.cancellation_reason_comments === 'string' ? body.cancellation_reason_comments : null;
      cancelSubscription(w, s, reason, comments);
    }
    return ok('subscription', s);
  }),
  route('GET', '/customers', ['read_customers'], ({ w, query }) =>
    page(
      'customers',
      w.customers.values() as Iterable<Row>,
      query,
      (r, f) => f.email === undefined || r.email === f.email,
    ),
  ),
  route('GET', '/customers/:id', ['read_customers'], ({ w, id }) => {
    const c = w.customers.get(id);
    return c ? ok('customer', c) : notFound('Customer');
  }),
  route('GET', '/addresses', ['read_customers'], ({ w, query }) =>
    page('addresses', w.addresses.values() as Iterable<Row>, query, (r, f) => eqNum(f, 'customer_id', r.customer_id)),
  ),
  route('GET', '/addresses/:id', ['read_customers'], ({ w, id }) => {
    const a = w.addresses.get(id);
    return a ? ok('address', a) : notFound('Address');
  }),
  route('GET', '/payment_methods', ['read_payment_methods', 'read_payments'], ({ w, query }) =>
    page(
      'payment_methods',
      [...w.paymentMethods.values()].map((p) => p.doc as unknown as Row),
      query,
      (r, f) => eqNum(f, 'customer_id', r.customer_id),
    ),
  ),
  route('GET', '/payment_methods/:id', ['read_payment_methods', 'read_payments'], ({ w, id }) => {
    const p = w.paymentMethods.get(id);
    return p ? ok('payment_method', p.doc) : notFound('Payment method');
  }),
  route('GET', '/discounts', ['read_discounts'], ({ query }) => page('discounts', [], query, () => true)),
  route('GET', '/products', ['read_products'], ({ w, query }) => page('products', w.products, query, () => true)),
  route('GET', '/token_information', [], ({ token }) =>
    ok('token_information', { name: token.name, contact_email: null, scopes: [...token.scopes].sort() }),
  ),
  route('GET', '/webhooks', [], ({ w, query }) =>
    page('webhooks', w.webhooks.values() as Iterable<Row>, query, () => true),
  ),
  route('GET', '/webhooks/:id', [], ({ w, id }) => {
    const h = w.webhooks.get(id);
    return h ? ok('webhook', h) : notFound('Webhook');
  }),
  route(
    'POST',
    '/webhooks',
    ({ body }) => TOPIC_SCOPES[String(body.topic ?? '').split('/')[0]] ?? [],
    ({ w, body }) => {
      const { address, topic } = body;
      if (typeof address !== 'string' || !/^https?:\/\/[^\s]+$/.test(address)) {
        return unprocessable('address', 'must be an http(s) URL');
      }
      if (typeof topic !== 'string' || !TOPICS.has(topic))
        return unprocessable('topic', `is not a valid topic: ${String(topic)}`);
      const id = w.id('webhook');
      const included = Array.isArray(body.included_objects) ? body.included_objects.map(String) : [];
      const hook = { id, address, topic, included_objects: included, version: '2021-11' as const };
      w.webhooks.set(id, hook);
      return ok('webhook', hook);
    },
  ),
  route('DELETE', '/webhooks/:id', [], ({ w, id }) => {
    if (!w.webhooks.delete(id)) return notFound('Webhook');
    return { status: 204, body: {} };
  }),
];

/** Topics the emulator accepts (a subset of Recharge's list: the ones it can emit, and a few more). */
export const TOPICS = new Set([
  'charge/created',
  'charge/failed',
  'charge/paid',
  'charge/max_retries_reached',
  'charge/refunded',
  'charge/upcoming',
  'charge/processed',
  'subscription/created',
  'subscription/updated',
  'subscription/cancelled',
  'customer/created',
  'customer/updated',
  'customer/payment_method_updated',
  'order/created',
]);

export function matchRoute(method: string, path: string): { route: Route; id: number } | null {
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const m = r.re.exec(path);
    if (m) return { route: r, id: m[1] ? Number(m[1]) : 0 };
  }
  return null;
}
