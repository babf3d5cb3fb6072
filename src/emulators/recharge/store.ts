/**
 * Making the store's objects: a customer with an address, a card (payment method with its
 * behaviour) and a subscription — used by the generator, the control API and tests.
 */
import type { RechargeSubscription } from '../../connectors/recharge/types.js';
import type { CardBehaviour } from './behaviour.js';
import { iso, type PaymentMethodRow, type RechargeWorld } from './world.js';

export interface NewCustomer {
  email: string;
  firstName?: string;
  lastName?: string;
  /** Emulator ms; default now. */
  createdMs?: number;
  behaviour?: CardBehaviour;
  brand?: string;
  last4?: string;
  country?: string;
}

export function addCustomer(w: RechargeWorld, o: NewCustomer) {
  const at = iso(o.createdMs ?? w.nowMs());
  const id = w.id('customer');
  const customer = {
    id,
    email: o.email,
    first_name: o.firstName ?? 'Sam',
    last_name: o.lastName ?? 'Doe',
    hash: `${id.toString(16)}c0ffee${(id * 7919).toString(16)}`.slice(0, 18),
    external_customer_id: { ecommerce: String(6_000_000_000 + id) },
    has_payment_method_in_dunning: false,
    has_valid_payment_method: true,
    subscriptions_active_count: 0,
    created_at: at,
    updated_at: at,
  };
  w.customers.set(id, customer);
  const pm = addPaymentMethod(w, id, {
    behaviour: o.behaviour ?? { type: 'succeed' },
    brand: o.brand,
    last4: o.last4,
    createdMs: o.createdMs,
  });
  const addressId = w.id('address');
  w.addresses.set(addressId, {
    id: addressId,
    customer_id: id,
    payment_method_id: pm.doc.id,
    address1: `${(id % 900) + 1} Main St`,
    city: 'Springfield',
    province: null,
    zip: '12345',
    country_code: o.country ?? 'US',
    created_at: at,
    updated_at: at,
  });
  return { customer, addressId, paymentMethod: pm };
}

/** A new default card for the customer (the others stop being default). */
export function addPaymentMethod(
  w: RechargeWorld,
  customerId: number,
  o: { behaviour: CardBehaviour; brand?: string; last4?: string; createdMs?: number },
): PaymentMethodRow {
  for (const p of w.paymentMethods.values()) if (p.doc.customer_id === customerId) p.doc.default = false;
  const at = iso(o.createdMs ?? w.nowMs());
  const id = w.id('payment_method');
  const exp = new Date(w.nowMs());
  const row: PaymentMethodRow = {
    doc: {
      id,
      customer_id: customerId,
      default: true,
      payment_type: 'credit_card',
      processor_name: 'stripe',
      processor_customer_token: `cus_emu${customerId}`,
      processor_payment_method_token: `pm_emu${id}`,
      payment_details: {
        brand: o.brand ?? 'visa',
        last4:
          o.last4 ??
          String(4242 + (id % 5000))
            .padStart(4, '0')
            .slice(-4),
        exp_month: exp.getUTCMonth() + 1,
        exp_year: exp.getUTCFullYear() + 3,
      },
      status: 'valid',
      status_reason: null,
      created_at: at,
      updated_at: at,
    },
    behaviour: o.behaviour,
  };
  w.paymentMethods.set(id, row);
  for (const a of w.addresses.values()) if (a.customer_id === customerId) a.payment_method_id = id;
  return row;
}

export function addSubscription(
  w: RechargeWorld,
  customerId: number,
  addressId: number,
  o: { price: string; currency?: string; product?: string; createdMs?: number; intervalMonths?: number },
) {
  const at = iso(o.createdMs ?? w.nowMs());
  const id = w.id('subscription');
  const sub: RechargeSubscription = {
    id,
    address_id: addressId,
    customer_id: customerId,
    status: 'active',
    cancellation_reason: null,
    cancellation_reason_comments: null,
    cancelled_at: null,
    next_charge_scheduled_at: null,
    price: o.price,
    quantity: 1,
    product_title: o.product ?? 'Coffee subscription',
    presentment_currency: o.currency ?? 'USD',
    order_interval_frequency: o.intervalMonths ?? 1,
    order_interval_unit: 'month',
    charge_interval_frequency: o.intervalMonths ?? 1,
    created_at: at,
    updated_at: at,
  };
  w.subscriptions.set(id, sub);
  const cus = w.customers.get(customerId);
  if (cus) cus.subscriptions_active_count += 1;
  return sub;
}
