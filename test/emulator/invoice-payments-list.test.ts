/**
 * GET /v1/invoice_payments filtered by `payment[payment_intent]` without `invoice` (the emulator
 * walks an index by payment intent for it). Stripe's contract, from the SDK's
 * InvoicePaymentListParams (node_modules/stripe/esm/resources/InvoicePayments.d.ts): `invoice` is
 * "the identifier of the invoice whose payments to return", `payment.payment_intent` "only return
 * invoice payments associated by this payment intent ID", `status` narrows further; every filter
 * given must hold, and the list pages newest first like every Stripe list.
 */
import { describe, expect, it } from 'vitest';
import { generateMerchant } from '../../src/emulator/index.js';
import { sdk, start } from './helpers.js';

describe('invoice_payments by payment intent', () => {
  it('returns exactly the payments of that intent, with the other filters still applied', async () => {
    const emu = await start({ seed: generateMerchant({ customers: 40, rngSeed: 7, historyEvents: false }) });
    const stripe = sdk(emu);
    const all = [];
    for await (const ip of stripe.invoicePayments.list({ limit: 100 })) all.push(ip);
    const withIntent = all.filter((ip) => ip.payment.payment_intent);
    expect(withIntent.length).toBeGreaterThan(10);
    for (const ip of withIntent.slice(0, 12)) {
      const pi = ip.payment.payment_intent as string;
      const expected = all.filter((x) => x.payment.payment_intent === pi).map((x) => x.id);
      const page = await stripe.invoicePayments.list({ payment: { type: 'payment_intent', payment_intent: pi } });
      expect(page.data.map((x) => x.id)).toEqual(expected);
      // Combined with invoice or status: both conditions hold.
      const other = all.find((x) => x.invoice !== ip.invoice)!;
      const crossed = await stripe.invoicePayments.list({
        invoice: other.invoice as string,
        payment: { type: 'payment_intent', payment_intent: pi },
      });
      expect(crossed.data).toEqual([]);
      const wrongStatus = ip.status === 'paid' ? 'open' : 'paid';
      const byStatus = await stripe.invoicePayments.list({
        status: wrongStatus,
        payment: { type: 'payment_intent', payment_intent: pi },
      });
      expect(byStatus.data.map((x) => x.id)).toEqual(
        all.filter((x) => x.payment.payment_intent === pi && x.status === wrongStatus).map((x) => x.id),
      );
    }
    const none = await stripe.invoicePayments.list({ payment: { type: 'payment_intent', payment_intent: 'pi_none' } });
    expect(none.data).toEqual([]);
  });
});
