import { isValidZone, zoneForCountry, type RuntimeBehaviour } from './behaviour.js';
import { cardDetails, type CardSpec } from './cards.js';
import type { Doc, Row } from './store.js';
import { previousAttributes, type AccountState, type Origin, type World } from './world.js';

/**
 * Customers and payment methods: creation (seed and API), attach/detach, default payment
 * method changes, and the events Stripe sends for them.
 */
export interface NewCustomer {
  id?: string;
  name?: string;
  email?: string;
  timezone?: string;
  country?: string;
  currency?: string;
  created: number; // epoch ms
  metadata?: Record<string, string>;
}

export function createCustomer(world: World, acct: AccountState, c: NewCustomer): Row {
  const id = c.id ?? world.ids.next('cus', 14);
  const metadata = { ...(c.metadata ?? {}) };
  if (c.timezone) metadata.timezone = c.timezone;
  const doc: Doc = {
    id,
    created: Math.floor(c.created / 1000),
    name: c.name ?? null,
    email: c.email ?? null,
    address: c.country ? { city: null, country: c.country, line1: null, line2: null, postal_code: null, state: null } : null,
    currency: c.currency ?? null,
    invoice_prefix: id.slice(4, 12).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    metadata,
  };
  return acct.customers.insert(doc);
}

/** The zone "day of month" rules use: metadata.timezone, else the address country's, else the account's. */
export function customerZone(acct: AccountState, customer: Doc | undefined): string {
  const tz = customer?.metadata?.timezone;
  if (typeof tz === 'string' && isValidZone(tz)) return tz;
  return zoneForCountry(customer?.address?.country) ?? acct.timezone;
}

export interface NewPaymentMethod {
  id?: string;
  card: CardSpec;
  behaviour: RuntimeBehaviour;
  created: number; // epoch ms
  customer: string | null;
  billingName?: string | null;
  billingEmail?: string | null;
}

export function createPaymentMethod(world: World, acct: AccountState, p: NewPaymentMethod): Row {
  const id = p.id ?? world.ids.next('pm');
  const expYear = new Date(world.nowMs()).getUTCFullYear() + 3;
  const doc: Doc = {
    id,
    created: Math.floor(p.created / 1000),
    customer: p.customer,
    billing_details: {
      address: { city: null, country: p.card.country, line1: null, line2: null, postal_code: null, state: null },
      email: p.billingEmail ?? null,
      name: p.billingName ?? null,
      phone: null,
      tax_id: null,
    },
    card: cardDetails(p.card, id, expYear),
    metadata: {},
    type: 'card',
  };
  return acct.payment_methods.insert(doc, { behaviour: p.behaviour, attachedAt: p.customer ? p.created : null });
}

/** Attaches (payment_method.attached). */
export function attachPaymentMethod(world: World, acct: AccountState, pm: Row, customer: string, origin: Origin): void {
  acct.payment_methods.update(pm, { customer });
  pm.meta.attachedAt = world.nowMs();
  world.emit(acct, 'payment_method.attached', 'payment_method', pm.doc, { origin });
}

/** Detaches (payment_method.detached); clears it as the customer's default. */
export function detachPaymentMethod(world: World, acct: AccountState, pm: Row, origin: Origin): void {
  const customerId = pm.doc.customer as string | null;
  const prev = { customer: customerId };
  acct.payment_methods.update(pm, { customer: null });
  pm.meta.attachedAt = null;
  world.emit(acct, 'payment_method.detached', 'payment_method', pm.doc, { prev, origin });
  const cus = customerId ? acct.customers.get(customerId) : undefined;
  if (cus && cus.doc.invoice_settings?.default_payment_method === pm.id) {
    updateCustomer(world, acct, cus, { invoice_settings: { ...cus.doc.invoice_settings, default_payment_method: null } }, origin);
  }
}

/** Applies a patch to a customer and emits customer.updated with previous_attributes. */
export function updateCustomer(world: World, acct: AccountState, cus: Row, patch: Doc, origin: Origin): void {
  const old = acct.customers.update(cus, patch);
  const prev = previousAttributes(old, cus.doc);
  if (Object.keys(prev).length > 0) world.emit(acct, 'customer.updated', 'customer', cus.doc, { prev, origin });
}

/** True when the customer has a payment method attached after `pm` was. */
export function hasNewerPaymentMethod(acct: AccountState, pm: Row): boolean {
  const customer = pm.doc.customer as string | null;
  if (!customer) return false;
  const since = (pm.meta.attachedAt as number | null) ?? pm.created * 1000;
  const rows = acct.payment_methods.indexed('customer', customer)?.rows ?? [];
  return rows.some((r) => r !== pm && ((r.meta.attachedAt as number | null) ?? r.created * 1000) > since);
}

/** The network updated the card in place (payment_method.automatically_updated). */
export function automaticallyUpdate(
  world: World,
  acct: AccountState,
  pm: Row,
  change: { exp_month?: number; exp_year?: number; last4?: string; behaviour: RuntimeBehaviour },
): void {
  const card = { ...pm.doc.card };
  if (change.exp_month) card.exp_month = change.exp_month;
  if (change.exp_year) card.exp_year = change.exp_year;
  if (change.last4) card.last4 = change.last4;
  const old = acct.payment_methods.update(pm, { card });
  pm.meta.behaviour = change.behaviour;
  world.emit(acct, 'payment_method.automatically_updated', 'payment_method', pm.doc, { prev: { card: old.card } });
}
