/**
 * Checkout Sessions in setup mode, the hosted page and its completion, through the real SDK. Held to:
 * - SDK types (node_modules/stripe/esm/resources/Checkout/Sessions.d.ts, SetupIntents.d.ts): Session
 *   (`url` "only present when the session is active", `setup_intent`, `status` open|complete|expired,
 *   `payment_status`), SessionCreateParams (`expires_at` "anywhere from 30 minutes to 24 hours after
 *   Checkout Session creation", `currency` "Required in setup mode when allowed_payment_method_types is
 *   not set"), SessionResource.expire ("can be expired when it is in one of these statuses: open").
 * - Stripe's "Set up future payments" guide (docs.stripe.com/payments/save-and-reuse?platform=checkout):
 *   `{CHECKOUT_SESSION_ID}` in success_url, the SetupIntent "created during the Checkout Session" named by
 *   `setup_intent` on `checkout.session.completed`, its `payment_method` attached to the session's customer.
 * - fixtures3.json `checkout.session` and `setup_intent`: every top-level field present.
 */
import http from 'node:http';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { oneCustomer, sdk, start, stripeError } from './helpers.js';

const HOUR = 3600;

async function setupSession(emu: Emulator, stripe: Stripe, extra: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
  return stripe.checkout.sessions.create({
    mode: 'setup',
    customer: 'cus_test',
    currency: 'usd',
    allowed_payment_method_types: ['card'],
    success_url: 'https://merchant.example/card-updated?session={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://merchant.example/account',
    expires_at: Math.floor(emu.now() / 1000) + HOUR,
    metadata: { recovery: 'rcv_1' },
    setup_intent_data: { metadata: { recovery: 'rcv_1' } },
    ...extra,
  });
}

