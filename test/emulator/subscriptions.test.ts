import { describe, expect, it } from 'vitest';
import { DAY, MAIN, sdk, smallMerchant, start, stripeError } from './helpers.js';

describe('subscriptions and customers', () => {
  it('cancel_at_period_end ends the subscription when the clock reaches the period end', async () => {
    const emu = await start({ seed: smallMerchant() });
    const stripe = sdk(emu);
    const sub = await stripe.subscriptions.update('sub_alan', { cancel_at_period_end: true });
    const periodEnd = sub.items.data[0].current_period_end;
    expect(sub).toMatchObject({ cancel_at_period_end: true, cancel_at: periodEnd, status: 'past_due' });
    const updated = (await stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })).data[0];
    expect(updated.data.previous_attributes).toMatchObject({ cancel_at_period_end: false, cancel_at: null });
    await emu.setTime(periodEnd * 1000 + 1);
    const ended = await stripe.subscriptions.retrieve('sub_alan');
    expect(ended).toMatchObject({ status: 'canceled', ended_at: periodEnd });
    expect((await stripe.events.list({ type: 'customer.subscription.deleted' })).data[0].data.object).toMatchObject({ id: 'sub_alan' });
    // Stripe stops collecting a canceled subscription's invoices.
    expect((await stripe.invoices.retrieve('in_alan_open')).next_payment_attempt).toBeNull();
  });

  it('cancels now, recording prorate; lists hide canceled subscriptions unless asked', async () => {
    const emu = await start({ seed: smallMerchant() });
    const stripe = sdk(emu);
    const canceled = await stripe.subscriptions.cancel('sub_grace', { prorate: true, cancellation_details: { comment: 'end of dunning' } });
    expect(canceled).toMatchObject({ status: 'canceled', canceled_at: Math.floor(emu.now() / 1000) });
    expect(canceled.cancellation_details).toMatchObject({ comment: 'end of dunning', reason: 'cancellation_requested' });
    expect(emu.state().subscriptions.find((s) => s.id === 'sub_grace')?.cancellation).toMatchObject({ prorate: true, invoiceNow: false });
    const active = await stripe.subscriptions.list({ limit: 100 });
    expect(active.data.map((s) => s.id)).not.toContain('sub_grace');
    expect(active.data.map((s) => s.id)).not.toContain('sub_barbara');
    const all = await stripe.subscriptions.list({ status: 'all', limit: 100 });
    expect(all.data.map((s) => s.id)).toEqual(expect.arrayContaining(['sub_grace', 'sub_barbara']));
    expect((await stripe.subscriptions.list({ customer: 'cus_ada' })).data.map((s) => s.id)).toEqual(['sub_ada']);
    const again = await stripeError(stripe.subscriptions.cancel('sub_grace'));
    expect(again.statusCode).toBe(404);
    const update = await stripeError(stripe.subscriptions.update('sub_grace', { cancel_at_period_end: true }));
    expect(update.statusCode).toBe(400);
  });

  it('customers.update with a default payment method emits customer.updated', async () => {
    const emu = await start({ seed: smallMerchant() });
    const stripe = sdk(emu);
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: 'cus_alan' });
    const cus = await stripe.customers.update('cus_alan', { invoice_settings: { default_payment_method: pm.id }, metadata: { timezone: 'Europe/London' } });
    expect(cus.invoice_settings.default_payment_method).toBe(pm.id);
    expect(cus.metadata).toEqual({ timezone: 'Europe/London' });
    const ev = (await stripe.events.list({ type: 'customer.updated', limit: 1 })).data[0];
    expect(ev.data.previous_attributes).toMatchObject({ invoice_settings: { default_payment_method: 'pm_alan_visa' }, metadata: {} });
    const wrong = await stripeError(stripe.customers.update('cus_alan', { invoice_settings: { default_payment_method: 'pm_ada_visa' } }));
    expect(wrong.statusCode).toBe(400);
    const listed = await stripe.customers.list({ email: 'alan@example.com' });
    expect(listed.data.map((c) => c.id)).toEqual(['cus_alan']);
    const created = await stripe.customers.create({ email: 'new@example.com', name: 'New Customer', metadata: { timezone: 'Asia/Tokyo' } });
    expect(created).toMatchObject({ object: 'customer', email: 'new@example.com', created: Math.floor(emu.now() / 1000) });
    expect(emu.state({ account: MAIN }).events.at(-1)?.type).toBe('customer.created');
    await emu.advance(DAY);
  });
});
