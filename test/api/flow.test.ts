/**
 * The Recovery API end to end on the emulator clock: retries through the `api` connector
 * (off-session PaymentIntents with the attempt's idempotency key), the merchant's retry-status
 * answers (yes / no / no answer), a customer-present charge within the call, a card update, a
 * cancel and a pulse. Stripe's behaviour is the emulator's, held to the SDK's types and Stripe's
 * docs: PaymentIntents with confirm=true and off_session (https://docs.stripe.com/api/payment_intents/create),
 * declines as 402 card_error with the PaymentIntent attached, Checkout Sessions in setup mode
 * (https://docs.stripe.com/payments/save-and-reuse?platform=checkout).
 */
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { DAY } from '../daemon/helpers.js';
import { runCli } from '../helpers/cli.js';
import { failedPayment, retryStatusServer, startApiWorld } from './helpers.js';

describe('Recovery API: retries, retry-status, customer present', () => {
  it('charges on a yes, ends on a no, never charges without an answer', { timeout: 60_000 }, async () => {
    let hangs = 1;
    let failures = 3;
    const rs = await retryStatusServer((q) => {
      if (q.invoiceId === 'inv-no') return { status: 200, body: { retry: false, reason: 'paid by bank transfer' } };
      if (q.invoiceId === 'inv-quiet' && hangs-- > 0) return 'hang';
      if (q.invoiceId === 'inv-5xx' && failures-- > 0) return { status: 503, body: 'down' };
      return { status: 200, body: { retry: true } };
    });
    const w = await startApiWorld({
      onboard: ['--retry-status-url', rs.url, '--allow-local-webhooks', '--control-share', '0'],
    });
    const ids: Record<string, string> = {};
    for (const inv of ['inv-yes', 'inv-no', 'inv-quiet', 'inv-5xx']) {
      const c = await w.customer();
      const a = await w.call('POST', '/v1/recoveries', failedPayment(c, inv), { 'Idempotency-Key': inv });
      expect(a.status, JSON.stringify(a.body)).toBe(202);
      ids[inv] = a.body.id;
    }
    await w.advanceTo(w.clock.now() + 12 * DAY);
    const get = async (inv: string) => (await w.call('GET', `/v1/recoveries/${ids[inv]}`)).body;
    const yes = await get('inv-yes');
    expect(yes.status).toBe('succeeded');
    expect(yes.amountRecovered).toBe(2500);
    const no = await get('inv-no');
    expect(no.status).toBe('canceled');
    expect(no.attempts.filter((a: any) => a.outcome === 'succeeded')).toHaveLength(0);
    const quiet = await get('inv-quiet');
    expect(quiet.status).toBe('succeeded');
    // The signed retry-status call (Standard Webhooks, the result-webhook secret) carried the attempt's facts.
    const call = rs.calls.find((c) => c.body.invoiceId === 'inv-yes')!;
    expect(call.body).toMatchObject({ recoveryId: ids['inv-yes'], amount: 2500, currency: 'usd' });
    const wh = new Webhook(w.signingSecret);
    expect(() => wh.verify(JSON.stringify(call.body), call.headers as Record<string, string>)).not.toThrow();
    // Every charge Stripe made: one per succeeded recovery, none for the no, none while unanswered.
    const charges = w.emu.state().charges.filter((ch: any) => ch.status === 'succeeded');
    expect(charges).toHaveLength(3);
    const unanswered = w.store.counters.get('api_retry_status_unanswered');
    expect(unanswered).toBeGreaterThanOrEqual(4);
    // `recover status` shows the count (issue 16 §3), human and --json.
    const st = await runCli(['--db', w.db, '--stripe-api-base', w.emu.url, '--json', 'status']);
    expect(JSON.parse(st.stdout).retryStatus).toMatchObject({ url: rs.url, unanswered });
    const human = await runCli(['--db', w.db, '--stripe-api-base', w.emu.url, 'status']);
    expect(human.stdout).toMatch(new RegExp(`retry-status check\\s+│ \\S+: ${unanswered} unanswered`));
    const fivexx = await get('inv-5xx');
    expect(fivexx.status).toBe('succeeded');
  });

  it('customer present: charged within the call; a fixable decline answers a card-update link', async () => {
    const w = await startApiWorld({ onboard: ['--control-share', '0'] });
    const ok = await w.customer('pm_card_visa');
    const paid = await w.call('POST', '/v1/recoveries', failedPayment(ok, 'inv-p1', { customerPresent: true }), {
      'Idempotency-Key': 'p1',
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body).toMatchObject({ status: 'succeeded', amountRecovered: 2500, recommendedAction: 'none' });
    // On-session: a 3D Secure card asks the customer to authenticate (off-session it would decline).
    const sca = await w.customer('pm_card_authenticationRequired');
    const auth = await w.call('POST', '/v1/recoveries', failedPayment(sca, 'inv-p0', { customerPresent: true }), {
      'Idempotency-Key': 'p0',
    });
    expect(auth.body.status, JSON.stringify(auth.body)).toBe('needs_customer_action');

    const poor = await w.customer('pm_card_chargeDeclinedInsufficientFunds');
    const declined = await w.call('POST', '/v1/recoveries', failedPayment(poor, 'inv-p2', { customerPresent: true }), {
      'Idempotency-Key': 'p2',
    });
    expect(declined.body.recommendedAction).toBe('request_card_update');
    expect(
      declined.body.cardUpdateUrl,
      w.log
        .text()
        .split('\n')
        .filter((l) => /link|checkout/i.test(l))
        .join('\n'),
    ).toMatch(/^https?:\/\//);
    expect(declined.body.attempts.find((a: any) => a.by === 'recover').declineCode).toBe('insufficient_funds');
    // The same request again: the same answer, no second charge.
    const again = await w.call('POST', '/v1/recoveries', failedPayment(poor, 'inv-p2', { customerPresent: true }), {
      'Idempotency-Key': 'p2',
    });
    expect(again.body).toEqual(declined.body);
    expect(w.emu.state().charges.filter((ch: any) => ch.customer === poor.customer)).toHaveLength(1);

    const thief = await w.customer('pm_card_chargeDeclinedFraudulent');
    const fraud = await w.call('POST', '/v1/recoveries', failedPayment(thief, 'inv-p3', { customerPresent: true }), {
      'Idempotency-Key': 'p3',
    });
    expect(fraud.body.cardUpdateUrl).toBeUndefined();
  });

  it('a new card re-plans the customer at once; cancel ends a recovery; pulses are kept', async () => {
    const w = await startApiWorld({ onboard: ['--control-share', '0'] });
    const c = await w.customer();
    const a = await w.call('POST', '/v1/recoveries', failedPayment(c, 'inv-exp', { declineCode: 'expired_card' }), {
      'Idempotency-Key': 'e1',
    });
    expect(a.body.status).toBe('waiting_card_update');
    expect(a.body.recommendedAction).toBe('request_card_update');
    await w.advanceTo(w.clock.now() + 60_000); // the card arrives a minute after the decline
    const fresh = await w.customer('pm_card_mastercard');
    const u = await w.call('POST', '/v1/payment-method-updates', {
      customerId: `merchant-${c.customer}`,
      token: fresh.token,
    });
    expect(u.status, JSON.stringify(u.body)).toBe(200);
    expect(u.body.replanned).toEqual([a.body.id]);
    const after = (await w.call('GET', `/v1/recoveries/${a.body.id}`)).body;
    expect(after.status).toBe('scheduled');
    expect(after.nextAttempt.at).toBeDefined();

    const b = await w.call('POST', '/v1/recoveries', failedPayment(c, 'inv-cancel'), { 'Idempotency-Key': 'c1' });
    const canceled = await w.call('POST', `/v1/recoveries/${b.body.id}/cancel`, { reason: 'customer left' });
    expect(canceled.body).toMatchObject({ status: 'canceled', reason: 'customer left', nextAttempt: null });
    const twice = await w.call('POST', `/v1/recoveries/${b.body.id}/cancel`, {});
    expect(twice.status).toBe(400);
    expect(w.store.outbox.list({ caseId: Number(b.body.id.slice(4)) }).map((e) => e.type)).toContain(
      'recovery.canceled',
    );

    const p = await w.call('POST', '/v1/pulses', { amount: 1999, currency: 'EUR' });
    expect(p.status).toBe(201);
    expect(p.body).toMatchObject({ object: 'pulse', amount: 1999, currency: 'eur' });
    expect(w.store.apiRecoveries.pulseTotals(0, Date.now() + DAY * 365)).toEqual([
      { currency: 'eur', amount: 1999, count: 1 },
    ]);
  });
});
