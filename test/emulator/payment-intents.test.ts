/**
 * `POST /v1/payment_intents` with confirm=true, through the real SDK. Held to Stripe:
 * - SDK types (node_modules/stripe/esm/resources/PaymentIntents.d.ts, Error.d.ts): PaymentIntentCreateParams
 *   (`allowed_payment_method_types`, `off_session` "can only be used with confirm=true"), PaymentIntent.Status,
 *   StripeCardError (`payment_intent`, `charge`, `decline_code`, `advice_code`, `network_*`).
 * - Stripe support, "Manual confirmation for off-session payments requiring SCA": an off-session PaymentIntent
 *   that fails for authentication has status `requires_payment_method`; on-session it is `requires_action`.
 * - Stripe's "Charging saved cards" guide: a failed off-session attempt answers 402 and leaves the
 *   PaymentIntent `requires_payment_method` (its `last_payment_error` says why).
 * - fixtures3.json `payment_intent`: the object's fields (checked below against the emulator's object).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { oneCustomer, sdk, start, stripeError } from './helpers.js';

const card = (pm = 'pm_test') => ({
  amount: 2000,
  currency: 'usd',
  customer: 'cus_test',
  payment_method: pm,
  confirm: true,
  allowed_payment_method_types: ['card'],
});

const eventTypes = (emu: Awaited<ReturnType<typeof start>>) =>
  emu
    .state()
    .events.filter((e) => /^(payment_intent|charge)\./.test(e.type))
    .map((e) => e.type);

describe('a confirmed PaymentIntent', () => {
  it('succeeds off-session: a succeeded charge, the events, and the idempotency key on the charge', async () => {
    const emu = await start({ seed: oneCustomer({ type: 'succeed' }) });
    const stripe = sdk(emu);
    const pi = await stripe.paymentIntents.create(
      { ...card(), off_session: true, metadata: { recovery: 'rcv_1' }, description: 'Order 42' },
      { idempotencyKey: 'recover:rcv_1:1' },
    );
    expect(pi).toMatchObject({
      object: 'payment_intent',
      status: 'succeeded',
      amount: 2000,
      amount_received: 2000,
      currency: 'usd',
      customer: 'cus_test',
      payment_method: 'pm_test',
      metadata: { recovery: 'rcv_1' },
      description: 'Order 42',
      allowed_payment_method_types: ['card'],
      last_payment_error: null,
      next_action: null,
    });
    expect(pi.latest_charge).toMatch(/^ch_/);
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({
      status: 'succeeded',
      paid: true,
      amount: 2000,
      payment_intent: pi.id,
      description: 'Order 42',
    });
    expect(emu.state().charges).toEqual([
      expect.objectContaining({
        id: charge.id,
        idempotencyKey: 'recover:rcv_1:1',
        source: 'payment_intent',
        invoice: null,
      }),
    ]);
    expect(eventTypes(emu)).toEqual(['payment_intent.created', 'charge.succeeded', 'payment_intent.succeeded']);
    const succeeded = await stripe.events.list({ type: 'payment_intent.succeeded' });
    const obj = succeeded.data[0].data.object as Stripe.PaymentIntent;
    expect(obj).toMatchObject({ id: pi.id, status: 'succeeded', latest_charge: charge.id });
    expect(succeeded.data[0].request).toEqual({
      id: expect.stringMatching(/^req_/),
      idempotency_key: 'recover:rcv_1:1',
    });
  });

  it('a decline is a 402 card_error with the PaymentIntent (requires_payment_method) and the charge', async () => {
    const decline = {
      type: 'decline',
      decline_code: 'insufficient_funds',
      network_advice_code: '24',
      network_decline_code: '51',
    };
    const emu = await start({ seed: oneCustomer(decline) });
    const stripe = sdk(emu);
    const err = await stripeError(
      stripe.paymentIntents.create({ ...card(), off_session: true }, { idempotencyKey: 'k1' }),
    );
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err).toMatchObject({
      statusCode: 402,
      type: 'StripeCardError',
      code: 'card_declined',
      decline_code: 'insufficient_funds',
      advice_code: 'try_again_later',
      network_advice_code: '24',
      network_decline_code: '51',
      message: 'Your card has insufficient funds.',
    });
    expect(err.charge).toMatch(/^ch_/);
    const pi = err.payment_intent!;
    expect(pi).toMatchObject({ status: 'requires_payment_method', latest_charge: err.charge, amount_received: 0 });
    expect(pi.last_payment_error).toMatchObject({
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'insufficient_funds',
      charge: err.charge,
      network_advice_code: '24',
      payment_method: { id: 'pm_test', object: 'payment_method' },
    });
    const charge = await stripe.charges.retrieve(err.charge!);
    expect(charge).toMatchObject({
      status: 'failed',
      failure_code: 'card_declined',
      outcome: { reason: 'insufficient_funds' },
    });
    expect(eventTypes(emu)).toEqual(['payment_intent.created', 'charge.failed', 'payment_intent.payment_failed']);
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('requires_payment_method');
  });

  it('3-D Secure: on-session requires_action (200, no charge); off-session authentication_required', async () => {
    const emu = await start({ seed: oneCustomer({ type: 'requires_action' }) });
    const stripe = sdk(emu);
    const onSession = await stripe.paymentIntents.create(card(), { idempotencyKey: 'on' });
    expect(onSession.status).toBe('requires_action');
    expect(onSession.next_action?.type).toBe('use_stripe_sdk');
    expect(onSession.latest_charge).toBeNull();
    expect(emu.state().charges).toHaveLength(0);
    expect(eventTypes(emu)).toEqual(['payment_intent.created', 'payment_intent.requires_action']);

    const off = await stripeError(
      stripe.paymentIntents.create({ ...card(), off_session: true }, { idempotencyKey: 'off' }),
    );
    expect(off).toMatchObject({
      statusCode: 402,
      code: 'authentication_required',
      decline_code: 'authentication_required',
    });
    expect(off.payment_intent?.status).toBe('requires_payment_method');
    expect(off.payment_intent?.last_payment_error?.code).toBe('authentication_required');
    expect(emu.state().charges.map((c) => c.status)).toEqual(['failed']);
  });

  it('Stripe test ids (pm_card_visa) charge a fresh copy; a card of another customer is refused', async () => {
    const emu = await start({ seed: oneCustomer({ type: 'succeed' }) });
    const stripe = sdk(emu);
    const pi = await stripe.paymentIntents
      .create({ ...card('pm_card_chargeDeclinedExpiredCard'), customer: undefined })
      .catch((e) => e);
    expect(pi).toMatchObject({ statusCode: 402, code: 'expired_card' });
    const other = await stripe.customers.create({ email: 'other@example.com' });
    const err = await stripeError(stripe.paymentIntents.create({ ...card(), customer: other.id }));
    expect(err.statusCode).toBe(400);
    expect(err.param).toBe('payment_method');
    expect(err.message).toContain('belongs to the Customer cus_test');
  });
});

describe('idempotency (same key + same parameters → the same answer)', () => {
  it('replays a success and a decline without charging again; other parameters are an idempotency_error', async () => {
    const emu = await start({
      seed: oneCustomer(
        { type: 'schedule', decline: { decline_code: 'do_not_honor' }, succeed_after: '+1h' },
        { invoices: 0 },
      ),
    });
    const stripe = sdk(emu);
    const first = await stripeError(stripe.paymentIntents.create(card(), { idempotencyKey: 'recover:r:1' }));
    // The card would now succeed: a replay (keys are kept 24 h) must not try it again.
    await emu.advance(2 * 3_600_000);
    const again = await stripeError(stripe.paymentIntents.create(card(), { idempotencyKey: 'recover:r:1' }));
    expect(again.charge).toBe(first.charge);
    expect(again.payment_intent?.id).toBe(first.payment_intent?.id);
    expect(again.headers?.['idempotent-replayed']).toBe('true');
    expect(emu.state().charges).toHaveLength(1);

    const paid = await stripe.paymentIntents.create(card(), { idempotencyKey: 'recover:r:2' });
    const replay = await stripe.paymentIntents.create(card(), { idempotencyKey: 'recover:r:2' });
    expect(replay.id).toBe(paid.id);
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(emu.state().charges.map((c) => c.status)).toEqual(['failed', 'succeeded']);

    const mismatch = await stripeError(
      stripe.paymentIntents.create({ ...card(), amount: 2500 }, { idempotencyKey: 'recover:r:2' }),
    );
    expect(mismatch).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(mismatch.statusCode).toBe(400);
    expect(emu.state().charges).toHaveLength(2);
  });
});

describe('validation, as Stripe answers it', () => {
  it('refuses bad parameters with 400 and changes nothing', async () => {
    const emu = await start({ seed: oneCustomer({ type: 'succeed' }) });
    const stripe = sdk(emu);
    const missing = await stripeError(stripe.paymentIntents.create({ ...card(), customer: 'cus_nope' }));
    expect(missing).toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'customer',
      message: "No such customer: 'cus_nope'",
    });
    const noPm = await stripeError(stripe.paymentIntents.create({ ...card(), payment_method: 'pm_nope' }));
    expect(noPm).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'payment_method' });
    const small = await stripeError(stripe.paymentIntents.create({ ...card(), amount: 30 }));
    expect(small).toMatchObject({ statusCode: 400, code: 'amount_too_small', param: 'amount' });
    const offNoConfirm = await stripeError(
      stripe.paymentIntents.create({ ...card(), confirm: false, off_session: true }),
    );
    expect(offNoConfirm).toMatchObject({ statusCode: 400, param: 'off_session' });
    // Without allowed_payment_method_types the Dashboard's payment methods apply: a confirm needs a return_url.
    const { allowed_payment_method_types: _, ...automatic } = card();
    const noReturn = await stripeError(stripe.paymentIntents.create(automatic));
    expect(noReturn.message).toMatch(/you must provide a `return_url`/);
    const ok = await stripe.paymentIntents.create({
      ...automatic,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    });
    expect(ok.status).toBe('succeeded');
    const unknown = await stripeError(
      stripe.paymentIntents.create({ ...card(), payment_method_types: ['card'] } as never),
    );
    expect(unknown).toMatchObject({ statusCode: 400, code: 'parameter_unknown' });
    expect(emu.state().charges).toHaveLength(1);
  });

  it('needs rak_payment_intent_write', async () => {
    const emu = await start({
      seed: oneCustomer({ type: 'succeed' }),
      keys: { rk_test_readonlypi: ['rak_payment_intent_read', 'rak_customer_read'] },
    });
    const err = await stripeError(sdk(emu, 'rk_test_readonlypi').paymentIntents.create(card()));
    expect(err.statusCode).toBe(403);
    expect(err.message).toContain(
      "Having the 'rak_payment_intent_write' permission would allow this request to continue",
    );
    expect(emu.state().charges).toHaveLength(0);
  });

  it("sends every top-level field of Stripe's example PaymentIntent", async () => {
    const emu = await start({ seed: oneCustomer({ type: 'succeed' }) });
    const pi = await sdk(emu).paymentIntents.create(card());
    const shared = fileURLToPath(new URL('../../../shared/stripe/fixtures3.json', import.meta.url));
    const vendored = fileURLToPath(new URL('./fixtures3-subset.json', import.meta.url));
    let text: string;
    try {
      text = readFileSync(shared, 'utf8');
    } catch {
      text = readFileSync(vendored, 'utf8');
    }
    const example = (JSON.parse(text) as { resources: Record<string, object> }).resources.payment_intent;
    for (const field of Object.keys(example)) expect(pi, field).toHaveProperty(field);
  });
});
