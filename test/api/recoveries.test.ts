/**
 * POST/GET /v1/recoveries over the daemon's real HTTP server, with the real SDK against the
 * emulator behind it (the least-privilege API key) and a real SQLite file.
 */
import { describe, expect, it } from 'vitest';
import { explainCase } from '../../src/commands/explain.js';
import { runCli } from '../helpers/cli.js';
import { failedPayment, startApiWorld } from './helpers.js';

describe('POST /v1/recoveries', () => {
  it('opens a case through the shared intake: 202 scheduled with the first attempt and its reason', async () => {
    const w = await startApiWorld();
    const c = await w.customer();
    const a = await w.call('POST', '/v1/recoveries', failedPayment(c, 'inv-1001'), { 'Idempotency-Key': 'k1' });
    expect(a.status, JSON.stringify(a.body)).toBe(202);
    expect(a.body).toMatchObject({
      object: 'recovery',
      status: 'scheduled',
      invoiceId: 'inv-1001',
      amount: 2500,
      currency: 'usd',
      recommendedAction: 'retry_scheduled',
    });
    expect(a.body.id).toMatch(/^rcv_\d+$/);
    expect(a.body.nextAttempt.reason.length).toBeGreaterThan(10);
    expect(Date.parse(a.body.nextAttempt.at)).toBeGreaterThan(w.clock.now());
    // The same case tables as Stripe Billing: platform api, account self, the first decision logged.
    const row = w.store.cases.getByInvoice('inv-1001', 'self')!;
    expect(row.platform).toBe('api');
    expect(row.customerId).toBe(`merchant-${c.customer}`);
    expect(w.store.apiRecoveries.get(row.id)!.stripeCustomer).toBe(c.customer);
    expect(row.cardFingerprint).not.toBeNull();
    expect(w.store.decisions.listForCase(row.id).some((d) => d.action === 'retry')).toBe(true);
    const events = w.store.outbox.list({ caseId: row.id });
    expect(events.map((e) => e.type)).toEqual(['recovery.scheduled']);
    expect(events[0]!.payload.data).toMatchObject({
      recoveryId: a.body.id,
      invoiceId: 'inv-1001',
      platform: 'api',
      amount: 2500,
      currency: 'usd',
      nextAttemptAt: a.body.nextAttempt.at,
      recommendedAction: 'retry_scheduled',
    });

    // Same key, same body: the first answer again, nothing new; same key, other body: 409.
    const again = await w.call('POST', '/v1/recoveries', failedPayment(c, 'inv-1001'), { 'Idempotency-Key': 'k1' });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(a.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await w.call('POST', '/v1/recoveries', failedPayment(c, 'inv-1002'), { 'Idempotency-Key': 'k1' });
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({ type: 'idempotency_error', code: 'idempotency_key_in_use' });
    expect(w.store.cases.count()).toBe(1);

    const got = await w.call('GET', `/v1/recoveries/${a.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body.id).toBe(a.body.id);
    const byKey = await w.call('GET', '/v1/recoveries?idempotency_key=k1');
    expect(byKey.body.data.map((r: { id: string }) => r.id)).toEqual([a.body.id]);

    // The failed payment handed over is the merchant's own billing's attempt 1, not Stripe's: the
    // same label in the API view, explain's JSON and text.
    expect(got.body.attempts[0]).toMatchObject({ n: 1, by: 'merchant', declineCode: 'insufficient_funds' });
    expect(got.body.attempts.map((x: { by: string }) => x.by)).not.toContain('stripe');
    const x = explainCase(w.store, row, w.clock.now());
    expect(x.attempts).toEqual({ recover: 1, merchant: 1, customer: 0 });
    const text = await runCli(['--db', w.db, 'explain', 'inv-1001', '--account', 'self']);
    expect(text.stdout, text.stderr).toMatch(/attempts: recover 1, merchant's billing 1, customer 0/);
    expect(text.stdout).toMatch(/the merchant's billing's attempt 1: declined/);
    expect(text.stdout).not.toMatch(/Stripe/);
  });

  it('answers 200 blocked for a hard decline: no retry is ever planned', async () => {
    const w = await startApiWorld();
    const c = await w.customer();
    const a = await w.call('POST', '/v1/recoveries', failedPayment(c, 'inv-fraud', { declineCode: 'fraudulent' }), {
      'Idempotency-Key': 'k-fraud',
    });
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.body).toMatchObject({ status: 'blocked', nextAttempt: null, recommendedAction: 'manual_review' });
    expect(a.body.reason).toMatch(/fraud/i);
    const id = w.store.cases.getByInvoice('inv-fraud', 'self')!.id;
    expect(w.store.attempts.pendingForCase(id)).toBeUndefined();
  });

  it('refuses bad input with one Stripe-like error naming the parameter, and changes nothing', async () => {
    const w = await startApiWorld();
    const c = await w.customer();
    const bad = await w.call('POST', '/v1/recoveries', failedPayment(c, 'inv-x', { amount: -5 }), {
      'Idempotency-Key': 'b1',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param: 'amount' });
    const cur = await w.call('POST', '/v1/recoveries', failedPayment(c, 'inv-x', { currency: 'dollars' }), {
      'Idempotency-Key': 'b2',
    });
    expect(cur.body.error.param).toBe('currency');
    // One line naming the bad value and what is accepted (not zod's "Invalid input: …").
    expect(cur.body.error.message).toBe(
      'currency: "dollars" is not accepted (accepted: a three-letter ISO 4217 code such as "usd")',
    );
    expect(bad.body.error.message).toBe('amount: -5 is not accepted (accepted: at least 1)');
    const missing = await w.call('POST', '/v1/recoveries', { amount: -1 }, { 'Idempotency-Key': 'b5' });
    expect(missing.body.error.message).toBe('paymentMethod is required (accepted: an object)');
    const present = await w.call('POST', '/v1/recoveries', failedPayment(c, 'inv-x', { customerPresent: 'yes' }), {
      'Idempotency-Key': 'b6',
    });
    expect(present.body.error.message).toBe('customerPresent: "yes" is not accepted (accepted: a boolean)');
    const unknown = await w.call('POST', '/v1/recoveries', failedPayment(c, 'inv-x', { colour: 'red' }), {
      'Idempotency-Key': 'b3',
    });
    expect(unknown.body.error.code).toBe('parameter_unknown');
    const json = await w.call('POST', '/v1/recoveries', '{not json', { 'Idempotency-Key': 'b4' });
    expect(json.body.error.code).toBe('body_invalid_json');
    const noKey = await w.call('POST', '/v1/recoveries', failedPayment(c, 'inv-x'));
    expect(noKey.body.error.param).toBe('Idempotency-Key');
    const pm = await w.call(
      'POST',
      '/v1/recoveries',
      failedPayment({ customer: c.customer, token: 'pm_doesnotexist' }, 'inv-x'),
      { 'Idempotency-Key': 'b5' },
    );
    expect(pm.status).toBe(400);
    expect(pm.body.error.param).toBe('paymentMethod.token');
    expect(w.store.cases.count()).toBe(0);
  });

  it('needs an active bearer key (401), limits bodies (413) and requests per key (429 with Retry-After)', async () => {
    // A small bucket (5/s, burst 10) so the test sends few requests; the defaults are in rate-limit.ts.
    const w = await startApiWorld({ daemon: { apiRateLimit: { perSec: 5, burst: 10 } } });
    const none = await fetch(`${w.url}/v1/recoveries/rcv_1`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).error.type).toBe('authentication_error');
    const wrong = await w.call('GET', '/v1/recoveries/rcv_1', undefined, {
      Authorization: 'Bearer rcv_test_00000000000000000000000000000000',
    });
    expect(wrong.status).toBe(401);
    // The unknown key is not echoed back.
    expect(JSON.stringify(wrong.body)).not.toContain('rcv_test_0000');
    const big = await w.call(
      'POST',
      '/v1/pulses',
      JSON.stringify({ amount: 1, currency: 'usd', pad: 'x'.repeat(70_000) }),
    );
    expect(big.status).toBe(413);
    const missing = await w.call('GET', '/v1/recoveries/rcv_99');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('resource_missing');
    // The burst is spent by the requests above and these: then 429.
    const answers = await Promise.all(Array.from({ length: 20 }, () => w.call('GET', '/v1/recoveries/rcv_99')));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited[0]!.body.error.type).toBe('rate_limit_error');
  });
});
