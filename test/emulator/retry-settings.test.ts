/**
 * Smart Retries configured like the Dashboard. Sources:
 * - docs.stripe.com/payments/off-session-payments/smart-retries: "You can set the Smart Retry policy to retry the
 *   payment a specific number of times within a time period: 1 week, 2 weeks, 3 weeks, 1 month, or 2 months. The
 *   recommended default is 8 tries within 2 weeks."
 * - docs.stripe.com/billing/revenue-recovery/smart-retries: "Stripe doesn't retry payments if … the issuer returned
 *   a hard decline code"; when retries are exhausted the subscription is canceled, marked unpaid or left past due,
 *   the invoice marked uncollectible or left past due (the Dashboard's settings).
 * - node_modules/stripe/esm/resources/Invoices.d.ts, Invoice.attempt_count: after a non-retryable code "Retries will
 *   continue to be scheduled, and attempt_count will continue to increment, but retries will only be executed if a
 *   new payment method is obtained."
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_DAYS, resolveRetrySettings, retryDaysFor, type SeedInput } from '../../src/emulator/index.js';
import { DAY, oneCustomer, sdk, start } from './helpers.js';

function withSmartRetries(seed: SeedInput, smart: unknown): SeedInput {
  (seed.account as { smart_retries?: unknown }).smart_retries = smart;
  return seed;
}

describe('Smart Retries settings', () => {
  it('spreads the tries over the window; the default is 8 tries in 2 weeks', () => {
    expect(retryDaysFor(14, 8)).toEqual([...DEFAULT_RETRY_DAYS]);
    expect(resolveRetrySettings(true).retryDays).toEqual([...DEFAULT_RETRY_DAYS]);
    expect(resolveRetrySettings('on').retryDays).toEqual([...DEFAULT_RETRY_DAYS]);
    expect(resolveRetrySettings('on:2w:8').retryDays).toEqual([...DEFAULT_RETRY_DAYS]);
    expect(resolveRetrySettings('off').enabled).toBe(false);
    for (const [window, days] of [['1w', 7], ['3w', 21], ['1m', 30], ['2m', 60], ['30d', 30], [45, 45]] as const) {
      for (const tries of [1, 4, 8, 12]) {
        const r = resolveRetrySettings({ window, tries }).retryDays;
        expect(r, `${window}:${tries}`).toHaveLength(tries - 1);
        expect(r.every((d, i) => d > 0 && d < days && (i === 0 || d >= r[i - 1]))).toBe(true);
        if (tries === 8) expect(r.at(-1)).toBeCloseTo((13 / 14) * days, 1);
      }
    }
    // An explicit retry_schedule_days is kept when no window/tries are given.
    expect(resolveRetrySettings(true, [3, 5, 7]).retryDays).toEqual([3, 5, 7]);
    expect(() => resolveRetrySettings('on:5w:8')).toThrow(/invalid Smart Retries window 5w/);
    expect(() => resolveRetrySettings({ tries: 0 })).toThrow(/invalid Smart Retries tries 0/);
  });

  it('a 30-day window (the demo: equal to recover\'s dunning window) retries over 30 days', async () => {
    const seed = withSmartRetries(oneCustomer({ type: 'decline', decline_code: 'insufficient_funds' }) as SeedInput, undefined);
    const emu = await start({ seed, smartRetries: 'on:30d:8' }); // the option applies to accounts whose seed does not say
    const stripe = sdk(emu);
    await emu.advance(0);
    const t0 = emu.now();
    await emu.advance(20 * DAY);
    expect((await stripe.invoices.retrieve('in_test_0')).attempt_count).toBeLessThan(8);
    await emu.advance(15 * DAY);
    const inv = await stripe.invoices.retrieve('in_test_0');
    expect(inv.attempt_count).toBe(8);
    const last = emu.state().charges.filter((c) => c.invoice === 'in_test_0').at(-1)!; // (the renewal's are later)
    expect(last.created - t0).toBeGreaterThan(27 * DAY);
    expect(last.created - t0).toBeLessThan(30 * DAY);
  });

  it('seed fields per account: window, tries and the end-of-retries actions', async () => {
    const seed = withSmartRetries(oneCustomer({ type: 'decline', decline_code: 'insufficient_funds' }) as SeedInput, {
      window: '1w', tries: 3, subscription_action: 'cancel', invoice_action: 'uncollectible',
    });
    const emu = await start({ seed });
    const stripe = sdk(emu);
    await emu.advance(10 * DAY);
    const inv = await stripe.invoices.retrieve('in_test_0');
    expect(inv).toMatchObject({ attempt_count: 3, status: 'uncollectible', auto_advance: false, next_payment_attempt: null });
    const sub = await stripe.subscriptions.retrieve('sub_test');
    expect(sub.status).toBe('canceled');
    expect(sub.cancellation_details?.reason).toBe('payment_failed');
    const types = (await stripe.events.list({ limit: 100 })).data.map((e) => e.type);
    expect(types).toContain('invoice.marked_uncollectible');
    expect(types).toContain('customer.subscription.deleted');
  });

  it('subscription "unpaid" and invoice left past due', async () => {
    const seed = withSmartRetries(oneCustomer({ type: 'decline', decline_code: 'insufficient_funds' }) as SeedInput, {
      window: '1w', tries: 2, subscription_action: 'unpaid', invoice_action: 'past_due',
    });
    const emu = await start({ seed });
    await emu.advance(10 * DAY);
    const stripe = sdk(emu);
    expect(await stripe.invoices.retrieve('in_test_0')).toMatchObject({ status: 'open', attempt_count: 2, next_payment_attempt: null });
    expect((await stripe.subscriptions.retrieve('sub_test')).status).toBe('unpaid');
  });

  it('a bad seed setting is a seed error naming it', async () => {
    const seed = withSmartRetries(oneCustomer({ type: 'succeed' }) as SeedInput, 'on:9w:8');
    await expect(start({ seed })).rejects.toThrow(/smart_retries.*invalid Smart Retries window 9w/s);
  });
});

describe('Smart Retries after a hard decline', () => {
  it('keeps scheduling and counting but charges only once a new payment method is there', async () => {
    const emu = await start({ seed: oneCustomer({ type: 'decline', decline_code: 'lost_card' }) });
    const stripe = sdk(emu);
    await emu.advance(0); // Stripe's first attempt: lost_card
    await emu.advance(3 * DAY); // retries on days 1 and 2 are due
    let inv = await stripe.invoices.retrieve('in_test_0');
    expect(inv.attempt_count).toBe(3);
    expect(inv.next_payment_attempt).not.toBeNull();
    expect(emu.state().charges.filter((c) => c.invoice === 'in_test_0')).toHaveLength(1);
    // The customer adds a working card and makes it the default: the next slot charges it.
    const added = await fetch(`${emu.url}/_emulator/payment_methods`, {
      method: 'POST', body: JSON.stringify({ customer: 'cus_test', brand: 'visa', behaviour: { type: 'succeed' }, set_default: true }),
    });
    expect(added.status).toBe(200);
    await emu.advance(2 * DAY);
    inv = await stripe.invoices.retrieve('in_test_0');
    expect(inv.status).toBe('paid');
    const charges = emu.state().charges.filter((c) => c.invoice === 'in_test_0');
    expect(charges.map((c) => [c.source, c.status])).toEqual([['first_attempt', 'failed'], ['smart_retry', 'succeeded']]);
  });
});
