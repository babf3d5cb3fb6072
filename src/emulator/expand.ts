import { invalidRequest } from './api-error.js';
import type { Doc } from './store.js';
import type { ObjectType } from './templates.js';

/**
 * `expand[]`: replaces ids by objects along dotted paths (`customer`,
 * `data.payments.data.payment.payment_intent`), adds includable fields that are absent by
 * default (an invoice's `payments`, a charge's `refunds`, a customer's `subscriptions`), and
 * refuses what Stripe refuses: more than 4 levels, or a property that cannot be expanded.
 * Copies every object it changes, so stored docs and templates are never touched.
 */
export const MAX_EXPAND_DEPTH = 4;

/** Per object type: path (relative to the object) of each expandable id → the type it names. */
const EXPANDABLE: Partial<Record<string, Record<string, ObjectType>>> = {
  invoice: {
    customer: 'customer',
    default_payment_method: 'payment_method',
    'parent.subscription_details.subscription': 'subscription',
    on_behalf_of: 'account',
    latest_revision: 'invoice',
  },
  invoice_payment: { invoice: 'invoice', 'payment.payment_intent': 'payment_intent', 'payment.charge': 'charge' },
  payment_intent: { customer: 'customer', latest_charge: 'charge', payment_method: 'payment_method', on_behalf_of: 'account' },
  charge: { customer: 'customer', payment_intent: 'payment_intent', on_behalf_of: 'account' },
  subscription: {
    customer: 'customer',
    default_payment_method: 'payment_method',
    latest_invoice: 'invoice',
    on_behalf_of: 'account',
  },
  customer: { 'invoice_settings.default_payment_method': 'payment_method', default_source: 'payment_method' },
  payment_method: { customer: 'customer' },
  credit_note: { customer: 'customer', invoice: 'invoice' },
  refund: { charge: 'charge', payment_intent: 'payment_intent' },
  'checkout.session': { customer: 'customer', setup_intent: 'setup_intent', payment_intent: 'payment_intent' },
  setup_intent: { customer: 'customer', payment_method: 'payment_method', on_behalf_of: 'account' },
};

/** Fields absent unless expanded. */
const INCLUDABLE: Partial<Record<string, string[]>> = {
  invoice: ['payments'],
  charge: ['refunds'],
  customer: ['subscriptions'],
};

export interface Resolver {
  /** The rendered object, or undefined when it does not exist (the id is then left as is). */
  get(type: ObjectType, id: string): Doc | undefined;
  /** The list for an includable field of `obj` (a rendered object of type `type`). */
  include(type: string, field: string, obj: Doc): Doc;
}

const notExpandable = (segment: string) => invalidRequest(`This property cannot be expanded (${segment}).`, 'expand');

export function applyExpand(root: Doc, paths: readonly string[], resolver: Resolver): Doc {
  let out = root;
  for (const path of [...paths].sort((a, b) => a.length - b.length)) {
    const segs = path.split('.');
    if (segs.length > MAX_EXPAND_DEPTH) {
      throw invalidRequest(`You cannot expand more than ${MAX_EXPAND_DEPTH} levels of a property. Property: ${path}`, 'expand');
    }
    if (segs.some((s) => s === '')) throw notExpandable(path);
    out = walk(out, segs, '', '', resolver);
  }
  return out;
}

const isResource = (v: Doc): boolean => typeof v.object === 'string' && typeof v.id === 'string' && v.object !== 'list';

function walk(obj: Doc, segs: string[], type: string, rel: string, resolver: Resolver): Doc {
  const [seg, ...rest] = segs;
  if (obj.object === 'list' && seg === 'data' && Array.isArray(obj.data)) {
    if (rest.length === 0) throw notExpandable(seg);
    return { ...obj, data: obj.data.map((item: Doc) => (item && typeof item === 'object' ? walk(item, rest, '', '', resolver) : item)) };
  }
  if (isResource(obj)) {
    type = obj.object as string;
    rel = '';
  }
  const path = rel ? `${rel}.${seg}` : seg;
  const target = EXPANDABLE[type]?.[path];
  const includable = INCLUDABLE[type]?.includes(path) ?? false;
  let value = obj[seg];
  if (value === undefined) {
    if (!includable) throw notExpandable(seg);
    value = resolver.include(type, seg, obj);
  } else if (typeof value === 'string') {
    if (!target) throw notExpandable(seg);
    value = resolver.get(target, value) ?? value;
  } else if (value === null) {
    if (!target && !includable) throw notExpandable(seg);
    return obj;
  } else if (typeof value === 'object' && !Array.isArray(value)) {
    // Already expanded (or a plain nested hash: only valid as a step towards an expandable id).
    if (rest.length === 0 && !isResource(value as Doc) && !includable && (value as Doc).object !== 'list') throw notExpandable(seg);
  } else {
    throw notExpandable(seg);
  }
  // (An id that could not be resolved — the object is gone — stays an id, deeper segments are skipped.)
  if (rest.length > 0 && value && typeof value === 'object') {
    const child = value as Doc;
    value = isResource(child) || child.object === 'list' ? walk(child, rest, '', '', resolver) : walk(child, rest, type, path, resolver);
  }
  return { ...obj, [seg]: value };
}
