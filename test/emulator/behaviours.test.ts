import { describe, expect, it } from 'vitest';
import type { SeedInput } from '../../src/emulator/index.js';
import { DAY, oneCustomer, sdk, start, stripeError } from './helpers.js';

const HOUR = 3_600_000;

describe('payment method behaviours', () => {
  it('payday schedule: declines except on given days of the month in the customer\'s timezone', async () => {
    // 2026-01-14 20:00 UTC is already the 15th in Tokyo (UTC+9) but still the 14th in New York.
    const clockStart = Date.UTC(2026, 0, 14, 20);
    const seedFor = (timezone: string) =>
      oneCustomer({ type: 'schedule', decline: { decline_code: 'insufficient_funds' }, succeed_on_days: [15] }, { timezone, invoices: 2, smartRetries: false });
    const tokyo = await start({ seed: seedFor('Asia/Tokyo'), clockStart });
    expect((await sdk(tokyo).invoices.pay('in_test_0')).status).toBe('paid');
    const ny = await start({ seed: seedFor('America/New_York'), clockStart });
    const err = await stripeError(sdk(ny).invoices.pay('in_test_0'));
    expect(err.decline_code).toBe('insufficient_funds');
    await ny.advance(10 * HOUR); // 06:00 UTC on the 15th = 01:00 in New York
    expect((await sdk(ny).invoices.pay('in_test_0')).status).toBe('paid');
    await ny.advance(DAY);
    expect((await stripeError(sdk(ny).invoices.pay('in_test_1'))).decline_code).toBe('insufficient_funds');
  });

  it('succeed_after: declines until a time, then succeeds', async () => {
    const emu = await start({ seed: oneCustomer({ type: 'schedule', decline: { decline_code: 'generic_decline' }, succeed_after: '+3d' }, { smartRetries: false }) });
    const stripe = sdk(emu);
    expect((await stripeError(stripe.invoices.pay('in_test_0'))).decline_code).toBe('generic_decline');
    await emu.advance(2 * DAY);
    expect((await stripeError(stripe.invoices.pay('in_test_0'))).decline_code).toBe('generic_decline');
    await emu.advance(DAY);
    expect((await stripe.invoices.pay('in_test_0')).status).toBe('paid');
  });

  it('succeeds once the customer attaches a new payment method (API attach + default)', async () => {
    const emu = await start({
      seed: oneCustomer({ type: 'schedule', decline: { decline_code: 'expired_card' }, succeed_after_new_payment_method: true }, { smartRetries: false, invoices: 2 }),
    });
    const stripe = sdk(emu);
    expect((await stripeError(stripe.invoices.pay('in_test_0'))).decline_code).toBe('expired_card');
    const pm = await stripe.paymentMethods.attach('pm_card_mastercard', { customer: 'cus_test' });
    expect(pm.customer).toBe('cus_test');
    expect(pm.id).not.toBe('pm_card_mastercard');
    // The old card now works too (the customer sorted it out), and the new default works.
    expect((await stripe.invoices.pay('in_test_0', { payment_method: 'pm_test' })).status).toBe('paid');
    const cus = await stripe.customers.update('cus_test', { invoice_settings: { default_payment_method: pm.id } });
    expect(cus.invoice_settings.default_payment_method).toBe(pm.id);
    const paid = await stripe.invoices.pay('in_test_1');
    const charge = (await stripe.charges.list({ customer: 'cus_test', limit: 1 })).data[0];
    expect(paid.status).toBe('paid');
    expect(charge.payment_method).toBe(pm.id);
    const types = emu.state().events.map((e) => e.type);
    expect(types).toContain('payment_method.attached');
    const updated = (await stripe.events.list({ type: 'customer.updated' })).data[0];
    expect(updated.data.previous_attributes).toEqual({ invoice_settings: expect.objectContaining({ default_payment_method: 'pm_test' }) });
  });

  it('scheduled customer updates from the seed happen when the clock passes them', async () => {
    const seed: SeedInput = {
      account: {
        smart_retries: false,
        customers: [
          {
            id: 'cus_upd',
            payment_methods: [
              { id: 'pm_old', behaviour: { type: 'decline', decline_code: 'expired_card' } },
              { id: 'pm_second', behaviour: { type: 'decline', decline_code: 'incorrect_cvc' } },
            ],
            invoices: [{ id: 'in_upd', amount: 700, attempts: [{ at: '-1d' }] }],
            updates: [
              { type: 'new_payment_method', at: '+2d', payment_method: { id: 'pm_new', brand: 'visa', behaviour: { type: 'succeed' } } },
              { type: 'automatic_update', at: '+3d', payment_method: 'pm_second', exp_year: 2031 },
            ],
          },
        ],
      },
    };
    const emu = await start({ seed });
    const stripe = sdk(emu);
    await emu.advance(DAY);
    expect((await stripe.customers.retrieve('cus_upd') as { invoice_settings: { default_payment_method: string } }).invoice_settings.default_payment_method).toBe('pm_old');
    await emu.advance(DAY);
    const cus = await stripe.customers.retrieve('cus_upd');
    expect((cus as { invoice_settings: { default_payment_method: string } }).invoice_settings.default_payment_method).toBe('pm_new');
    expect((await stripe.invoices.pay('in_upd')).status).toBe('paid');
    await emu.advance(DAY);
    const pm = await stripe.paymentMethods.retrieve('pm_second');
    expect(pm.card?.exp_year).toBe(2031);
    const types = emu.state().events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['payment_method.attached', 'customer.updated', 'payment_method.automatically_updated']));
  });

  it('test cards by number and pm_card_ ids behave like Stripe\'s', async () => {
    const emu = await start({ seed: oneCustomer({ type: 'succeed' }, { invoices: 2, smartRetries: false }) });
    const stripe = sdk(emu);
    const lost = await stripe.paymentMethods.create({ type: 'card', card: { number: '4000000000009987', exp_month: 1, exp_year: 2030 } });
    await stripe.paymentMethods.attach(lost.id, { customer: 'cus_test' });
    expect((await stripeError(stripe.invoices.pay('in_test_0', { payment_method: lost.id }))).decline_code).toBe('lost_card');
    const nsf = await stripe.paymentMethods.attach('pm_card_chargeDeclinedInsufficientFunds', { customer: 'cus_test' });
    expect((await stripeError(stripe.invoices.pay('in_test_0', { payment_method: nsf.id }))).decline_code).toBe('insufficient_funds');
    const detached = await stripe.paymentMethods.detach(nsf.id);
    expect(detached.customer).toBeNull();
    const list = await stripe.customers.listPaymentMethods('cus_test');
    expect(list.data.map((p) => p.id).sort()).toEqual([lost.id, 'pm_test'].sort());
  });
});
