/**
 * card.expiring_soon: a daily scan of the cards of subscription cases, on the emulator's clock.
 * Stripe sends no event for this (PaymentMethod events: attached, detached, updated,
 * automatically_updated — https://docs.stripe.com/api/events/types), hence the scan; a card is
 * valid through the last day of its expiry month (`card.exp_month`/`exp_year`, stripe
 * types PaymentMethods.d.ts), so the notice goes 30 days before that month ends.
 */
import { describe, expect, it } from 'vitest';
import type { SeedInput } from '../../src/emulator/index.js';
import { DAY, HOUR, startWorld } from '../daemon/helpers.js';
import { startMerchantServer } from '../helpers/merchant-server.js';
import { onboardApi } from '../api/helpers.js';
import { sendResultsTo, verifyReceived } from './helpers.js';

const START = Date.UTC(2026, 2, 2, 9); // 2 March 2026

function customer(tag: string, exp: { exp_month: number; exp_year: number }) {
  return {
    id: `cus_${tag}`,
    timezone: 'Europe/London',
    country: 'GB',
    payment_methods: [
      { id: `pm_${tag}`, brand: 'visa', ...exp, behaviour: { type: 'decline', decline_code: 'insufficient_funds' } },
    ],
    subscriptions: [{ id: `sub_${tag}`, price: 4200, invoices: [{ id: `in_${tag}`, amount: 4200, created: '+10m' }] }],
  };
}

describe('card.expiring_soon', () => {
  it('is sent once per card and expiry, 30 days before the expiry month ends', async () => {
    const server = await startMerchantServer();
    const seed = {
      start: new Date(START).toISOString(),
      account: {
        customers: [
          customer('mar', { exp_month: 3, exp_year: 2026 }), // valid to 31 March: inside the 30 days now
          customer('apr', { exp_month: 4, exp_year: 2026 }), // valid to 30 April: notice from 1 April
          customer('far', { exp_month: 12, exp_year: 2030 }),
        ],
      },
    } as SeedInput;
    const w = await startWorld({ seed, onboard: ['--control-share', '0', '--dunning-days', '4'] });
    try {
      const secret = sendResultsTo(w.store, server);
      await w.advance(2 * HOUR);
      // Today's scan ran before the invoices failed; tomorrow's (00:00 UTC) sees their cards.
      await w.advanceTo(Date.UTC(2026, 2, 3, 1));
      const expiring = () =>
        server.received.map((r) => verifyReceived(secret, r)).filter((e) => e.type === 'card.expiring_soon');
      expect(expiring().map((e) => e.data.customerId)).toEqual(['cus_mar']);
      expect(expiring()[0].data).toMatchObject({
        paymentMethodId: 'pm_mar',
        expMonth: 3,
        expYear: 2026,
        expiresAt: '2026-04-01T00:00:00.000Z',
        brand: 'visa',
        platform: 'stripe',
        cardUpdateUrl: null,
      });
      expect(expiring()[0].data.recoveryId).toMatch(/^rcv_\d+$/);

      await w.advanceTo(Date.UTC(2026, 3, 3, 12), 12 * HOUR); // 3 April: daily scans all along
      expect(expiring().map((e) => e.data.customerId)).toEqual(['cus_mar', 'cus_apr']);
      const scans = w.log.lines().filter((l) => l.kind === 'card_expiry_scan' && l.msg === 'job card_expiry_scan');
      expect(scans.length).toBeGreaterThanOrEqual(30); // one a day
      // The far card is not read from Stripe every day: its expiry is kept and read again after 30 days.
      const kept = JSON.parse(w.store.meta.get('card_expiry:pm_far')!) as { readAt: number; expYear: number };
      expect(kept.expYear).toBe(2030);
      const readDay = Math.floor((kept.readAt - START) / DAY);
      expect(readDay === 0 || readDay >= 30, `read again on day ${readDay}`).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('a Stripe Billing card gets a link when a Recovery API key is onboarded for the same account', async () => {
    const server = await startMerchantServer();
    const seed = {
      start: new Date(START).toISOString(),
      account: { customers: [customer('mar', { exp_month: 3, exp_year: 2026 })] },
    } as SeedInput;
    const w = await startWorld({ seed, onboard: ['--control-share', '0', '--dunning-days', '20'] });
    try {
      // The Billing key holds no Checkout Sessions write; the API key (same Stripe account) does.
      await onboardApi(w.emu.url, w.db, ['--card-update-return-url', 'https://shop.example.com/card-updated']);
      const secret = sendResultsTo(w.store, server);
      await w.advance(2 * HOUR);
      await w.advanceTo(Date.UTC(2026, 2, 3, 1));
      const [e] = server.received.map((r) => verifyReceived(secret, r)).filter((x) => x.type === 'card.expiring_soon');
      expect(e?.data).toMatchObject({ customerId: 'cus_mar', platform: 'stripe' });
      const sessionId = /\/checkout\/(cs_test_\w+)/.exec(e!.data.cardUpdateUrl)![1]!;
      const row = w.store.setupSessions.get(sessionId)!;
      const c = w.store.cases.getByInvoice('in_mar')!;
      expect(row).toMatchObject({ customer: 'cus_mar', accountId: c.accountId, purpose: 'expiring', caseIds: [c.id] });
      // Completing it attaches the card (payment_method.attached reaches the Billing webhook) and the
      // poll sees the session complete: the case takes the new card once.
      const pm = w.emu.completeCheckout(sessionId, 'pm_card_mastercard').payment_method.id as string;
      await w.advance(30 * 60_000);
      expect(w.store.setupSessions.get(sessionId)).toMatchObject({ status: 'complete', paymentMethod: pm });
      expect(w.store.cases.get(c.id)!.paymentMethodId).toBe(pm);
      const notes = w.store.decisions.listForCase(c.id).filter((d) => d.kind === 'card_update');
      expect(notes).toHaveLength(1);
      expect(w.store.outbox.list({ caseId: c.id, type: 'card.updated' })).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
