/** Lists, pagination with a resumable cursor, expand, and Connect scoping, through the real SDK. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import type { Invoice, InvoicePayment, PaymentIntent } from '../../src/stripe/index.js';
import { CONNECTED, gatewayFor, startSeeded } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startSeeded();
});
afterAll(async () => {
  await emu?.close();
});

describe('pagination', () => {
  it('pages through all invoices with starting_after, one request per page', async () => {
    const { gw, rec } = gatewayFor(emu);
    const pages: Array<{ ids: string[]; lastId?: string; hasMore: boolean }> = [];
    for await (const p of gw.invoices.listAll({ subscription: 'sub_pages', limit: 10 })) {
      pages.push({ ids: p.page.map((i) => i.id), lastId: p.lastId, hasMore: p.hasMore });
    }
    expect(pages.map((p) => p.ids.length)).toEqual([10, 10, 5]);
    expect(pages.map((p) => p.hasMore)).toEqual([true, true, false]);
    const ids = pages.flatMap((p) => p.ids);
    expect(new Set(ids).size).toBe(25);
    // Newest first, like Stripe.
    expect(ids[0]).toBe('in_page24');
    expect(ids[24]).toBe('in_page00');
    expect(pages[0].lastId).toBe(pages[0].ids[9]);
    expect(rec.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual(Array(3).fill('GET /v1/invoices 200'));
  });

  it('resumes after a persisted cursor with no gap and no duplicate', async () => {
    const { gw } = gatewayFor(emu);
    let cursor: string | undefined;
    const seen: string[] = [];
    // "Crash" after the first page, keeping only the cursor.
    for await (const p of gw.invoices.listAll({ subscription: 'sub_pages', limit: 7 })) {
      seen.push(...p.page.map((i) => i.id));
      cursor = p.lastId;
      break;
    }
    for await (const p of gw.invoices.listAll({ subscription: 'sub_pages', limit: 7, starting_after: cursor })) {
      seen.push(...p.page.map((i) => i.id));
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
  });

  it('lists one page with filters', async () => {
    const { gw } = gatewayFor(emu);
    const page = await gw.invoices.list({ status: 'open', collection_method: 'charge_automatically', customer: 'cus_pages', limit: 3 });
    expect(page.data).toHaveLength(3);
    expect(page.has_more).toBe(true);
    expect(page.data.every((i) => i.status === 'open' && i.attempt_count >= 1)).toBe(true);
  });
});

describe('expand', () => {
  it('expands every invoice\'s payments in a list (no per-invoice round trip)', async () => {
    const { gw, rec } = gatewayFor(emu);
    const page = await gw.invoices.list({ subscription: 'sub_pages', limit: 5, expand: ['data.payments'] });
    for (const inv of page.data) {
      const payments = inv.payments?.data ?? [];
      expect(payments.length).toBeGreaterThanOrEqual(1);
      expect(typeof payments[0].payment.payment_intent).toBe('string');
      // The 2026 shape: the subscription lives under parent.subscription_details.
      expect(inv.parent?.subscription_details?.subscription).toBe('sub_pages');
    }
    expect(rec.calls).toHaveLength(1);
  });

  it('expands nested paths on retrieve, down to the decline on the payment intent', async () => {
    const { gw } = gatewayFor(emu);
    const inv: Invoice = await gw.invoices.retrieve('in_page03', { expand: ['payments.data.payment.payment_intent', 'customer'] });
    const payment = inv.payments!.data[0] as InvoicePayment;
    const pi = payment.payment.payment_intent as PaymentIntent;
    expect(pi.object).toBe('payment_intent');
    expect(pi.last_payment_error?.decline_code).toBe('generic_decline');
    expect(typeof pi.latest_charge).toBe('string');
    expect(typeof inv.customer === 'object' && inv.customer?.id).toBe('cus_pages');
  });

  it('reads the failed charges of a period and the invoice payments of an invoice', async () => {
    const { gw } = gatewayFor(emu);
    const nowSec = Math.floor(emu.now() / 1000);
    const failed: string[] = [];
    for await (const p of gw.charges.listAll({ created: { gte: nowSec - 200 * 3600, lt: nowSec }, limit: 10 })) {
      failed.push(...p.page.filter((c) => c.status === 'failed').map((c) => c.id));
    }
    expect(failed.length).toBeGreaterThanOrEqual(25);
    const ips = await gw.invoicePayments.list({ invoice: 'in_page03' });
    expect(ips.data[0].invoice).toBe('in_page03');
  });

  it('reads subscriptions, customers, payment methods, payment intents, credit notes and events', async () => {
    const { gw } = gatewayFor(emu);
    expect((await gw.subscriptions.retrieve('sub_pages')).status).toBeTruthy();
    const cus = await gw.customers.retrieve('cus_declines', { expand: ['invoice_settings.default_payment_method'] });
    expect('deleted' in cus && cus.deleted).toBeFalsy();
    expect((await gw.paymentMethods.retrieve('pm_mc24')).card?.brand).toBe('mastercard');
    const pis = await gw.paymentIntents.list({ customer: 'cus_pages', limit: 2 });
    expect(pis.data).toHaveLength(2);
    expect((await gw.paymentIntents.retrieve(pis.data[0].id)).id).toBe(pis.data[0].id);
    expect(Array.isArray((await gw.creditNotes.list({ limit: 1 })).data)).toBe(true);
    expect((await gw.customers.list({ limit: 2 })).data).toHaveLength(2);
    const events = await gw.events.list({ type: 'invoice.payment_failed', limit: 5 });
    expect(events.data.every((e) => e.type === 'invoice.payment_failed')).toBe(true);
  });
});

describe('Connect', () => {
  it('scopes calls to a connected account with Stripe-Account', async () => {
    const { gw, rec } = gatewayFor(emu);
    const accounts = await gw.accounts.list({ limit: 10 });
    expect(accounts.data.map((a) => a.id)).toContain(CONNECTED);
    const theirs = await gw.invoices.list({ limit: 10 }, { account: CONNECTED });
    expect(theirs.data.map((i) => i.id)).toEqual(['in_conn1']);
    const ours = await gw.invoices.list({ limit: 100 });
    expect(ours.data.map((i) => i.id)).not.toContain('in_conn1');
    expect(rec.calls[1].account).toBe(CONNECTED);
    const log = emu.state().requests.log.filter((r) => r.path === '/v1/invoices');
    expect(log.some((r) => r.account === CONNECTED)).toBe(true);
  });
});
