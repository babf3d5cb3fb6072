import { describe, expect, it } from 'vitest';
import type { SeedInput } from '../../src/emulator/index.js';
import { sdk, start, stripeError } from './helpers.js';

const START = Date.UTC(2026, 0, 1);
const MIN = 60_000;

/** 250 open invoices one minute apart (in_0000 oldest … in_0249 newest) over 5 customers, 40 paid ones. */
function manyInvoices(): SeedInput {
  const customers = Array.from({ length: 5 }, (_, c) => ({
    id: `cus_p${c}`,
    payment_methods: [{ id: `pm_p${c}`, behaviour: { type: 'succeed' as const } }],
    invoices: [] as Array<Record<string, unknown>>,
  }));
  for (let i = 0; i < 250; i++) {
    customers[i % 5].invoices.push({ id: `in_${String(i).padStart(4, '0')}`, amount: 100 + i, created: START - (300 - i) * MIN, auto_advance: false });
  }
  for (let i = 0; i < 40; i++) {
    customers[i % 5].invoices.push({ id: `in_paid_${i}`, amount: 500, created: START - (400 - i) * MIN, status: 'paid', collection_method: 'send_invoice' });
  }
  return { start: START, account: { customers } } as SeedInput;
}

describe('pagination', () => {
  it('pages forward newest first with has_more and url', async () => {
    const emu = await start({ seed: manyInvoices() });
    const stripe = sdk(emu);
    const first = await stripe.invoices.list({ status: 'open', limit: 100 });
    expect(first.object).toBe('list');
    expect(first.url).toBe('/v1/invoices');
    expect(first.data).toHaveLength(100);
    expect(first.has_more).toBe(true);
    expect(first.data[0].id).toBe('in_0249');
    expect(first.data[99].id).toBe('in_0150');
    const second = await stripe.invoices.list({ status: 'open', limit: 100, starting_after: first.data[99].id });
    expect(second.data[0].id).toBe('in_0149');
    const third = await stripe.invoices.list({ status: 'open', limit: 100, starting_after: second.data[99].id });
    expect(third.data).toHaveLength(50);
    expect(third.has_more).toBe(false);
    expect(third.data[49].id).toBe('in_0000');
    const dflt = await stripe.invoices.list();
    expect(dflt.data).toHaveLength(10);
  });

  it('pages backward with ending_before, still newest first', async () => {
    const emu = await start({ seed: manyInvoices() });
    const stripe = sdk(emu);
    const page = await stripe.invoices.list({ status: 'open', limit: 3, ending_before: 'in_0100' });
    expect(page.data.map((i) => i.id)).toEqual(['in_0103', 'in_0102', 'in_0101']);
    expect(page.has_more).toBe(true);
    const top = await stripe.invoices.list({ status: 'open', limit: 5, ending_before: 'in_0247' });
    expect(top.data.map((i) => i.id)).toEqual(['in_0249', 'in_0248']);
    expect(top.has_more).toBe(false);
  });

  it('auto-paginates over more than 100 items, both directions', async () => {
    const emu = await start({ seed: manyInvoices() });
    const stripe = sdk(emu);
    const ids: string[] = [];
    for await (const inv of stripe.invoices.list({ status: 'open', limit: 100 })) ids.push(inv.id);
    expect(ids).toHaveLength(250);
    expect(new Set(ids).size).toBe(250);
    expect(ids[0]).toBe('in_0249');
    const all = await stripe.invoices.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
    expect(all).toHaveLength(290);
    const back: string[] = [];
    for await (const inv of stripe.invoices.list({ status: 'open', limit: 7, ending_before: 'in_0230' })) back.push(inv.id);
    expect(back).toEqual(Array.from({ length: 19 }, (_, i) => `in_0${231 + i}`));
    expect(emu.state({ summary: true }).requests.byRoute['GET /v1/invoices']).toBeGreaterThan(3);
  });

  it('filters by status, customer, collection_method and created', async () => {
    const emu = await start({ seed: manyInvoices() });
    const stripe = sdk(emu);
    const byCustomer = await stripe.invoices.list({ customer: 'cus_p2', status: 'open', limit: 100 });
    expect(byCustomer.data).toHaveLength(50);
    expect(byCustomer.data.every((i) => i.customer === 'cus_p2')).toBe(true);
    const paid = await stripe.invoices.list({ status: 'paid', limit: 100 });
    expect(paid.data).toHaveLength(40);
    const sendInvoice = await stripe.invoices.list({ collection_method: 'send_invoice', limit: 100 });
    expect(sendInvoice.data).toHaveLength(40);
    const created = Math.floor((START - 100 * MIN) / 1000);
    const gte = await stripe.invoices.list({ created: { gte: created }, limit: 100 });
    expect(gte.data.map((i) => i.id)).toEqual(Array.from({ length: 50 }, (_, k) => `in_0${249 - k}`));
    const window = await stripe.invoices.list({ created: { gt: created, lt: created + 180 } });
    expect(window.data.map((i) => i.id)).toEqual(['in_0202', 'in_0201']);
    const exact = await stripe.invoices.list({ created });
    expect(exact.data.map((i) => i.id)).toEqual(['in_0200']);
  });

  it('refuses bad limits, unknown cursors and unknown filters like Stripe', async () => {
    const emu = await start({ seed: manyInvoices() });
    const stripe = sdk(emu);
    const tooMany = await stripeError(stripe.invoices.list({ limit: 101 }));
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.param).toBe('limit');
    expect((await stripeError(stripe.invoices.list({ limit: 0 }))).message).toBe('This value must be greater than or equal to 1.');
    const cursor = await stripeError(stripe.invoices.list({ starting_after: 'in_nope' }));
    expect(cursor.code).toBe('resource_missing');
    expect(cursor.message).toBe("No such invoice: 'in_nope'");
    const status = await stripeError(stripe.invoices.list({ status: 'late' as never }));
    expect(status.message).toBe('Invalid status: must be one of draft, open, void, paid, or uncollectible');
    const unknown = await stripeError(stripe.invoices.list({ colour: 'red' } as never));
    expect(unknown.message).toBe('Received unknown parameter: colour');
  });
});
