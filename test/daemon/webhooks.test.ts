/** The webhook receiver, /healthz and /metrics, against a real daemon and the SDK's own signing. */
import { describe, expect, it } from 'vitest';
import { signPayload } from '../../src/stripe/index.js';
import { startWorld } from './helpers.js';

function event(id: string, type = 'invoice.created', extra: Record<string, unknown> = {}) {
  return {
    id,
    object: 'event',
    type,
    created: 0,
    livemode: false,
    api_version: '2026-10-28.endive',
    data: { object: { id: 'in_hook1', object: 'invoice' } },
    request: { id: null, idempotency_key: null },
    ...extra,
  };
}

describe('webhook receiver', () => {
  it('stores a verified event before answering 200; a duplicate answers 200 and changes nothing', async () => {
    const w = await startWorld();
    const secret = w.store.secrets.get('webhook_secret')!;
    const url = `${w.daemon.url}/stripe/webhook`;
    const nowSec = Math.floor(Date.now() / 1000); // signatures are checked against the wall clock
    // Multi-byte text: the receiver decodes the bytes once and verifies and stores that text.
    const data = { object: { id: 'in_hook1', object: 'invoice', description: 'Café ☕ — 3 €' } };
    const body = JSON.stringify(event('evt_hook_1', 'invoice.created', { created: nowSec, data }));
    const post = () =>
      fetch(url, {
        method: 'POST',
        body,
        headers: { 'Stripe-Signature': signPayload(body, secret, nowSec), 'Content-Type': 'application/json' },
      });
    const seen = w.daemon.waitFor('webhook', (r) => r.id === 'evt_hook_1');
    const done = w.daemon.waitFor('processed', (r) => r.id === 'evt_hook_1');
    const r1 = await post();
    expect(r1.status).toBe(200);
    expect(await r1.json()).toEqual({ received: true, duplicate: false });
    // The row is there as soon as the answer is: no waiting needed.
    const stored = w.store.events.get('evt_hook_1')!;
    expect(stored.raw).toBe(body);
    expect(stored.objectId).toBe('in_hook1');
    expect(stored.created).toBe(nowSec * 1000);
    expect((await seen)[0].duplicate).toBe(false);
    const r2 = await post();
    expect(r2.status).toBe(200);
    expect(await r2.json()).toEqual({ received: true, duplicate: true });
    expect(w.store.events.count()).toBe(1);
    // The receiver's columns are unchanged (the loop, woken within 10 ms, may have processed it meanwhile).
    const received = ({ id, seq, type, objectId, created, raw, receivedAt }: typeof stored) => ({
      id,
      seq,
      type,
      objectId,
      created,
      raw,
      receivedAt,
    });
    expect(received(w.store.events.get('evt_hook_1')!)).toEqual(received(stored));
    // Unknown types are stored, then skipped by the processor.
    await w.daemon.settle();
    expect((await done)[0].result).toBe('unknown type: stored and skipped');
    expect(w.store.events.get('evt_hook_1')!.processedAt).not.toBeNull();
  });

  it('rejects unsigned, forged, stale, future, malformed, non-JSON and oversized bodies, storing only a counter', async () => {
    const w = await startWorld();
    const secret = w.store.secrets.get('webhook_secret')!;
    const url = `${w.daemon.url}/stripe/webhook`;
    const now = Math.floor(Date.now() / 1000);
    const good = JSON.stringify(event('evt_bad_1'));
    const cases: Array<{ name: string; body: string | Buffer; header?: string; status: number; reason: string }> = [
      { name: 'unsigned', body: good, status: 400, reason: 'header_missing' },
      {
        name: 'forged (other secret)',
        body: good,
        header: signPayload(good, 'whsec_not_the_secret_at_all', now),
        status: 400,
        reason: 'signature_mismatch',
      },
      {
        name: 'tampered body',
        body: good.replace('evt_bad_1', 'evt_bad_2'),
        header: signPayload(good, secret, now),
        status: 400,
        reason: 'signature_mismatch',
      },
      {
        name: 'stale (replayed 10 min later)',
        body: good,
        header: signPayload(good, secret, now - 600),
        status: 400,
        reason: 'timestamp_too_old',
      },
      {
        name: 'from the future',
        body: good,
        header: signPayload(good, secret, now + 600),
        status: 400,
        reason: 'timestamp_in_future',
      },
      { name: 'malformed header', body: good, header: 'v1=deadbeef', status: 400, reason: 'header_malformed' },
      {
        name: 'not JSON',
        body: 'hello, stripe',
        header: signPayload('hello, stripe', secret, now),
        status: 400,
        reason: 'payload_not_json',
      },
      {
        name: 'not an event',
        body: '{"hello":1}',
        header: signPayload('{"hello":1}', secret, now),
        status: 400,
        reason: 'payload_not_event',
      },
      {
        name: 'over 1 MiB',
        body: Buffer.alloc(1024 * 1024 + 10, 'a'),
        header: 't=1,v1=x',
        status: 413,
        reason: 'payload_too_large',
      },
    ];
    for (const c of cases) {
      const rejected = w.daemon.waitFor('rejected', (r) => r.reason === c.reason);
      const res = await fetch(url, {
        method: 'POST',
        body: c.body,
        headers: c.header ? { 'Stripe-Signature': c.header } : {},
      });
      expect(res.status, c.name).toBe(c.status);
      expect(await res.json(), c.name).toEqual({ error: c.reason });
      await rejected;
    }
    expect(w.store.events.count()).toBe(0);
    const counted = w.store.counters.webhookRejections();
    for (const c of cases) expect(counted[c.reason], c.reason).toBeGreaterThanOrEqual(1);
    expect(counted.signature_mismatch).toBe(2);
    const metrics = await (await fetch(`${w.daemon.url}/metrics`)).text();
    expect(metrics).toContain('recover_webhook_events_rejected_total{reason="payload_too_large"} 1');
    expect(metrics).toContain('recover_webhook_events_rejected_total{reason="signature_mismatch"} 2');
  });

  it('accepts the previous secret during a rotation', async () => {
    const w = await startWorld({ daemon: { secretsTtlMs: 0 } });
    const old = w.store.secrets.get('webhook_secret')!;
    w.store.secrets.set('webhook_secret_previous', old);
    w.store.secrets.set('webhook_secret', 'whsec_rotated0000000000000000000');
    const now = Math.floor(Date.now() / 1000);
    for (const [id, secret] of [
      ['evt_rot_old', old],
      ['evt_rot_new', 'whsec_rotated0000000000000000000'],
    ] as const) {
      const body = JSON.stringify(event(id));
      const res = await fetch(`${w.daemon.url}/stripe/webhook`, {
        method: 'POST',
        body,
        headers: { 'Stripe-Signature': signPayload(body, secret, now) },
      });
      expect(res.status, id).toBe(200);
    }
    w.store.secrets.delete('webhook_secret_previous');
    const body = JSON.stringify(event('evt_rot_late'));
    const res = await fetch(`${w.daemon.url}/stripe/webhook`, {
      method: 'POST',
      body,
      headers: { 'Stripe-Signature': signPayload(body, old, now) },
    });
    expect(res.status).toBe(400);
  });

  it('checks the signature timestamp against the wall clock, not the daemon clock (Stripe stamps t= when it sends)', async () => {
    const w = await startWorld();
    const secret = w.store.secrets.get('webhook_secret')!;
    w.clock.set(w.clock.now() + 3 * 86_400_000); // the daemon's (fake) clock is 3 days ahead of the wall
    const wall = Math.floor(Date.now() / 1000);
    const daemonNow = Math.floor(w.clock.now() / 1000);
    const post = (id: string, t: number) => {
      const body = JSON.stringify(event(id));
      return fetch(`${w.daemon.url}/stripe/webhook`, {
        method: 'POST',
        body,
        headers: { 'Stripe-Signature': signPayload(body, secret, t) },
      });
    };
    expect((await post('evt_wall_1', wall)).status).toBe(200);
    const r = await post('evt_wall_2', daemonNow);
    expect(r.status).toBe(400);
    expect(w.store.events.get('evt_wall_2')).toBeUndefined();
  });

  it('serves /healthz and Prometheus /metrics; the server closes on stop', async () => {
    const w = await startWorld();
    const h = await fetch(`${w.daemon.url}/healthz`);
    expect(h.status).toBe(200);
    const body = (await h.json()) as {
      state: string;
      healthy: boolean;
      checks: Array<{ name: string; ok: boolean; detail: string }>;
    };
    expect(body).toMatchObject({ state: 'running', healthy: true });
    expect(body.checks.map((c) => [c.name, c.ok])).toEqual([
      ['daemon', true],
      ['passes', true],
      ['attempts', true],
      ['inbox', true],
      ['disk', true],
    ]);
    expect(body.checks.find((c) => c.name === 'inbox')!.detail).toBe('0 events waiting');
    const m = await fetch(`${w.daemon.url}/metrics`);
    expect(m.headers.get('content-type')).toContain('text/plain');
    const text = await m.text();
    for (const family of [
      'recover_webhook_events_received_total',
      'recover_webhook_events_rejected_total',
      'recover_attempts_total',
      'recover_recovered_amount_total',
      'recover_scheduler_lag_seconds',
      'recover_stripe_calls_total',
      'recover_daemon_state',
    ])
      expect(text).toContain(`# TYPE ${family}`);
    expect(text).toMatch(/recover_stripe_calls_total\{method="GET",path="\/v1\/events",status="200"\} \d+/);
    expect(text).toContain('recover_daemon_state{state="running"} 1');
    expect(text).toContain('recover_health_check{check="attempts"} 1');
    await w.daemon.stop();
    expect(w.daemon.state).toBe('stopped');
    await expect(fetch(`${w.daemon.url}/healthz`)).rejects.toThrow();
  });
});
