/**
 * The Recovery API's gateway calls (issue 16 §1) with its least-privilege key LEAST_API_KEY (exactly
 * requiredPermissions('api')), against the emulator over HTTP with the real SDK: paymentIntents.create
 * (a decline returned, not thrown), checkoutSessions.createSetup/retrieve, setupIntents.retrieve, the
 * onboarding probe, and a missing permission failing with Stripe's 403. The emulator's behaviour is held
 * to Stripe in test/emulator/payment-intents.test.ts and checkout.test.ts (sources cited there).
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GENERATED_API_KEY, generateMerchant, type Behaviour, type Emulator } from '../../src/emulator/index.js';
import { CardDeclined, PermissionMissing, probePermissions, type StripeGateway } from '../../src/stripe/index.js';
import { requiredPermissions } from '../../src/stripe/permissions.js';
import { LEAST_API_KEY, LEAST_KEY, emulator } from '../helpers/env.js';
import { gatewayFor, rejection } from './helpers.js';

const NO_CHECKOUT = 'rk_test_apiNoCheckout5555';

const customer = (name: string, behaviour: Behaviour) => ({
  id: `cus_${name}`,
  email: `${name}@example.com`,
  payment_methods: [{ id: `pm_${name}`, behaviour }],
});

async function start(): Promise<{ emu: Emulator; gw: StripeGateway }> {
  const emu = await emulator({
    seed: {
      account: {
        id: 'acct_1ApiMerchant',
        customers: [
          customer('ok', { type: 'succeed' }),
          customer('mc24', {
            type: 'decline',
            decline_code: 'do_not_honor',
            network_advice_code: '24',
            network_decline_code: '05',
          }),
          customer('tds', { type: 'requires_action' }),
        ],
      },
    },
    keys: { [NO_CHECKOUT]: requiredPermissions('api').filter((p) => p !== 'rak_checkout_session_write') },
  });
  return { emu, gw: gatewayFor(emu, { primaryKey: LEAST_API_KEY }).gw };
}

const charge = (cus: string, offSession: boolean, idempotencyKey: string) => ({
  amount: 2500,
  currency: 'usd',
  customer: `cus_${cus}`,
  paymentMethod: `pm_${cus}`,
  offSession,
  idempotencyKey,
  metadata: { recovery: `rcv_${cus}` },
});

function expectNoApiKey(value: unknown): void {
  for (const text of [inspect(value, { depth: 10, showHidden: true }), JSON.stringify(value) ?? '', String(value)]) {
    expect(text).not.toContain(LEAST_API_KEY);
  }
}

describe('paymentIntents.create with the API key', () => {
  it('charges off-session: ok with the PaymentIntent and its charge, once per idempotency key', async () => {
    const { emu, gw } = await start();
    const r = await gw.paymentIntents.create(charge('ok', true, 'recover:rcv_ok:1'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.paymentIntent).toMatchObject({ status: 'succeeded', amount: 2500, metadata: { recovery: 'rcv_ok' } });
    expect(r.paymentIntent.allowed_payment_method_types).toEqual(['card']);
    expect(r.chargeId).toBe(r.paymentIntent.latest_charge);
    const again = await gw.paymentIntents.create(charge('ok', true, 'recover:rcv_ok:1'));
    expect(again.ok && again.paymentIntent.id).toBe(r.paymentIntent.id);
    expect(emu.state().charges.filter((c) => c.idempotencyKey === 'recover:rcv_ok:1')).toHaveLength(1);
  });

  it('returns a decline with the PaymentIntent, charge and every code', async () => {
    const { gw } = await start();
    const r = await gw.paymentIntents.create(charge('mc24', true, 'recover:rcv_mc24:1'));
    expect(r.ok).toBe(false);
    if (r.ok || !('decline' in r)) throw new Error('expected a decline');
    expect(r.decline).toBeInstanceOf(CardDeclined);
    expect(r.decline).toMatchObject({
      statusCode: 402,
      code: 'card_declined',
      declineCode: 'do_not_honor',
      adviceCode: 'try_again_later',
      networkAdviceCode: '24',
      networkDeclineCode: '05',
      paymentIntentStatus: 'requires_payment_method',
      paymentMethodId: 'pm_mc24',
    });
    expect(r.decline.paymentIntentId).toMatch(/^pi_/);
    expect(r.decline.chargeId).toMatch(/^ch_/);
    expect(r.decline.requiresAction).toBe(false);
    expectNoApiKey(r.decline);
  });

  it('offSession decides 3-D Secure: requires_action on-session, a decline off-session', async () => {
    const { emu, gw } = await start();
    const on = await gw.paymentIntents.create(charge('tds', false, 'recover:rcv_tds:1'));
    expect(on).toMatchObject({ ok: false, requiresAction: true, paymentIntent: { status: 'requires_action' } });
    expect(emu.state().charges).toHaveLength(0);
    const off = await gw.paymentIntents.create(charge('tds', true, 'recover:rcv_tds:2'));
    expect(off.ok === false && 'decline' in off && off.decline.code).toBe('authentication_required');
  });

  it('needs an idempotency key', async () => {
    const { gw } = await start();
    await expect(gw.paymentIntents.create(charge('ok', true, ''))).rejects.toThrow(/idempotencyKey/);
  });

  it("the Stripe Billing key cannot charge a PaymentIntent (rak_payment_intent_write is the API key's)", async () => {
    const { emu } = await start();
    const { gw } = gatewayFor(emu, { primaryKey: LEAST_KEY });
    const err = await rejection(gw.paymentIntents.create(charge('ok', true, 'recover:rcv_ok:9')));
    expect(err).toBeInstanceOf(PermissionMissing);
    expect((err as PermissionMissing).permissions).toEqual(['rak_payment_intent_write']);
    expect(emu.state().charges).toHaveLength(0);
  });
});

describe('checkoutSessions and setupIntents with the API key', () => {
  it('creates a setup session, and after the customer completes it reads the SetupIntent', async () => {
    const { emu, gw } = await start();
    const expiresAt = Math.floor(emu.now() / 1000) + 3600;
    const session = await gw.checkoutSessions.createSetup({
      customer: 'cus_ok',
      currency: 'usd',
      successUrl: 'https://merchant.example/done',
      expiresAt,
      metadata: { recovery: 'rcv_ok' },
    });
    expect(session).toMatchObject({ mode: 'setup', status: 'open', customer: 'cus_ok', expires_at: expiresAt });
    expect(session.allowed_payment_method_types).toEqual(['card']);
    expect(session.url).toMatch(/\/_emulator\/checkout\/cs_test_/);
    const res = await fetch(`${emu.url}/_emulator/checkout/${session.id}/complete`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    const done = await gw.checkoutSessions.retrieve(session.id);
    expect(done.status).toBe('complete');
    const si = await gw.setupIntents.retrieve(done.setup_intent as string);
    expect(si).toMatchObject({ status: 'succeeded', customer: 'cus_ok', metadata: { recovery: 'rcv_ok' } });
    // A new card: the API key reads it (rak_payment_method_read) and charges it.
    const pm = await gw.paymentMethods.retrieve(si.payment_method as string);
    expect(pm.customer).toBe('cus_ok');
  });

  it("a key without rak_checkout_session_write fails with Stripe's 403", async () => {
    const { emu } = await start();
    const { gw } = gatewayFor(emu, { primaryKey: NO_CHECKOUT });
    const expiresAt = Math.floor(emu.now() / 1000) + 3600;
    const err = await rejection(
      gw.checkoutSessions.createSetup({
        customer: 'cus_ok',
        currency: 'usd',
        successUrl: 'https://m.example/x',
        expiresAt,
      }),
    );
    expect(err).toBeInstanceOf(PermissionMissing);
    expect((err as PermissionMissing).permissions).toEqual(['rak_checkout_session_write']);
  });
});

describe('probePermissions for the API key', () => {
  it('all ok with LEAST_API_KEY, changing nothing; the missing one named for a smaller key', async () => {
    const { emu, gw } = await start();
    const before = emu.state();
    const rows = await probePermissions(gw, undefined, requiredPermissions('api'));
    expect(rows.map((r) => [r.permission, r.ok])).toEqual(requiredPermissions('api').map((p) => [p, true]));
    const after = emu.state();
    expect(after.charges).toEqual(before.charges);
    expect(after.events.length).toBe(before.events.length);

    const { gw: small } = gatewayFor(emu, { primaryKey: NO_CHECKOUT });
    const bad = (await probePermissions(small, undefined, requiredPermissions('api'))).filter((r) => !r.ok);
    expect(bad.map((r) => r.permission)).toEqual(['rak_checkout_session_write']);
    expect(bad[0].error).toMatch(/does not have the required permissions/);
    expectNoApiKey(bad);
  });
});

describe("the emulator's generated API key", () => {
  it('charges a generated customer and reads nothing of Stripe Billing', async () => {
    const emu = await emulator({ seed: generateMerchant({ customers: 3, rngSeed: 7 }) });
    const { gw } = gatewayFor(emu, { primaryKey: GENERATED_API_KEY });
    const cus = (await gatewayFor(emu).gw.customers.list({ limit: 1 })).data[0];
    const pm = cus.invoice_settings.default_payment_method as string;
    const r = await gw.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      customer: cus.id,
      paymentMethod: pm,
      offSession: true,
      idempotencyKey: 'gen:1',
    });
    expect(r.ok || 'decline' in r).toBe(true);
    const err = await rejection(gw.invoices.list({ limit: 1 }));
    expect(err).toBeInstanceOf(PermissionMissing);
    expect((err as PermissionMissing).permissions).toEqual(['rak_invoice_read']);
  });
});
