/**
 * Webhook endpoint validation and per-version rendering. Sources: node_modules/stripe/esm/resources/
 * WebhookEndpoints.d.ts (WebhookEndpointCreateParams.EnabledEvent and .ApiVersion: the values Stripe accepts) and
 * Invoices.d.ts of this SDK (no top-level subscription/charge/payment_intent/paid; `parent`, `payments`); Stripe's
 * 2025-03-31.basil changelog (docs.stripe.com/changelog/basil: invoice `subscription`, `charge`, `payment_intent`,
 * `paid` removed, `parent.subscription_details` and `payments` added). The error text follows Stripe's message for a
 * bad enum value ("Invalid status: must be one of …"); Stripe's exact text for these two parameters was not found.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { API_VERSIONS, EVENT_TYPES } from '../../src/emulator/sdk-lists.js';
import { sdk, smallMerchant, start, stripeError } from './helpers.js';

const servers: http.Server[] = [];
afterEach(async () => {
  while (servers.length) await new Promise((r) => servers.pop()!.close(r));
});

async function receiver(): Promise<{ url: string; bodies: Array<Record<string, any>> }> {
  const bodies: Array<Record<string, any>> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      bodies.push(JSON.parse(body) as Record<string, any>);
      res.writeHead(200).end('ok');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

describe('webhook endpoint api_version and enabled_events', () => {
  it('the lists match the SDK\'s types', () => {
    const dts = readFileSync(new URL('../../node_modules/stripe/esm/resources/WebhookEndpoints.d.ts', import.meta.url), 'utf8');
    const union = (name: string) => [...(new RegExp(`type ${name} = ([^;]+);`).exec(dts)![1].matchAll(/'([^']+)'/g))].map((m) => m[1]);
    expect([...EVENT_TYPES]).toEqual(union('EnabledEvent'));
    expect([...API_VERSIONS]).toEqual(union('ApiVersion'));
  });

  it('refuses unknown event types and API versions with 400', async () => {
    const emu = await start();
    const stripe = sdk(emu);
    const e1 = await stripeError(stripe.webhookEndpoints.create({ url: 'https://example.com/h', enabled_events: ['invoice.paid', 'invoice.exploded' as never] }));
    expect(e1.statusCode).toBe(400);
    expect(e1.param).toBe('enabled_events[1]');
    expect(e1.message).toMatch(/^Invalid enabled_events\[1\]: must be one of \*, account\.application\.authorized, .*, or treasury\.received_debit\.created$/);
    const e2 = await stripeError(stripe.webhookEndpoints.create({ url: 'https://example.com/h', enabled_events: ['invoice.*' as never] }));
    expect(e2.statusCode).toBe(400);
    const e3 = await stripeError(stripe.webhookEndpoints.create({ url: 'https://example.com/h', enabled_events: ['*'], api_version: '2099-01-01' as never }));
    expect(e3.param).toBe('api_version');
    expect(e3.message).toMatch(/^Invalid api_version: must be one of 2011-01-01, .*, or 2026-10-28\.endive$/);
    const ok = await stripe.webhookEndpoints.create({ url: 'https://example.com/h', enabled_events: ['*'], api_version: '2024-06-20' });
    expect(ok.api_version).toBe('2024-06-20');
    expect((await stripeError(stripe.webhookEndpoints.update(ok.id, { enabled_events: ['nope' as never] }))).statusCode).toBe(400);
  });

  it('renders invoices in the endpoint\'s version: before basil top-level subscription/charge/payment_intent/paid', async () => {
    const emu = await start({ seed: smallMerchant() });
    const stripe = sdk(emu);
    const old = await receiver();
    const current = await receiver();
    await stripe.webhookEndpoints.create({ url: old.url, enabled_events: ['invoice.payment_failed'], api_version: '2024-06-20' });
    await stripe.webhookEndpoints.create({ url: current.url, enabled_events: ['invoice.payment_failed'] });
    await stripeError(stripe.invoices.pay('in_alan_open'));
    await emu.flushWebhooks();
    const legacy = old.bodies[0];
    const now = current.bodies[0];
    expect(legacy.api_version).toBe('2024-06-20');
    expect(now.api_version).toBe('2026-10-28.endive');
    const lo = legacy.data.object;
    const no = now.data.object;
    expect(lo.parent).toBeUndefined();
    expect(lo.subscription).toBe(no.parent.subscription_details.subscription);
    expect(lo.subscription).toMatch(/^sub_/);
    expect(lo.paid).toBe(false);
    expect(lo.payment_intent).toMatch(/^pi_/);
    expect(lo.charge).toMatch(/^ch_/);
    const charges = await stripe.charges.list({ payment_intent: lo.payment_intent });
    expect(charges.data[0].id).toBe(lo.charge);
    for (const k of ['subscription', 'charge', 'payment_intent', 'paid']) expect(no[k], k).toBeUndefined();
  });

  it('an account\'s default api_version applies to endpoints without one, and to /v1/events', async () => {
    const seed = smallMerchant();
    (seed.account as Record<string, unknown>).api_version = '2025-02-24.acacia';
    const emu = await start({ seed });
    const stripe = sdk(emu);
    const hook = await receiver();
    await stripe.webhookEndpoints.create({ url: hook.url, enabled_events: ['invoice.voided'] });
    await stripe.invoices.voidInvoice('in_ada_open');
    await emu.flushWebhooks();
    expect(hook.bodies[0].api_version).toBe('2025-02-24.acacia');
    expect(hook.bodies[0].data.object.subscription).toMatch(/^sub_/);
    const listed = (await stripe.events.list({ type: 'invoice.voided' })).data[0];
    expect(listed.api_version).toBe('2025-02-24.acacia');
    const bad = smallMerchant();
    (bad.account as Record<string, unknown>).api_version = '2020-13-01';
    await expect(start({ seed: bad })).rejects.toThrow(/api_version.*not an API version the SDK knows/s);
  });
});
