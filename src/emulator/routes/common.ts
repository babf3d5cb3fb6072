import { noSuch } from '../api-error.js';
import { applyExpand, type Resolver } from '../expand.js';
import { listPage, type ListSpec } from '../list.js';
import { expandList, type Params } from '../params.js';
import { render } from '../render.js';
import type { Doc, Row } from '../store.js';
import type { ObjectType } from '../templates.js';
import { COLLECTION_OF, type AccountState, type CollectionName, type Origin, type World } from '../world.js';

/** Everything a route handler gets. */
export interface RouteCtx {
  world: World;
  /** The acting account (Stripe-Account header, else the key's account). */
  acct: AccountState;
  params: Params;
  /** Path segments captured by the route pattern. */
  pathParams: string[];
  origin: Origin;
  requestLogUrl: string;
  /** True when the request carried a Stripe-Account header. */
  onBehalf: boolean;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** e.g. "/v1/invoices/:id/pay" */
  path: string;
  /** Permission stem: the route needs rak_<resource>_read (GET) or rak_<resource>_write. */
  resource: string;
  handler: (ctx: RouteCtx) => Doc;
}

/** Human label Stripe uses in "No such …: 'id'" messages. */
export const LABELS: Record<CollectionName, string> = {
  customers: 'customer',
  payment_methods: 'PaymentMethod',
  subscriptions: 'subscription',
  invoices: 'invoice',
  invoice_payments: 'invoice payment',
  payment_intents: 'payment_intent',
  charges: 'charge',
  credit_notes: 'credit note',
  refunds: 'refund',
  events: 'event',
  webhook_endpoints: 'webhook endpoint',
  checkout_sessions: 'checkout.session',
  setup_intents: 'setupintent',
};

export function find(ctx: RouteCtx, table: CollectionName, id: string, param = 'id'): Row {
  const row = ctx.acct[table].get(id);
  if (!row) throw noSuch(LABELS[table], id, param);
  return row;
}

export function resolverFor(world: World, acct: AccountState): Resolver {
  return {
    get(type: ObjectType, id: string) {
      if (type === 'account') {
        const row = world.accountRows.get(id);
        return row ? render('account', row.doc) : undefined;
      }
      const table = COLLECTION_OF[type];
      const row = table ? acct[table].get(id) : undefined;
      return row ? render(type, row.doc) : undefined;
    },
    include(type: string, field: string, obj: Doc) {
      if (type === 'invoice' && field === 'payments') {
        const rows = acct.invoice_payments.indexed('invoice', obj.id as string)?.rows ?? [];
        return listOf(rows.slice().reverse(), 'invoice_payment', `/v1/invoices/${obj.id}/payments`, 10);
      }
      if (type === 'charge' && field === 'refunds') {
        const rows = acct.refunds.indexed('charge', obj.id as string)?.rows ?? [];
        return listOf(rows.slice().reverse(), 'refund', `/v1/charges/${obj.id}/refunds`, 10);
      }
      if (type === 'customer' && field === 'subscriptions') {
        const rows = acct.subscriptions.indexed('customer', obj.id as string)?.rows ?? [];
        return listOf(rows.slice().reverse(), 'subscription', `/v1/customers/${obj.id}/subscriptions`, 10);
      }
      return { object: 'list', data: [], has_more: false, url: '' };
    },
  };
}

function listOf(rows: Row[], type: ObjectType, url: string, limit: number): Doc {
  return { object: 'list', data: rows.slice(0, limit).map((r) => render(type, r.doc)), has_more: rows.length > limit, url };
}

/** The response for one object: rendered, with `expand[]` applied. */
export function one(ctx: RouteCtx, type: ObjectType, doc: Doc): Doc {
  const obj = render(type, doc);
  const paths = expandList(ctx.params);
  return paths.length ? applyExpand(obj, paths, resolverFor(ctx.world, ctx.acct)) : obj;
}

/** A list response (`{object: 'list', data, has_more, url}`) with `expand[]` applied. */
export function many(ctx: RouteCtx, type: ObjectType, url: string, spec: ListSpec, renderRow?: (r: Row) => Doc): Doc {
  const page = listPage(ctx.params, spec);
  const list: Doc = {
    object: 'list',
    data: page.rows.map(renderRow ?? ((r) => render(type, r.doc))),
    has_more: page.hasMore,
    url,
  };
  const paths = expandList(ctx.params);
  return paths.length ? applyExpand(list, paths, resolverFor(ctx.world, ctx.acct)) : list;
}

/** A ListSpec over a whole table, or over one of its indexes when `index` is given. */
export function over(ctx: RouteCtx, table: CollectionName, index?: [string, string | undefined]): ListSpec {
  const c = ctx.acct[table];
  const rows = index && index[1] !== undefined ? c.indexed(index[0], index[1]) : c.all;
  return { rows, lookup: (id) => c.get(id), label: LABELS[table] };
}
