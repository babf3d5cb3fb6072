/**
 * A completed card-update link is a new payment method (issue 16 §2, §4): recover records every
 * Checkout setup session it creates and the daemon polls the open ones with
 * `checkout.sessions.retrieve` (the least-privilege API key, LEAST_API_KEY) until Stripe says
 * `complete` or `expired`; a completion re-plans the customer's open cases at once and records
 * `card.updated`, once per session, whether the poll or a `checkout.session.completed` webhook
 * sees it first.
 *
 * The emulator's session is held to Stripe: Checkout.Session in the SDK's types
 * (node_modules/stripe/esm/resources/Checkout/Sessions.d.ts): `status` "one of `open`, `complete`,
 * or `expired`"; `setup_intent` "The ID of the SetupIntent for Checkout Sessions in `setup` mode";
 * `expires_at` "The timestamp at which the Checkout Session will expire" (30 min to 24 h after
 * creation); `url` only while open. The fixture /work/shared/stripe/fixtures3.json `checkout.session`
 * is an open session with `setup_intent: null`. Completing the hosted page
 * (`POST /_emulator/checkout/:id/complete`) follows Stripe's "save and reuse" guide
 * (https://docs.stripe.com/payments/save-and-reuse?platform=checkout): the SetupIntent's
 * `payment_method` is attached to the session's customer.
 */
import { describe, expect, it } from 'vitest';
import type { SeedInput } from '../../src/emulator/index.js';
import { stripeApi } from '../daemon/helpers.js';
import { startMerchantServer } from '../helpers/merchant-server.js';
import { sendResultsTo, verifyReceived } from '../outbox/helpers.js';
import { failedPayment, startApiWorld } from './helpers.js';

const MIN = 60_000;

async function declinedWithLink(w: Awaited<ReturnType<typeof startApiWorld>>, inv: string) {
  const poor = await w.customer('pm_card_chargeDeclinedInsufficientFunds');
  const r = await w.call('POST', '/v1/recoveries', failedPayment(poor, inv, { customerPresent: true }), {
    'Idempotency-Key': inv,
  });
  expect(r.body.cardUpdateUrl, JSON.stringify(r.body)).toMatch(/\/_emulator\/checkout\/cs_test_/);
  const sessionId = /\/checkout\/(cs_test_\w+)/.exec(r.body.cardUpdateUrl)![1]!;
  return { poor, recovery: r.body, sessionId, caseId: Number(r.body.id.slice(4)) };
}

const cardNotes = (w: Awaited<ReturnType<typeof startApiWorld>>, caseId: number) =>
  w.store.decisions.listForCase(caseId).filter((d) => d.kind === 'card_update');

describe('card-update links (Checkout setup sessions) are polled', () => {
  it('a completed session re-plans the case at once and the new card is charged', async () => {
    const w = await startApiWorld({ onboard: ['--control-share', '0'] });
    const { sessionId, caseId, recovery, poor } = await declinedWithLink(w, 'inv-link');
    const row = w.store.setupSessions.get(sessionId)!;
    expect(row).toMatchObject({ status: 'open', accountId: 'self', purpose: 'declined' });
    expect(row.caseIds).toEqual([caseId]);
    expect(row.customer).toBe(poor.customer);
    // Stripe's expires_at (seconds) is the one hour asked for (CARD_UPDATE_TTL_SEC).
    const cs = await stripeApi(w, 'GET', `/v1/checkout/sessions/${sessionId}`);
    expect(cs).toMatchObject({ mode: 'setup', status: 'open', setup_intent: null });
    expect(row.expiresAt).toBe((cs.expires_at as number) * 1000);
    const before = (await w.call('GET', `/v1/recoveries/${recovery.id}`)).body;
    const plannedAt = Date.parse(before.nextAttempt.at);

    await w.advanceTo(w.clock.now() + 5 * MIN);
    expect(w.store.setupSessions.get(sessionId)!.polls).toBeGreaterThanOrEqual(2); // still open: polled each minute
    const done = w.emu.completeCheckout(sessionId, 'pm_card_mastercard');
    const newPm = done.payment_method.id as string;
    await w.advanceTo(w.clock.now() + 3 * MIN); // the next poll (within 2 min) sees it
    expect(w.store.setupSessions.get(sessionId)).toMatchObject({ status: 'complete', paymentMethod: newPm });
    const after = (await w.call('GET', `/v1/recoveries/${recovery.id}`)).body;
    expect(cardNotes(w, caseId)).toHaveLength(1);
    expect(Date.parse(after.nextAttempt.at)).toBeLessThan(plannedAt); // a prompt retry, not the old plan
    const updated = w.store.outbox.list({ caseId, type: 'card.updated' });
    expect(updated.map((e) => (e.payload as any).data.paymentMethodId)).toEqual([newPm]);

    await w.advanceTo(w.clock.now() + 2 * 24 * 60 * MIN);
    const paid = (await w.call('GET', `/v1/recoveries/${recovery.id}`)).body;
    expect(paid.status).toBe('succeeded');
    const charges = w.emu.state().charges.filter((c: any) => c.status === 'succeeded');
    expect(charges.map((c: any) => c.payment_method)).toEqual([newPm]);
    expect(cardNotes(w, caseId)).toHaveLength(1); // later polls changed nothing
  });

  it('links made within the same minute are each polled (one poll job per minute, at its end)', async () => {
    const w = await startApiWorld({ onboard: ['--control-share', '0'] });
    const a = await declinedWithLink(w, 'inv-m1');
    await w.advanceTo(w.clock.now() + 10_000);
    const b = await declinedWithLink(w, 'inv-m2');
    w.emu.completeCheckout(b.sessionId, 'pm_card_mastercard');
    await w.advanceTo(w.clock.now() + 3 * MIN);
    expect(w.store.setupSessions.get(b.sessionId)!.status).toBe('complete');
    expect(w.store.setupSessions.get(a.sessionId)).toMatchObject({ status: 'open' });
    expect(w.store.setupSessions.get(a.sessionId)!.polls).toBeGreaterThanOrEqual(1);
  });

  it('an abandoned session is marked expired when Stripe says so, and polled no more', async () => {
    const w = await startApiWorld({ onboard: ['--control-share', '0'] });
    const { sessionId, caseId } = await declinedWithLink(w, 'inv-gone');
    await w.advanceTo(w.clock.now() + 2 * 60 * MIN);
    const row = w.store.setupSessions.get(sessionId)!;
    expect(row.status).toBe('expired');
    const polls = row.polls;
    await w.advanceTo(w.clock.now() + 60 * MIN);
    expect(w.store.setupSessions.get(sessionId)!.polls).toBe(polls);
    expect(w.store.setupSessions.nextPollAt()).toBeNull();
    expect(cardNotes(w, caseId)).toHaveLength(0);
  });

  it('checkout.session.completed through a Stripe webhook applies the card at once, once', async () => {
    const w = await startApiWorld({ onboard: ['--control-share', '0'] });
    const { sessionId, caseId } = await declinedWithLink(w, 'inv-hook');
    const done = w.emu.completeCheckout(sessionId, 'pm_card_mastercard');
    const evt = w.emu.state().events.find((e) => e.type === 'checkout.session.completed' && e.objectId === sessionId)!;
    const raw = await stripeApi(w, 'GET', `/v1/events/${evt.id}`);
    // As the webhook receiver stores it (the Billing path's endpoint); the clock has not moved.
    const ev = { id: evt.id, type: evt.type, objectId: sessionId, created: evt.created, raw: JSON.stringify(raw) };
    w.store.events.insertIfNew(ev);
    await w.quiesce();
    expect(w.store.events.get(evt.id)!.processedAt).not.toBeNull();
    expect(w.store.setupSessions.get(sessionId)).toMatchObject({
      status: 'complete',
      paymentMethod: done.payment_method.id,
    });
    expect(cardNotes(w, caseId)).toHaveLength(1);
    // Again (a redelivery under another id) and the poll's own turn: nothing more.
    w.store.events.insertIfNew({ ...ev, id: `${evt.id}_again` });
    await w.advanceTo(w.clock.now() + 5 * MIN);
    expect(cardNotes(w, caseId)).toHaveLength(1);
    expect(w.store.outbox.list({ caseId, type: 'card.updated' })).toHaveLength(1);
  });
});