async function complete(emu: Emulator, id: string, card?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${emu.url}/_emulator/checkout/${id}/complete`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(card === undefined ? {} : { card }),
  });
  return { status: res.status, body: await res.json() };
}

const types = (emu: Emulator) => emu.state().events.map((e) => e.type);

describe('a setup-mode Checkout Session', () => {
  it('is created open with a hosted url, and completing it saves the card on the customer', async () => {
    const emu = await start({ seed: oneCustomer({ type: 'decline', decline_code: 'expired_card' }, { invoices: 0 }) });
    const stripe = sdk(emu);
    const session = await setupSession(emu, stripe);
    expect(session).toMatchObject({
      object: 'checkout.session',
      mode: 'setup',
      status: 'open',
      customer: 'cus_test',
      currency: 'usd',
      payment_status: 'no_payment_required',
      setup_intent: null,
      payment_intent: null,
      metadata: { recovery: 'rcv_1' },
      success_url: 'https://merchant.example/card-updated?session={CHECKOUT_SESSION_ID}',
      expires_at: Math.floor(emu.now() / 1000) + HOUR,
      livemode: false,
    });
    expect(session.id).toMatch(/^cs_test_\w{50,}$/);
    expect(session.url).toBe(`${emu.url}/_emulator/checkout/${session.id}`);
    expect(await stripe.checkout.sessions.retrieve(session.id)).toEqual(
      expect.objectContaining({ id: session.id, status: 'open' }),
    );
    const before = types(emu).length;

    const done = await complete(emu, session.id, '4242424242424242');
    expect(done.status).toBe(200);
    expect(done.body.redirect).toBe(`https://merchant.example/card-updated?session=${session.id}`);
    const after = await stripe.checkout.sessions.retrieve(session.id, { expand: ['setup_intent'] });
    expect(after).toMatchObject({ status: 'complete', url: null, customer_details: { email: 'test@example.com' } });
    const si = after.setup_intent as Stripe.SetupIntent;
    expect(si).toMatchObject({
      object: 'setup_intent',
      status: 'succeeded',
      customer: 'cus_test',
      usage: 'off_session',
    });
    expect(si.metadata).toEqual({ recovery: 'rcv_1' });
    expect(await stripe.setupIntents.retrieve(si.id)).toMatchObject({ id: si.id, payment_method: si.payment_method });
    const pm = await stripe.paymentMethods.retrieve(si.payment_method as string);
    expect(pm).toMatchObject({ customer: 'cus_test', card: { brand: 'visa', last4: '4242' } });
    expect(types(emu).slice(before)).toEqual([
      'setup_intent.created',
      'payment_method.attached',
      'setup_intent.succeeded',
      'checkout.session.completed',
    ]);
    const completed = (await stripe.events.list({ type: 'checkout.session.completed' })).data[0];
    expect(completed.data.object).toMatchObject({ id: session.id, status: 'complete', setup_intent: si.id });
    // The new card charges: an off-session PaymentIntent on it succeeds.
    const pi = await stripe.paymentIntents.create({
      amount: 2000,
      currency: 'usd',
      customer: 'cus_test',
      payment_method: pm.id,
      confirm: true,
      off_session: true,
      allowed_payment_method_types: ['card'],
    });
    expect(pi.status).toBe('succeeded');

    const again = await complete(emu, session.id);
    expect(again.status).toBe(400);
    expect(again.body.error.message).toMatch(/no longer active/);
  });

  it('a card the issuer declines fails the SetupIntent and leaves the session open', async () => {
    const emu = await start({ seed: oneCustomer({ type: 'succeed' }, { invoices: 0 }) });
    const stripe = sdk(emu);
    const session = await setupSession(emu, stripe);
    const declined = await complete(emu, session.id, 'pm_card_chargeDeclinedInsufficientFunds');
    expect(declined.status).toBe(402);
    expect(declined.body.error).toMatchObject({ type: 'card_error', decline_code: 'insufficient_funds' });
    expect(declined.body.error.setup_intent.status).toBe('requires_payment_method');
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    expect(types(emu)).toContain('setup_intent.setup_failed');
    expect((await stripe.paymentMethods.list({ customer: 'cus_test' })).data.map((p) => p.id)).toEqual(['pm_test']);
    // In-process, as e2e tests drive it: the same completion.
    expect(() => emu.completeCheckout(session.id, 'pm_card_chargeDeclined')).toThrow('Your card was declined.');
    const done = emu.completeCheckout(session.id);
    expect(done.session).toMatchObject({ id: session.id, status: 'complete', setup_intent: done.setup_intent.id });
    expect(done.payment_method).toMatchObject({ customer: 'cus_test', card: { last4: '4242' } });
  });

  it('expires at expires_at on the emulator clock (checkout.session.expired), and by API', async () => {
    const emu = await start({ seed: oneCustomer({ type: 'succeed' }, { invoices: 0 }) });
    const stripe = sdk(emu);
    const session = await setupSession(emu, stripe);
    await emu.advance(HOUR * 1000 - 1000);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    await emu.advance(1000);
    expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({ status: 'expired', url: null });
    expect(types(emu).filter((t) => t === 'checkout.session.expired')).toHaveLength(1);
    expect((await complete(emu, session.id)).status).toBe(400);
    const html = await (await fetch(session.url!)).text();
    expect(html).toContain('This Checkout Session is no longer active');

    const other = await setupSession(emu, stripe);
    expect(await stripe.checkout.sessions.expire(other.id)).toMatchObject({ status: 'expired' });
    expect((await stripeError(stripe.checkout.sessions.expire(other.id))).statusCode).toBe(400);
  });

  it('validates like Stripe: expires_at window, customer, mode, currency', async () => {
    const emu = await start({ seed: oneCustomer({ type: 'succeed' }, { invoices: 0 }) });
    const stripe = sdk(emu);
    const now = Math.floor(emu.now() / 1000);
    const early = await stripeError(setupSession(emu, stripe, { expires_at: now + 29 * 60 }));
    expect(early).toMatchObject({ statusCode: 400, param: 'expires_at' });
    const late = await stripeError(setupSession(emu, stripe, { expires_at: now + 24 * HOUR + 60 }));
    expect(late).toMatchObject({ statusCode: 400, param: 'expires_at' });
    expect((await setupSession(emu, stripe, { expires_at: now + 30 * 60 })).status).toBe('open');
    const defaulted = await setupSession(emu, stripe, { expires_at: undefined });
    expect(defaulted.expires_at).toBe(now + 24 * HOUR);
    const noCustomer = await stripeError(setupSession(emu, stripe, { customer: 'cus_nope' }));
    expect(noCustomer).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer' });
    expect((await stripeError(setupSession(emu, stripe, { mode: undefined }))).param).toBe('mode');
    const noCurrency = await stripeError(
      setupSession(emu, stripe, { currency: undefined, allowed_payment_method_types: undefined }),
    );
    expect(noCurrency).toMatchObject({ statusCode: 400, param: 'currency' });
    expect((await stripeError(setupSession(emu, stripe, { success_url: 'not a url' }))).param).toBe('success_url');
    const both = await stripeError(setupSession(emu, stripe, { customer_email: 'x@example.com' }));
    expect(both).toMatchObject({ statusCode: 400, param: 'customer_email' });
    expect((await stripeError(stripe.checkout.sessions.retrieve('cs_test_nope'))).message).toBe(
      "No such checkout.session: 'cs_test_nope'",
    );
    expect((await stripeError(stripe.setupIntents.retrieve('seti_nope'))).statusCode).toBe(404);
  });

  it('needs checkout_session write to create, read to retrieve, setup_intent read for the SetupIntent', async () => {
    const keys = {
      rk_test_checkoutread: ['rak_checkout_session_read'],
      rk_test_checkoutwrite: ['rak_checkout_session_write'],
    };
    const emu = await start({ seed: oneCustomer({ type: 'succeed' }, { invoices: 0 }), keys });
    const session = await setupSession(emu, sdk(emu));
    const denied = await stripeError(setupSession(emu, sdk(emu, 'rk_test_checkoutread')));
    expect(denied.statusCode).toBe(403);
    expect(denied.message).toContain("'rak_checkout_session_write'");
    expect((await sdk(emu, 'rk_test_checkoutread').checkout.sessions.retrieve(session.id)).id).toBe(session.id);
    await complete(emu, session.id);
    const si = (await sdk(emu).checkout.sessions.retrieve(session.id)).setup_intent as string;
    const noSi = await stripeError(sdk(emu, 'rk_test_checkoutwrite').setupIntents.retrieve(si));
    expect(noSi.message).toContain("'rak_setup_intent_read'");
  });

  it("sends every top-level field of Stripe's example session and SetupIntent", async () => {
    const emu = await start({ seed: oneCustomer({ type: 'succeed' }, { invoices: 0 }) });
    const stripe = sdk(emu);
    const session = await setupSession(emu, stripe);
    await complete(emu, session.id);
    const done = await stripe.checkout.sessions.retrieve(session.id);
    const si = await stripe.setupIntents.retrieve(done.setup_intent as string);
    const shared = fileURLToPath(new URL('../../../shared/stripe/fixtures3.json', import.meta.url));
    const vendored = fileURLToPath(new URL('./fixtures3-subset.json', import.meta.url));
    const fixtures = JSON.parse(readFileSync(existsSync(shared) ? shared : vendored, 'utf8')).resources;
    expect(Object.keys(fixtures['checkout.session']).length).toBeGreaterThan(50);
    expect(Object.keys(fixtures.setup_intent).length).toBeGreaterThan(20);
    for (const field of Object.keys(fixtures['checkout.session'])) expect(done, field).toHaveProperty(field);
    for (const field of Object.keys(fixtures.setup_intent)) expect(si, field).toHaveProperty(field);
  });
});

