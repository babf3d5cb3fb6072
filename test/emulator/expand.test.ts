import { describe, expect, it } from 'vitest';
import { sdk, smallMerchant, start, stripeError } from './helpers.js';

describe('expand', () => {
  it('expands ids on a single object, nested paths included', async () => {
    const emu = await start({ seed: smallMerchant() });
    const stripe = sdk(emu);
    const inv = await stripe.invoices.retrieve('in_grace_open', {
      expand: ['customer', 'parent.subscription_details.subscription', 'payments.data.payment.payment_intent'],
    });
    expect(typeof inv.customer).toBe('object');
    expect((inv.customer as { email: string }).email).toBe('grace@example.com');
    expect((inv.parent?.subscription_details?.subscription as { id: string }).id).toBe('sub_grace');
    const pi = inv.payments!.data[0].payment.payment_intent as { object: string; latest_charge: string; last_payment_error: { decline_code: string } };
    expect(pi.object).toBe('payment_intent');
    expect(pi.last_payment_error.decline_code).toBe('expired_card');
    expect(typeof pi.latest_charge).toBe('string');
    const ch = await stripe.charges.retrieve(pi.latest_charge, { expand: ['payment_intent.customer'] });
    expect(((ch.payment_intent as { customer: { id: string } }).customer).id).toBe('cus_grace');
  });

  it('expands every item of a list with the data. prefix', async () => {
    const emu = await start({ seed: smallMerchant() });
    const stripe = sdk(emu);
    const list = await stripe.invoices.list({ status: 'open', limit: 100, expand: ['data.customer', 'data.payments'] });
    expect(list.data.length).toBeGreaterThan(3);
    for (const inv of list.data) {
      expect((inv.customer as { object: string }).object).toBe('customer');
      expect(inv.payments?.object).toBe('list');
      expect(inv.payments?.data[0].payment.type).toBe('payment_intent');
      expect(inv.payments?.url).toBe(`/v1/invoices/${inv.id}/payments`);
    }
    const charges = await stripe.charges.list({ limit: 3, expand: ['data.payment_intent.customer'] });
    expect(charges.data.every((c) => typeof (c.payment_intent as { customer: unknown }).customer === 'object')).toBe(true);
  });

  it('leaves includable fields out unless expanded', async () => {
    const emu = await start({ seed: smallMerchant() });
    const stripe = sdk(emu);
    const plain = await stripe.invoices.retrieve('in_ada_open');
    expect('payments' in plain).toBe(false);
    expect(plain.lines.data).toHaveLength(1);
    const withPayments = await stripe.invoices.retrieve('in_ada_open', { expand: ['payments'] });
    expect(withPayments.payments?.data).toHaveLength(1);
    const cus = await stripe.customers.retrieve('cus_ada', { expand: ['subscriptions', 'invoice_settings.default_payment_method'] });
    expect((cus as { subscriptions: { data: Array<{ id: string }> } }).subscriptions.data[0].id).toBe('sub_ada');
    expect(((cus as { invoice_settings: { default_payment_method: { id: string } } }).invoice_settings.default_payment_method).id).toBe('pm_ada_visa');
  });

  it('refuses more than 4 levels and properties that cannot be expanded', async () => {
    const emu = await start({ seed: smallMerchant() });
    const stripe = sdk(emu);
    const deep = await stripeError(stripe.invoices.list({ expand: ['data.payments.data.payment.payment_intent.latest_charge'] }));
    expect(deep.statusCode).toBe(400);
    expect(deep.message).toBe(
      'You cannot expand more than 4 levels of a property. Property: data.payments.data.payment.payment_intent.latest_charge',
    );
    const five = await stripeError(stripe.invoices.list({ expand: ['data.payments.data.payment.payment_intent'] }));
    expect(five.message).toMatch(/more than 4 levels/);
    const notExpandable = await stripeError(stripe.invoices.retrieve('in_ada_open', { expand: ['status'] }));
    expect(notExpandable.message).toBe('This property cannot be expanded (status).');
    const noPrefix = await stripeError(stripe.invoices.list({ expand: ['customer'] }));
    expect(noPrefix.message).toBe('This property cannot be expanded (customer).');
    // This API version has no invoice.payment_intent.
    const gone = await stripeError(stripe.invoices.retrieve('in_ada_open', { expand: ['payment_intent'] }));
    expect(gone.message).toBe('This property cannot be expanded (payment_intent).');
  });
});