describe('card.expiring_soon for an API card carries a card-update link', () => {
  it('a link made with the API key; completing it re-plans the recovery onto the new card', async () => {
    const server = await startMerchantServer();
    try {
      // Valid through December 2026 (PaymentMethods.d.ts card.exp_month/exp_year): inside the 30 days now.
      const seed = {
        account: {
          customers: [
            {
              id: 'cus_exp',
              payment_methods: [
                {
                  id: 'pm_exp',
                  brand: 'visa',
                  exp_month: 12,
                  exp_year: 2026,
                  behaviour: { type: 'decline', decline_code: 'insufficient_funds' },
                },
              ],
            },
          ],
        },
      } as SeedInput;
      const w = await startApiWorld({ seed, onboard: ['--control-share', '0'] });
      const secret = sendResultsTo(w.store, server);
      const a = await w.call(
        'POST',
        '/v1/recoveries',
        failedPayment({ customer: 'cus_exp', token: 'pm_exp' }, 'inv-x'),
        {
          'Idempotency-Key': 'x1',
        },
      );
      expect(a.status, JSON.stringify(a.body)).toBe(202);
      await w.advanceTo(Date.parse(new Date(w.clock.now() + 24 * 60 * MIN).toISOString().slice(0, 10)) + 60 * MIN);
      const expiring = server.received
        .map((r) => verifyReceived(secret, r))
        .filter((e) => e.type === 'card.expiring_soon');
      expect(expiring).toHaveLength(1);
      expect(expiring[0]!.data).toMatchObject({ platform: 'api', paymentMethodId: 'pm_exp', recoveryId: a.body.id });
      const url = expiring[0]!.data.cardUpdateUrl as string;
      expect(url).toMatch(/\/_emulator\/checkout\/cs_test_/);
      const sessionId = /\/checkout\/(cs_test_\w+)/.exec(url)![1]!;
      const row = w.store.setupSessions.get(sessionId)!;
      expect(row).toMatchObject({ status: 'open', purpose: 'expiring', customer: 'cus_exp', accountId: 'self' });
      // Stripe's longest session, 24 h (Sessions.d.ts expires_at), for a link sent by email.
      expect(Math.abs(row.expiresAt - row.createdAt - 24 * 60 * MIN)).toBeLessThan(1000); // Stripe: whole seconds
      const newPm = w.emu.completeCheckout(sessionId, 'pm_card_mastercard').payment_method.id as string;
      await w.advanceTo(w.clock.now() + 20 * MIN); // past the first hour: polled every 15 minutes
      expect(w.store.setupSessions.get(sessionId)!.status).toBe('complete');
      const caseId = Number(a.body.id.slice(4));
      expect(w.store.apiRecoveries.get(caseId)!.paymentMethod).toBe(newPm);
      await w.advanceTo(w.clock.now() + 3 * 24 * 60 * MIN);
      expect((await w.call('GET', `/v1/recoveries/${a.body.id}`)).body.status).toBe('succeeded');
      const paid = w.emu.state().charges.filter((c: any) => c.status === 'succeeded');
      expect(paid.map((c: any) => c.payment_method)).toEqual([newPm]);
    } finally {
      await server.close();
    }
  });
});
