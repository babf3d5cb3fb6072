/**
 * Renewals on the emulator clock. Sources: node_modules/stripe/esm/resources/Invoices.d.ts (Invoice.attempted: "An
 * invoice is not attempted until 1 hour after the `invoice.created` webhook"; billing_reason `subscription_cycle`;
 * parent.subscription_details), SubscriptionItems.d.ts (current_period_start/end live on the items in this API
 * version), and Stripe's subscription lifecycle docs (docs.stripe.com/billing/subscriptions/overview: a draft invoice
 * at renewal, finalized about an hour later, then the payment attempt; failing payments make it past_due).
 */
import { describe, expect, it } from 'vitest';
import { DAY, oneCustomer, sdk, start } from './helpers.js';

const HOUR = 3_600_000;

describe('subscription renewals', () => {
  it('roll the period over, draft → finalized an hour later → first attempt, with Stripe\'s events', async () => {
    const emu = await start({ seed: oneCustomer({ type: 'decline', decline_code: 'insufficient_funds' }, { smartRetries: false }) });
    const stripe = sdk(emu);
    const before = await stripe.subscriptions.retrieve('sub_test');
    const end = before.items.data[0].current_period_end;
    await emu.setTime(end * 1000 + 30 * 60_000); // half an hour into the new period
    const sub = await stripe.subscriptions.retrieve('sub_test');
    expect(sub.items.data[0].current_period_start).toBe(end);
    expect(sub.items.data[0].current_period_end - end).toBeGreaterThanOrEqual(28 * 86_400);
    const draft = await stripe.invoices.retrieve(sub.latest_invoice as string);
    expect(draft).toMatchObject({
      status: 'draft', billing_reason: 'subscription_cycle', amount_due: 2000, attempt_count: 0, created: end, auto_advance: true,
      parent: { type: 'subscription_details', subscription_details: { subscription: 'sub_test' } },
    });
    expect(draft.period_end).toBe(end);
    await emu.advance(HOUR);
    const failed = await stripe.invoices.retrieve(draft.id);
    expect(failed).toMatchObject({ status: 'open', attempt_count: 1, attempted: true });
    expect(failed.status_transitions.finalized_at).toBe(end + 3600);
    expect(failed.number).toMatch(/-\d{4}$/);
    const types = (await stripe.events.list({ limit: 100, created: { gte: end } })).data
      .filter((e) => ['invoice', 'charge', 'payment_intent'].includes((e.data.object as { object: string }).object) || e.type.startsWith('customer.subscription'))
      .map((e) => e.type)
      .reverse();
    expect(types.slice(0, 3)).toEqual(['customer.subscription.updated', 'invoice.created', 'invoice.updated']);
    expect(types).toContain('invoice.finalized');
    expect(types.indexOf('invoice.finalized')).toBeLessThan(types.indexOf('charge.failed'));
    expect(types.indexOf('charge.failed')).toBeLessThan(types.indexOf('invoice.payment_failed'));
    expect((await stripe.subscriptions.retrieve('sub_test')).status).toBe('past_due');
    expect((await stripe.invoices.list({ subscription: 'sub_test', limit: 100 })).data.filter((i) => i.billing_reason === 'subscription_cycle').length).toBeGreaterThanOrEqual(2);
  });

  it('a working card pays the renewal; canceled and ending subscriptions do not renew', async () => {
    const emu = await start({ seed: oneCustomer({ type: 'succeed' }, { invoices: 0 }) });
    const stripe = sdk(emu);
    const end = (await stripe.subscriptions.retrieve('sub_test')).items.data[0].current_period_end;
    await emu.setTime(end * 1000 + 2 * HOUR);
    const renewal = (await stripe.invoices.list({ subscription: 'sub_test' })).data[0];
    expect(renewal).toMatchObject({ status: 'paid', billing_reason: 'subscription_cycle', attempt_count: 1, auto_advance: false });
    expect((await stripe.subscriptions.retrieve('sub_test')).status).toBe('active');
    await stripe.subscriptions.update('sub_test', { cancel_at_period_end: true });
    const next = (await stripe.subscriptions.retrieve('sub_test')).items.data[0].current_period_end;
    await emu.setTime(next * 1000 + 2 * HOUR);
    expect((await stripe.subscriptions.retrieve('sub_test')).status).toBe('canceled');
    expect((await stripe.invoices.list({ subscription: 'sub_test' })).data).toHaveLength(1);
  });

  it('yearly subscriptions renew a year later', async () => {
    const seed = oneCustomer({ type: 'succeed' }, { invoices: 0 }) as { account: { customers: Array<{ subscriptions: Array<Record<string, unknown>> }> } };
    seed.account.customers[0].subscriptions[0].interval = 'year';
    const emu = await start({ seed: seed as never });
    const stripe = sdk(emu);
    const item = (await stripe.subscriptions.retrieve('sub_test')).items.data[0];
    expect(item.price.recurring?.interval).toBe('year');
    expect(item.current_period_end - item.current_period_start).toBeGreaterThanOrEqual(365 * 86_400);
    await emu.advance(200 * DAY);
    const later = (await stripe.invoices.list({ subscription: 'sub_test' })).data;
    expect(later.length).toBe(item.current_period_end * 1000 <= emu.now() ? 1 : 0);
  });
});
