import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_DAYS } from '../../src/emulator/index.js';
import { DAY, oneCustomer, sdk, smallMerchant, start } from './helpers.js';

describe('Smart Retries', () => {
  it('retries open failed invoices by itself as the clock passes next_payment_attempt', async () => {
    const emu = await start({ seed: oneCustomer({ type: 'schedule', decline: { decline_code: 'insufficient_funds' }, succeed_after: '+5d' }) });
    const stripe = sdk(emu);
    // Stripe's own first attempt, one hour after the invoice was created.
    await emu.advance(0);
    let inv = await stripe.invoices.retrieve('in_test_0');
    expect(inv).toMatchObject({ attempt_count: 1, status: 'open', auto_advance: true });
    const firstFailure = emu.now();
    expect(inv.next_payment_attempt).toBe(Math.floor((firstFailure + DEFAULT_RETRY_DAYS[0] * DAY) / 1000));
    await emu.advance(DAY);
    inv = await stripe.invoices.retrieve('in_test_0');
    expect(inv.attempt_count).toBe(2);
    expect(inv.next_payment_attempt).toBe(Math.floor((firstFailure + DEFAULT_RETRY_DAYS[1] * DAY) / 1000));
    await emu.advance(10 * DAY);
    inv = await stripe.invoices.retrieve('in_test_0');
    expect(inv.status).toBe('paid');
    expect(inv.attempt_count).toBe(5); // days 0, 1, 2, 4 declined; day 6 (after +5d) paid
    // (The subscription renewed meanwhile: its new invoice's charges are not this invoice's.)
    const charges = emu.state().charges.filter((c) => c.invoice === 'in_test_0');
    expect(charges.map((c) => c.source)).toEqual(['first_attempt', 'smart_retry', 'smart_retry', 'smart_retry', 'smart_retry']);
    expect(charges.every((c) => c.idempotencyKey === null)).toBe(true);
    const ofThis = (e: { data: { object: unknown } }) => (e.data.object as { id: string }).id === 'in_test_0';
    const failed = (await stripe.events.list({ type: 'invoice.payment_failed', limit: 100 })).data.filter(ofThis);
    expect(failed.length).toBe(4);
    expect(failed.every((e) => e.request?.id === null)).toBe(true);
    expect((await stripe.events.list({ type: 'invoice.paid' })).data.filter(ofThis)).toHaveLength(1);
  });

  it('gives up after the schedule: 8 tries within two weeks', async () => {
    const emu = await start({ seed: oneCustomer({ type: 'decline', decline_code: 'do_not_honor' }) });
    await emu.advance(30 * DAY);
    const inv = await sdk(emu).invoices.retrieve('in_test_0');
    expect(inv.attempt_count).toBe(1 + DEFAULT_RETRY_DAYS.length);
    expect(inv.status).toBe('open');
    expect(inv.next_payment_attempt).toBeNull();
  });

  it('auto_advance=false: next_payment_attempt null and never retried', async () => {
    const emu = await start({ seed: smallMerchant() });
    const stripe = sdk(emu);
    const before = await stripe.invoices.retrieve('in_ada_open');
    expect(before.next_payment_attempt).not.toBeNull();
    const paused = await stripe.invoices.update('in_ada_open', { auto_advance: false, metadata: { recover_managed: 'true' } });
    expect(paused.next_payment_attempt).toBeNull();
    expect(paused.auto_advance).toBe(false);
    const updated = (await stripe.events.list({ type: 'invoice.updated', limit: 1 })).data[0];
    expect(updated.data.previous_attributes).toMatchObject({ auto_advance: true, next_payment_attempt: before.next_payment_attempt });
    const linus = await stripe.invoices.retrieve('in_linus_open');
    expect(linus.next_payment_attempt).toBeNull();

    await emu.advance(20 * DAY);
    expect((await stripe.invoices.retrieve('in_ada_open')).attempt_count).toBe(before.attempt_count);
    expect((await stripe.invoices.retrieve('in_linus_open')).attempt_count).toBe(1);
    // Invoices left to Stripe kept being retried meanwhile.
    expect((await stripe.invoices.retrieve('in_dennis_oneoff')).attempt_count).toBeGreaterThan(2);
    const retried = emu.state().charges.filter((c) => c.source === 'smart_retry').map((c) => c.invoice);
    expect(retried).not.toContain('in_ada_open');
    expect(retried).not.toContain('in_linus_open');

    // Turning auto_advance back on schedules the next slot again (if any is left).
    const resumed = await stripe.invoices.update('in_grace_open', { auto_advance: true });
    expect(resumed.auto_advance).toBe(true);
  });

  it('an account with Smart Retries off never retries (first attempts still happen)', async () => {
    const emu = await start({ seed: oneCustomer({ type: 'decline', decline_code: 'insufficient_funds' }, { smartRetries: false }) });
    await emu.advance(0);
    const stripe = sdk(emu);
    let inv = await stripe.invoices.retrieve('in_test_0');
    expect(inv.attempt_count).toBe(1);
    expect(inv.next_payment_attempt).toBeNull();
    await emu.advance(15 * DAY);
    inv = await stripe.invoices.retrieve('in_test_0');
    expect(inv.attempt_count).toBe(1);
    const connected = await stripe.invoices.retrieve('in_frances_open', {}, { stripeAccount: 'acct_1SmallConnect00001' }).catch(() => null);
    expect(connected).toBeNull(); // not in this seed
  });

  it('the seeded connected account with Smart Retries off has no next attempts', async () => {
    const emu = await start({ seed: smallMerchant() });
    const inv = await sdk(emu).invoices.retrieve('in_frances_open', {}, { stripeAccount: 'acct_1SmallConnect00001' });
    expect(inv).toMatchObject({ status: 'open', attempt_count: 1, next_payment_attempt: null });
  });

  it('setTime and the HTTP clock endpoint move the clock', async () => {
    const emu = await start({ seed: oneCustomer({ type: 'decline', decline_code: 'insufficient_funds' }) });
    const t0 = emu.now();
    await emu.setTime(t0 + DAY + 1);
    expect(emu.now()).toBe(t0 + DAY + 1);
    expect(emu.state().invoices[0].attempt_count).toBe(2);
    const res = await fetch(`${emu.url}/_emulator/clock`, { method: 'POST', body: JSON.stringify({ advance_ms: DAY }) });
    expect(await res.json()).toMatchObject({ now_ms: t0 + 2 * DAY + 1 });
    expect(emu.state().invoices[0].attempt_count).toBe(3);
    const set = await fetch(`${emu.url}/_emulator/clock`, { method: 'POST', body: JSON.stringify({ set_ms: t0 }) });
    expect(((await set.json()) as { now_ms: number }).now_ms).toBe(t0);
    const bad = await fetch(`${emu.url}/_emulator/clock`, { method: 'POST', body: JSON.stringify({ advance_ms: -1 }) });
    expect(bad.status).toBe(400);
  });
});
