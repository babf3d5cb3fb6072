/**
 * Delivering result webhooks to a real local receiver, verified with the independent
 * `standardwebhooks` package (the reference implementation of https://www.standardwebhooks.com/),
 * never with recover's own signer. The schedule runs on a fake daemon clock: no sleeps.
 */
import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../src/clock.js';
import { disabledOf, enableEndpoint, REDELIVERY_WINDOW_MS } from '../../src/outbox/index.js';
import { T0 } from '../db/helpers.js';
import { rig, verifyReceived } from './helpers.js';

const stop = () => false;

const verify = verifyReceived;

describe('result webhook delivery', () => {
  it('signs each try so standardwebhooks verifies it, and a forged body fails', async () => {
    const r = await rig();
    const { messageId } = r.event(1);
    expect(await r.deliverer.runDue(r.settings, stop)).toBe(1);
    const [got] = r.server.received;
    expect(got.method).toBe('POST');
    expect(got.headers['webhook-id']).toBe(messageId);
    expect(got.headers['content-type']).toBe('application/json');
    expect(verify(r.secret, got)).toEqual({
      type: 'recovery.succeeded',
      timestamp: new Date(T0).toISOString(),
      data: { recoveryId: 'rcv_1', amountCollected: 3000, currency: 'usd' },
    });
    expect(() => verify(r.secret, { ...got, body: got.body.replace('3000', '3001') })).toThrow();
    // Another merchant's secret does not verify it either.
    expect(() => verify('whsec_' + Buffer.alloc(32, 7).toString('base64'), got)).toThrow();
    const m = r.store.outbox.getByMessageId(messageId)!;
    expect([m.outcome, m.tries, m.lastStatus]).toEqual(['delivered', 1, 200]);
    expect(r.store.outbox.deliveries(m.id)).toMatchObject([{ status: 200, response: 'answer 200', url: r.server.url }]);
  });

  it('keeps the webhook-id and the body across a 500 then a 200, retrying 5 s later on the clock', async () => {
    const r = await rig();
    const { messageId } = r.event(2);
    r.server.script(500);
    await r.deliverer.runDue(r.settings, stop);
    expect(r.store.outbox.getByMessageId(messageId)).toMatchObject({ outcome: null, tries: 1, lastStatus: 500 });
    r.clock.set(T0 + 4_999);
    expect(await r.deliverer.runDue(r.settings, stop)).toBe(0);
    expect(r.deliverer.nextDueAt(r.settings)).toBe(T0 + 5_000);
    r.clock.set(T0 + 5_000);
    expect(await r.deliverer.runDue(r.settings, stop)).toBe(1);
    const [a, b] = r.server.received;
    expect(b.headers['webhook-id']).toBe(a.headers['webhook-id']);
    expect(b.body).toBe(a.body);
    expect(verify(r.secret, a)).toEqual(verify(r.secret, b));
    expect(r.store.outbox.getByMessageId(messageId)).toMatchObject({ outcome: 'delivered', tries: 2 });
    expect(r.store.outbox.deliveries(r.store.outbox.getByMessageId(messageId)!.id).map((d) => d.status)).toEqual([
      500, 200,
    ]);
  });

  it('follows the schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then 12 h) for 3 days, then fails', async () => {
    const r = await rig();
    r.server.fallback = 503;
    const { id } = r.event(3);
    for (let i = 0; i < 30; i++) {
      await r.deliverer.runDue(r.settings, stop);
      const next = r.deliverer.nextDueAt(r.settings);
      if (next === null) break;
      r.clock.set(next);
    }
    const tries = r.store.outbox.deliveries(id).map((d) => d.attemptedAt - T0);
    const s = 1000;
    const expected = [0, 5 * s];
    for (const wait of [5 * MINUTE_MS, 30 * MINUTE_MS, 2 * HOUR_MS, 5 * HOUR_MS, 10 * HOUR_MS])
      expected.push(expected.at(-1)! + wait);
    while (expected.at(-1)! + 12 * HOUR_MS <= REDELIVERY_WINDOW_MS) expected.push(expected.at(-1)! + 12 * HOUR_MS);
    expect(tries).toEqual(expected);
    // 0, 5 s, 5 min 5 s, 35 min 5 s, 2 h 35 min 5 s, 7 h 35 min 5 s, 17 h 35 min 5 s, then 12 h apart up to
    // 65 h 35 min 5 s; the next (77 h 35 min 5 s) is past the 3 days.
    expect(tries).toHaveLength(11);
    expect(r.store.outbox.get(id)).toMatchObject({ outcome: 'failed', tries: 11, lastStatus: 503 });
    expect(r.server.received).toHaveLength(11);
  });

  it('a 410 Gone disables the endpoint: nothing more is sent until it is enabled again', async () => {
    const r = await rig();
    const first = r.event(4);
    r.server.script(410);
    await r.deliverer.runDue(r.settings, stop);
    expect(r.store.outbox.get(first.id)).toMatchObject({ outcome: 'disabled', lastStatus: 410 });
    expect(disabledOf(r.store)).toMatchObject({ messageId: first.messageId, status: 410 });
    const later = r.event(5);
    r.clock.set(T0 + HOUR_MS);
    expect(await r.deliverer.runDue(r.settings, stop)).toBe(0);
    expect(r.server.received).toHaveLength(1);
    expect(enableEndpoint(r.store)).toBe(true);
    expect(await r.deliverer.runDue(r.settings, stop)).toBe(1);
    expect(r.server.received.map((x) => x.headers['webhook-id'])).toEqual([first.messageId, later.messageId]);
    // The disabled message itself goes again only when resent.
    expect(r.store.outbox.resend(first.messageId, r.clock.now())).toBe(true);
    await r.deliverer.runDue(r.settings, stop);
    expect(r.server.received.map((x) => x.headers['webhook-id']).at(-1)).toBe(first.messageId);
  });

  it('no answer within the timeout is a failed try, retried later', async () => {
    const r = await rig({ timeoutMs: 300 });
    const { id } = r.event(6);
    r.server.script('hang');
    await r.deliverer.runDue(r.settings, stop);
    expect(r.store.outbox.deliveries(id)).toMatchObject([{ status: null, error: 'no answer within 0.3 s' }]);
    expect(r.store.outbox.get(id)).toMatchObject({ outcome: null, dueAt: T0 + 5_000 });
  });

  it('without an endpoint, messages wait (a URL set later gets them) and end skipped after 3 days', async () => {
    const r = await rig({ url: false });
    const old = r.event(7);
    r.clock.set(T0 + 2 * 24 * HOUR_MS);
    const recent = r.event(8);
    expect(await r.deliverer.runDue(r.settings, stop)).toBe(0);
    expect(r.deliverer.nextDueAt(r.settings)).toBe(T0 + REDELIVERY_WINDOW_MS);
    r.clock.set(T0 + REDELIVERY_WINDOW_MS + 1);
    expect(await r.deliverer.runDue(r.settings, stop)).toBe(1);
    expect(r.store.outbox.get(old.id)?.outcome).toBe('skipped');
    const withUrl = { ...r.settings, resultWebhookUrl: r.server.url };
    expect(await r.deliverer.runDue(withUrl, stop)).toBe(1);
    expect(r.server.received.map((x) => x.headers['webhook-id'])).toEqual([recent.messageId]);
    expect(r.store.outbox.get(recent.id)?.outcome).toBe('delivered');
  });
});
