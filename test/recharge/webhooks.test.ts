/**
 * Recharge webhook verification and normalisation.
 *
 * Sources: Recharge changelog "Webhook signatures now support timestamp verification"
 * (changelog.getrecharge.com: t=…,v1=… bound to the send time, deliveries older than 48 hours
 * refused, the legacy scheme still supported); hookdeck/webhook-skills skills/recharge-webhooks
 * references/verification.md (header X-Recharge-Webhook-Signature, v1 = hex HMAC-SHA256 keyed by
 * the API client secret over "<t>.<raw body>"; X-Recharge-Hmac-Sha256 = hex SHA-256 of secret +
 * raw body, not an HMAC); issue 17 §2. Payload shape `{"charge": {...}}` with 2021-11 fields
 * (status lower case, total_price a decimal string, charge_attempts, retry_date, error_type):
 * src/connectors/recharge/types.ts and its sources.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  normaliseRecharge,
  signLegacy,
  signV1,
  verifyRechargeWebhook,
  type Headers,
} from '../../src/connectors/recharge/webhooks.js';

const SECRET = 'rc_client_secret_test_0123456789';
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const NOW_S = NOW / 1000;

function charge(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 880001,
    address_id: 77,
    customer: { id: 5501, email: 'a@example.com' },
    status: 'error',
    error: 'Card was declined',
    error_type: 'CARD_DECLINED',
    charge_attempts: 1,
    retry_date: null,
    currency: 'USD',
    total_price: '19.99',
    created_at: '2026-11-30T09:00:00+00:00',
    updated_at: '2026-12-01T09:00:00+00:00',
    processed_at: null,
    line_items: [{ subscription_id: 9001, title: 'Coffee', quantity: 1, price: '19.99' }],
    ...over,
  };
}

function delivery(topic: string, body: unknown, sign: 'v1' | 'legacy' | 'both' = 'v1', at = NOW_S) {
  const raw = Buffer.from(JSON.stringify(body));
  const headers: Headers = { 'x-recharge-topic': topic };
  if (sign !== 'legacy') headers['x-recharge-webhook-signature'] = signV1(raw, SECRET, at);
  if (sign !== 'v1') headers['x-recharge-hmac-sha256'] = signLegacy(raw, SECRET);
  return { raw, headers };
}

describe('verifyRechargeWebhook', () => {
  it('accepts the timestamped scheme and the legacy one, computed independently here', () => {
    const { raw, headers } = delivery('charge/failed', { charge: charge() }, 'both');
    // The two schemes, written out from the docs rather than from the module under test.
    const mac = crypto.createHmac('sha256', SECRET).update(`${NOW_S}.${raw.toString()}`).digest('hex');
    expect(headers['x-recharge-webhook-signature']).toBe(`t=${NOW_S},v1=${mac}`);
    expect(headers['x-recharge-hmac-sha256']).toBe(
      crypto
        .createHash('sha256')
        .update(SECRET + raw.toString())
        .digest('hex'),
    );
    const v = verifyRechargeWebhook(raw, headers, SECRET, NOW);
    expect(v).toMatchObject({ topic: 'charge/failed', scheme: 'v1', signedAt: NOW });
    delete headers['x-recharge-webhook-signature'];
    expect(verifyRechargeWebhook(raw, headers, SECRET, NOW)).toMatchObject({ scheme: 'legacy', signedAt: null });
  });

  it('refuses a forged, tampered, unsigned or topic-less delivery', () => {
    const { raw, headers } = delivery('charge/failed', { charge: charge() }, 'both');
    const tampered = Buffer.from(raw.toString().replace('19.99', '0.01'));
    expect(() => verifyRechargeWebhook(tampered, headers, SECRET, NOW)).toThrow(/does not match the body/);
    expect(() => verifyRechargeWebhook(raw, headers, 'another_secret', NOW)).toThrow(/does not match/);
    const legacyOnly = { ...headers, 'x-recharge-webhook-signature': undefined };
    expect(() => verifyRechargeWebhook(tampered, legacyOnly, SECRET, NOW)).toThrow(/x-recharge-hmac-sha256 does not/);
    expect(() => verifyRechargeWebhook(raw, { 'x-recharge-topic': 'charge/failed' }, SECRET, NOW)).toThrow(/unsigned/);
    expect(() => verifyRechargeWebhook(raw, { ...headers, 'x-recharge-topic': undefined }, SECRET, NOW)).toThrow(
      /missing x-recharge-topic/,
    );
  });

  it('holds the 48-hour window, and a stale timestamped header is not rescued by the legacy one', () => {
    const H48 = 48 * 3600;
    const edge = delivery('charge/paid', { charge: charge() }, 'v1', NOW_S - H48);
    expect(verifyRechargeWebhook(edge.raw, edge.headers, SECRET, NOW).scheme).toBe('v1');
    for (const at of [NOW_S - H48 - 1, NOW_S + H48 + 1]) {
      const d = delivery('charge/paid', { charge: charge() }, 'both', at);
      expect(() => verifyRechargeWebhook(d.raw, d.headers, SECRET, NOW)).toThrow(/outside the 48 h window/);
    }
  });

  it('gives a redelivery of the same body the same delivery id, and another body another', () => {
    const a = delivery('charge/failed', { charge: charge() }, 'v1', NOW_S - 60);
    const b = delivery('charge/failed', { charge: charge() }, 'v1', NOW_S);
    const c = delivery('charge/failed', { charge: charge({ charge_attempts: 2 }) });
    const id = (d: typeof a) => verifyRechargeWebhook(d.raw, d.headers, SECRET, NOW).deliveryId;
    expect(id(a)).toMatch(/^evt_rc_[0-9a-f]{32}$/);
    expect(id(a)).toBe(id(b));
    expect(id(c)).not.toBe(id(a));
  });
});

describe('normaliseRecharge', () => {
  const norm = (topic: string, body: unknown) => {
    const d = delivery(topic, body);
    return normaliseRecharge(verifyRechargeWebhook(d.raw, d.headers, SECRET, NOW), 'rc_shop');
  };

  it('turns charge/failed into a failed case event in minor units with the mapped decline', () => {
    expect(norm('charge/failed', { charge: charge({ retry_date: '2026-12-04T09:00:00' }) })).toEqual([
      {
        kind: 'failed',
        platform: 'recharge',
        accountId: 'rc_shop',
        externalId: '880001',
        customerId: '5501',
        subscriptionId: '9001',
        amount: 1999,
        currency: 'usd',
        declineCode: 'generic_decline',
        platformCode: 'CARD_DECLINED',
        platformAttempts: 1,
        platformRetryAt: Date.UTC(2026, 11, 4, 9),
        createdAt: Date.UTC(2026, 10, 30, 9),
        failedAt: Date.UTC(2026, 11, 1, 9),
      },
    ]);
    const [yen] = norm('charge/failed', {
      charge: charge({ currency: 'JPY', total_price: '1500.00', error_type: 'INSUFFICIENT_FUNDS' }),
    });
    expect(yen).toMatchObject({ amount: 1500, currency: 'jpy', declineCode: 'insufficient_funds' });
  });

  it('closes order problems instead of retrying them (not recover’s: issue 17 §2)', () => {
    for (const t of ['INVENTORY_OUT_OF_STOCK', 'SHIPPING_RATE_ERROR']) {
      expect(norm('charge/failed', { charge: charge({ error_type: t }) })).toEqual([
        expect.objectContaining({ kind: 'closed', externalId: '880001', reason: `not a payment error: ${t}` }),
      ]);
    }
  });

  it('normalises paid, refunded, max retries, subscription cancelled and card updated; ignores others', () => {
    const paid = charge({ status: 'success', processed_at: '2026-12-01T10:00:00+00:00', error_type: null });
    expect(norm('charge/paid', { charge: paid })).toEqual([
      expect.objectContaining({ kind: 'paid', amount: 1999, currency: 'usd', at: Date.UTC(2026, 11, 1, 10) }),
    ]);
    expect(norm('charge/refunded', { charge: charge({ status: 'refunded' }) })[0]).toMatchObject({
      kind: 'closed',
      reason: 'refunded',
    });
    expect(norm('charge/max_retries_reached', { charge: charge() })[0].kind).toBe('retries_exhausted');
    const sub = { id: 9001, status: 'cancelled', updated_at: '2026-12-01T11:00:00Z', cancelled_at: null };
    expect(norm('subscription/cancelled', { subscription: sub })).toEqual([
      {
        kind: 'subscription_canceled',
        platform: 'recharge',
        accountId: 'rc_shop',
        subscriptionId: '9001',
        at: Date.UTC(2026, 11, 1, 11),
      },
    ]);
    const cus = { id: 5501, updated_at: '2026-12-01T11:30:00Z' };
    expect(norm('customer/payment_method_updated', { customer: cus })[0]).toMatchObject({
      kind: 'card_updated',
      customerId: '5501',
    });
    expect(norm('order/created', { order: { id: 1 } })).toEqual([]);
  });

  it('refuses a signed payload that is not a charge (the inbox records the error)', () => {
    expect(() => norm('charge/failed', { charge: { id: 1 } })).toThrow();
  });
});
