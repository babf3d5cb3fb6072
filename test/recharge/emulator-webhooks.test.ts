/**
 * Webhook delivery by the Recharge emulator, held to:
 * - docs.getrecharge.com/docs/webhooks-overview: payload = the REST payload of the object; a delivery fails on no
 *   answer within 5 s, 408, 429 or >= 500; 20 attempts over 48 hours, then the webhook is deleted;
 * - the signature schemes as hookdeck/webhook-skills `recharge-webhooks` documents them: legacy
 *   X-Recharge-Hmac-Sha256 = hex SHA-256(client secret + raw body), not an HMAC; X-Recharge-Webhook-Signature
 *   `t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` with X-Recharge-Webhook-Timestamp, 48-hour window.
 * The receiver here verifies with its own code, not the emulator's.
 * Assumption: the spacing of the 20 attempts (README); the deletion is checked at 48 h, not before.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../src/clock.js';
import { client, control, emulator } from './helpers.js';

const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);
const servers: http.Server[] = [];
afterEach(async () => {
  while (servers.length) await new Promise((r) => servers.pop()!.close(r));
});

interface Got {
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function receiver(status: () => number): Promise<{ url: string; got: Got[] }> {
  const got: Got[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(status()).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/recharge`, got };
}

/** A port nobody listens on: connection refused (a daemon that is down). */
async function deadUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}/recharge`;
}

function verifyLegacy(secret: string, body: string, header: string): boolean {
  const want = createHash('sha256')
    .update(secret + body)
    .digest();
  return timingSafeEqual(want, Buffer.from(header, 'hex'));
}

function verifyTimestamped(secret: string, body: string, header: string, nowS: number): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowS - t) > 48 * 3600) return false;
  const want = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(want, Buffer.from(parts.v1 ?? '', 'hex'));
}

describe('Recharge emulator: webhooks', () => {
  it('sends charge/failed with both signatures and the REST payload', async () => {
    const emu = await emulator({ clockStart: T0 });
    const rx = await receiver(() => 200);
    await client(emu).createWebhook({ address: rx.url, topic: 'charge/failed' });
    const made = await control(emu, 'customers', {
      email: 'x@example.com',
      behaviour: { type: 'decline', error_type: 'CARD_DECLINED' },
    });
    await emu.advance(HOUR_MS);
    await emu.flushWebhooks();
    expect(rx.got).toHaveLength(1);
    const { headers, body } = rx.got[0];
    expect(headers['x-recharge-topic']).toBe('charge/failed');
    expect(verifyLegacy(emu.clientSecret, body, String(headers['x-recharge-hmac-sha256']))).toBe(true);
    expect(verifyLegacy('another-secret-xyz', body, String(headers['x-recharge-hmac-sha256']))).toBe(false);
    const sig = String(headers['x-recharge-webhook-signature']);
    expect(sig).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(sig.startsWith(`t=${headers['x-recharge-webhook-timestamp']},`)).toBe(true);
    const nowS = Math.floor(Date.now() / 1000);
    expect(verifyTimestamped(emu.clientSecret, body, sig, nowS)).toBe(true);
    expect(verifyTimestamped(emu.clientSecret, `${body} `, sig, nowS)).toBe(false);
    expect(verifyTimestamped(emu.clientSecret, body, sig, nowS + 49 * 3600)).toBe(false);
    const payload = JSON.parse(body);
    expect(payload.charge).toMatchObject({ id: made.body.charge.id, status: 'error', error_type: 'CARD_DECLINED' });
  });

  it('a 4xx other than 408/429 counts as received; 408, 429 and 5xx are retried', async () => {
    const emu = await emulator({ clockStart: T0 });
    const codes = [429, 503, 408, 400];
    const rx = await receiver(() => codes.shift() ?? 200);
    await client(emu).createWebhook({ address: rx.url, topic: 'charge/paid' });
    await control(emu, 'customers', { email: 'y@example.com' });
    await emu.advance(HOUR_MS);
    await emu.flushWebhooks();
    await emu.advance(DAY_MS);
    const d = emu.deliveries()[0];
    expect(d.statuses).toEqual([429, 503, 408, 400]);
    expect(d.state).toBe('delivered');
    expect(rx.got).toHaveLength(4);
  });

  it('deletes a webhook after 20 failed deliveries over 48 hours (daemon down for 3 days)', async () => {
    const emu = await emulator({ clockStart: T0 });
    const rc = client(emu);
    const dead = await deadUrl();
    const failedHook = await rc.createWebhook({ address: dead, topic: 'charge/failed' });
    const idleHook = await rc.createWebhook({ address: dead, topic: 'subscription/cancelled' });
    await control(emu, 'customers', {
      email: 'z@example.com',
      behaviour: { type: 'decline', error_type: 'CARD_DECLINED' },
    });
    await emu.advance(HOUR_MS); // the charge fails: first delivery attempt
    await emu.flushWebhooks();
    await emu.setTime(T0 + HOUR_MS + 47 * HOUR_MS);
    expect((await rc.webhooks()).map((h) => h.id)).toContain(failedHook.id);
    expect(emu.deliveries()[0].attempts).toBeLessThan(20);
    await emu.setTime(T0 + 3 * DAY_MS);
    const d = emu.deliveries()[0];
    expect(d.attempts).toBe(20);
    expect(d.statuses.every((s) => s === 0)).toBe(true);
    expect(d.state).toBe('failed');
    const left = (await rc.webhooks()).map((h) => h.id);
    expect(left).not.toContain(failedHook.id);
    expect(left).toContain(idleHook.id); // no delivery failed for it
    const state = emu.state() as { deleted_webhooks: Array<{ id: number }> };
    expect(state.deleted_webhooks.map((h) => h.id)).toEqual([failedHook.id]);
  });
});