describe('its webhooks', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    while (servers.length) await new Promise((r) => servers.pop()!.close(r));
  });

  it('delivers checkout.session.completed and setup_intent.succeeded, signed', async () => {
    const bodies: Array<{ body: string; sig: string }> = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push({ body: Buffer.concat(chunks).toString('utf8'), sig: String(req.headers['stripe-signature']) });
        res.writeHead(200).end('ok');
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const emu = await start({ seed: oneCustomer({ type: 'succeed' }, { invoices: 0 }) });
    const stripe = sdk(emu);
    const hook = await stripe.webhookEndpoints.create({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
      enabled_events: ['checkout.session.completed', 'checkout.session.expired', 'setup_intent.succeeded'],
    });
    const session = await setupSession(emu, stripe);
    await complete(emu, session.id);
    await emu.flushWebhooks();
    const events = bodies.map((b) => stripe.webhooks.constructEvent(b.body, b.sig, hook.secret!));
    // Deliveries run concurrently: compare as a set.
    expect(events.map((e) => e.type).sort()).toEqual(['checkout.session.completed', 'setup_intent.succeeded']);
    const completed = events.find((e) => e.type === 'checkout.session.completed')!;
    expect(completed.data.object).toMatchObject({ id: session.id, status: 'complete' });
  });
});

const CHROMIUM = '/usr/bin/chromium';
const skipBrowser = !existsSync(CHROMIUM) && !process.env.CI;

describe.skipIf(skipBrowser)('the hosted page in chromium', () => {
  it('shows the merchant and the cards, saves the chosen card and follows success_url', async () => {
    const emu = await start({ seed: oneCustomer({ type: 'succeed' }, { invoices: 0 }) });
    const stripe = sdk(emu);
    // success_url on the emulator itself, so the redirect lands on a page that answers.
    const session = await setupSession(emu, stripe, {
      success_url: `${emu.url}/_emulator/health?session={CHECKOUT_SESSION_ID}`,
    });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 480, height: 720 } });
      await page.goto(session.url!);
      await expect(page.locator('h1').textContent()).resolves.toContain('Update your card for');
      await page.selectOption('#card', 'pm_card_chargeDeclined');
      await page.click('button[type=submit]');
      // The message appears once the page's fetch has answered.
      await page.locator('[role=alert]', { hasText: 'Your card was declined.' }).waitFor({ timeout: 10_000 });
      expect(emu.state().events.some((e) => e.type === 'setup_intent.setup_failed')).toBe(true);
      await page.selectOption('#card', 'pm_card_mastercard');
      const artifacts = join(process.cwd(), 'test-artifacts');
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'checkout-setup.png') });
      await page.click('button[type=submit]');
      await page.waitForURL(`${emu.url}/_emulator/health?session=${session.id}`, { timeout: 10_000 });
    } finally {
      await browser.close();
    }
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['setup_intent.payment_method'] });
    expect(done.status).toBe('complete');
    const pm = (done.setup_intent as Stripe.SetupIntent).payment_method as Stripe.PaymentMethod;
    expect(pm.card).toMatchObject({ brand: 'mastercard', last4: '4444' });
  });
});
