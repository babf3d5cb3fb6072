/**
 * Optional webhook delivery faults. Stripe documents all three: "Webhook endpoints might occasionally receive the
 * same event more than once", "Stripe doesn't guarantee the delivery of events in the order that they're
 * generated" (docs.stripe.com/webhooks, best practices), and undelivered events stay listable through
 * GET /v1/events with `delivery_success=false` (Events.d.ts, EventListParams.delivery_success).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { parseWebhookFaults, type Emulator } from '../../src/emulator/index.js';
import { sdk, smallMerchant, start } from './helpers.js';

const servers: http.Server[] = [];
afterEach(async () => {
  while (servers.length) await new Promise((r) => servers.pop()!.close(r));
});

async function receiver(): Promise<{ url: string; ids: string[] }> {
  const ids: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      ids.push((JSON.parse(body) as Stripe.Event).id);
      res.writeHead(200).end('ok');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, ids };
}

/** 30 metadata updates → 30 invoice.updated events, delivered to one endpoint. */
async function run(emu: Emulator): Promise<{ sent: string[]; got: string[] }> {
  const stripe = sdk(emu);
  const hook = await receiver();
  await stripe.webhookEndpoints.create({ url: hook.url, enabled_events: ['invoice.updated'] });
  for (let i = 0; i < 30; i++) await stripe.invoices.update('in_ada_open', { metadata: { n: String(i) } });
  await emu.flushWebhooks();
  const sent = (await stripe.events.list({ type: 'invoice.updated', limit: 100 })).data.map((e) => e.id).reverse().slice(-30);
  return { sent, got: hook.ids };
}

describe('webhook delivery faults', () => {
  it('drops, duplicates and reorders deliveries, reproducibly for a seed; dropped events stay listable', async () => {
    const faults = { duplicate: 0.2, reorder: 0.2, drop: 0.1, seed: 7 };
    const a = await run(await start({ seed: smallMerchant(), webhookFaults: faults }));
    const b = await run(await start({ seed: smallMerchant(), webhookFaults: faults }));
    const pos = (r: { sent: string[] }, id: string) => r.sent.indexOf(id);
    // Same seed, same faults (ids differ per run: compare by position).
    expect(a.got.map((id) => pos(a, id))).toEqual(b.got.map((id) => pos(b, id)));
    const order = a.got.map((id) => pos(a, id));
    const counts = new Map<number, number>();
    for (const p of order) counts.set(p, (counts.get(p) ?? 0) + 1);
    const dropped = a.sent.filter((id) => !a.got.includes(id));
    expect(dropped.length).toBeGreaterThan(0);
    expect([...counts.values()].some((n) => n === 2)).toBe(true);
    expect(order.some((p, i) => i > 0 && p < order[i - 1])).toBe(true);
    const emu = await start({ seed: smallMerchant(), webhookFaults: faults });
    const c = await run(emu);
    const undelivered = await sdk(emu).events.list({ delivery_success: false, type: 'invoice.updated', limit: 100 });
    const missing = c.sent.filter((id) => !c.got.includes(id));
    expect(undelivered.data.map((e) => e.id).sort()).toEqual([...missing].sort());
    expect(emu.state({ summary: true }).webhooks.faults.dropped).toBe(missing.length);
  });

  it('without faults every event arrives once, in order', async () => {
    const r = await run(await start({ seed: smallMerchant() }));
    expect(r.got).toEqual(r.sent);
  });

  it('parses the flag form and refuses bad shares', () => {
    expect(parseWebhookFaults('duplicate=0.1,reorder=0.2,drop=0.05')).toEqual({ duplicate: 0.1, reorder: 0.2, drop: 0.05 });
    expect(() => parseWebhookFaults('drop=2')).toThrow(/invalid webhook fault "drop=2"/);
    expect(() => parseWebhookFaults('lose=0.1')).toThrow(/accepted: comma-separated duplicate/);
  });
});
