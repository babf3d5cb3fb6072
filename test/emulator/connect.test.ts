import { describe, expect, it } from 'vitest';
import { CONNECTED, MAIN, sdk, smallMerchant, start, stripeError } from './helpers.js';

describe('Connect scoping (Stripe-Account)', () => {
  it('each account sees only its own objects', async () => {
    const emu = await start({ seed: smallMerchant() });
    const stripe = sdk(emu);
    const mine = await stripe.invoices.list({ limit: 100 });
    const theirs = await stripe.invoices.list({ limit: 100 }, { stripeAccount: CONNECTED });
    expect(theirs.data.map((i) => i.id).sort()).toEqual(['in_edsger_paid', 'in_frances_open']);
    expect(mine.data.map((i) => i.id)).not.toContain('in_frances_open');
    const missing = await stripeError(stripe.invoices.retrieve('in_frances_open'));
    expect(missing.statusCode).toBe(404);
    const inv = await stripe.invoices.retrieve('in_frances_open', {}, { stripeAccount: CONNECTED });
    expect(inv).toMatchObject({ currency: 'jpy', amount_due: 2980, account_country: 'JP' });
    expect(inv.lastResponse.headers['stripe-account']).toBe(CONNECTED);
    const err = await stripeError(stripe.invoices.pay('in_frances_open', {}, { stripeAccount: CONNECTED }));
    expect(err).toMatchObject({ decline_code: 'card_velocity_exceeded', network_advice_code: '24' });
    const charges = await stripe.charges.list({}, { stripeAccount: CONNECTED });
    expect(charges.data[0].id).toBe(err.charge);
    expect((await stripe.charges.list({ limit: 100 })).data.map((c) => c.id)).not.toContain(err.charge);
  });

  it('lists connected accounts and retrieves the acting account', async () => {
    const emu = await start({ seed: smallMerchant() });
    const stripe = sdk(emu);
    const accounts = await stripe.accounts.list();
    expect(accounts.data.map((a) => a.id)).toEqual([CONNECTED]);
    expect(accounts.data[0]).toMatchObject({ object: 'account', country: 'JP', default_currency: 'jpy', charges_enabled: true });
    expect((await stripe.accounts.retrieveCurrent()).id).toBe(MAIN);
    expect((await stripe.accounts.retrieve(CONNECTED)).id).toBe(CONNECTED);
    expect((await stripe.accounts.retrieveCurrent({}, { stripeAccount: CONNECTED })).id).toBe(CONNECTED);
    expect((await stripe.accounts.list({}, { stripeAccount: CONNECTED })).data).toEqual([]);
  });

  it('customers, subscriptions and payment methods are scoped too', async () => {
    const emu = await start({ seed: smallMerchant() });
    const stripe = sdk(emu);
    const opts = { stripeAccount: CONNECTED };
    expect((await stripe.customers.list({}, opts)).data.map((c) => c.id).sort()).toEqual(['cus_edsger', 'cus_frances']);
    expect((await stripe.subscriptions.list({}, opts)).data).toHaveLength(2);
    expect((await stripe.customers.listPaymentMethods('cus_frances', {}, opts)).data[0].id).toBe('pm_frances_mc');
    expect((await stripeError(stripe.customers.retrieve('cus_frances'))).statusCode).toBe(404);
  });
});
