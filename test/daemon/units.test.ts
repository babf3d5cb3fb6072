/** The daemon's pure parts: the retry-status check, event facts, the reconcile schedule, backoff. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { openStore, type Case } from '../../src/db/index.js';
import { eventFacts } from '../../src/daemon/event-facts.js';
import { backoffDelayMs, INBOX_BACKOFF } from '../../src/daemon/backoff.js';
import { parseCron, Reconciler } from '../../src/daemon/reconciler.js';
import { checkRetryable } from '../../src/daemon/retry-check.js';
import {
  AuthenticationFailed, IdempotencyConflict, InvalidRequest, isRetryable, needsOperator, NotFound, PermissionMissing,
  RateLimited, StripeUnavailable, type Invoice,
} from '../../src/stripe/index.js';
import { tempDb } from '../helpers/env.js';

const c = { amountDue: 1000, currency: 'usd' } as Case;
const inv = (over: Record<string, unknown> = {}, pi?: string, sub?: string) =>
  ({
    id: 'in_1',
    status: 'open',
    amount_remaining: 1000,
    amount_paid: 0,
    currency: 'usd',
    payments: { data: pi ? [{ created: 1, payment: { payment_intent: { id: 'pi_1', status: pi } } }] : [] },
    parent: sub ? { subscription_details: { subscription: { id: 'sub_1', status: sub } } } : null,
    ...over,
  }) as unknown as Invoice;

describe('retry-status check', () => {
  it('lets an open, unchanged invoice through', () => {
    expect(checkRetryable(c, inv({}, 'requires_payment_method', 'past_due'))).toEqual({ ok: true });
  });
  it('skips paid, void, changed amount, ended subscription, and 3DS (unless a new card arrived)', () => {
    expect(checkRetryable(c, inv({ status: 'paid', amount_paid: 1000 }))).toMatchObject({
      ok: false,
      kind: 'paid',
      amountPaid: 1000,
    });
    expect(checkRetryable(c, inv({ status: 'void' }))).toMatchObject({ ok: false, kind: 'not_open', status: 'void' });
    expect(checkRetryable(c, inv({ amount_remaining: 700 }))).toMatchObject({
      ok: false,
      kind: 'amount_changed',
      amountDue: 700,
      reason: 'the amount due changed from 10.00 USD to 7.00 USD',
    });
    expect(checkRetryable(c, inv({}, undefined, 'canceled'))).toMatchObject({ ok: false, kind: 'subscription_gone' });
    expect(checkRetryable(c, inv({}, 'requires_action'))).toMatchObject({ ok: false, kind: 'needs_customer_action' });
    expect(checkRetryable(c, inv({}, 'requires_action'), { newCard: true })).toEqual({ ok: true });
  });
});

describe('event facts', () => {
  it('reads ours/not ours, account, object id and time', () => {
    const f = eventFacts({
      id: 'evt_1',
      type: 'invoice.paid',
      created: 1767225600,
      account: 'acct_9',
      data: { object: { id: 'in_9', object: 'invoice' } },
      request: { id: 'req_1', idempotency_key: 'recover:acct_9:in_9:3' },
    });
    expect(f).toMatchObject({
      id: 'evt_1',
      account: 'acct_9',
      objectId: 'in_9',
      created: 1767225600_000,
      ours: true,
      requestId: 'req_1',
    });
    expect(
      eventFacts({
        id: 'evt_2',
        type: 'x',
        created: 1,
        data: { object: {} },
        request: { id: null, idempotency_key: 'recover-auto-1' },
      }).ours,
    ).toBe(false);
    expect(
      eventFacts({ id: 'evt_3', type: 'x', created: 1, data: { object: {} }, request: null }).requestId,
    ).toBeNull();
  });
});

describe('reconcile schedule', () => {
  it('is due on first start, after each cron occurrence, and after downtime that missed one', () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 10, 30));
    const store = openStore(tempDb(), { clock });
    const r = new Reconciler({ store, cron: parseCron('0 * * * *'), now: () => clock.now() } as never);
    expect(r.isDue(clock.now())).toBe(true);
    store.meta.set('reconcile:last_at', String(clock.now()));
    expect(r.isDue(clock.now() + 20 * 60_000)).toBe(false);
    expect(r.nextAt(clock.now())).toBe(Date.UTC(2026, 0, 5, 11, 0));
    expect(r.isDue(Date.UTC(2026, 0, 5, 11, 0, 1))).toBe(true);
    expect(r.isDue(Date.UTC(2026, 0, 6, 3, 15))).toBe(true);
    store.close();
    expect(() => parseCron('every hour')).toThrow('invalid value for --reconcile: "every hour"');
  });
});

describe('backoff', () => {
  it('1 min doubling, capped at 1 h', () => {
    expect([1, 2, 3, 7, 20].map((n) => backoffDelayMs(n))).toEqual([60_000, 120_000, 240_000, 3_600_000, 3_600_000]);
    expect([1, 2, 7, 8, 1000].map((n) => backoffDelayMs(n, INBOX_BACKOFF))).toEqual([
      30_000, 60_000, 1_920_000, 1_920_000, 1_920_000,
    ]);
  });
});

describe('gateway errors say whether a retry can help', () => {
  // Stripe's docs, docs.stripe.com/idempotency: a key reused with other parameters is an error
  // (never succeeds); a request that conflicts with a concurrent one is not saved and is safe to
  // retry. docs.stripe.com/rate-limits: 429s are retried later; 5xx and timeouts likewise.
  it('retryable: unavailable, rate limited, same key in flight; operator: a refused key; else neither', () => {
    const info = (statusCode: number) => ({ statusCode });
    const cases: Array<[Error | string, boolean, boolean]> = [
      [new StripeUnavailable('down', info(500), 'server_error'), true, false],
      [new StripeUnavailable('timeout', info(0), 'timeout'), true, false],
      [new RateLimited('slow down', info(429)), true, false],
      [new IdempotencyConflict('in flight', info(409)), true, false],
      [new IdempotencyConflict('other params', info(400)), false, false],
      [new AuthenticationFailed('bad key', info(401)), false, true],
      [new PermissionMissing('needs rak_invoice_write', info(403)), false, true],
      [new NotFound('no such invoice', info(404)), false, false],
      [new InvalidRequest('bad', info(400)), false, false],
      [new TypeError('a bug'), false, false],
      ['a string', false, false],
    ];
    for (const [e, retryable, operator] of cases) {
      expect([isRetryable(e), needsOperator(e)], String(e)).toEqual([retryable, operator]);
    }
  });
});
