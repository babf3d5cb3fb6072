/**
 * `/_emulator/*`: driving the Recharge emulator from outside (JSON in, JSON out, no auth).
 *
 *   GET  /_emulator/clock                      → { now_ms, now }
 *   POST /_emulator/clock {"advance_ms": n} | {"set_ms": epochMs}
 *   GET  /_emulator/state                      → counts, settings, webhooks (and deleted ones), deliveries, requests
 *   POST /_emulator/settings {"plan"?, "recharge_retries"?, "retry_days"?, "max_retries_action"?,
 *        "card_update_retry"?}   ("the portal")
 *   POST /_emulator/tokens {"token", "scopes": [...], "name"?, "capacity"?, "leak_per_sec"?}   (null bucket = no limit)
 *   POST /_emulator/customers {"email", "behaviour"?, "price"?, "charge_in_ms"?}
 *        → a customer with an address, a card, a subscription and its first queued charge
 *   POST /_emulator/payment_methods {"customer_id", "behaviour"?, "brand"?, "last4"?}
 *        → the customer saves a new card: customer/payment_method_updated, and Recharge's next-day retry
 *   POST /_emulator/charges {"subscription_id", "scheduled_ms"?}   → a queued charge
 *   POST /_emulator/faults {"retry_after"?: bool, "fail_next"?: n, "fail_after_processing"?: bool}  (injected 500s)
 *   POST /_emulator/flush                      → waits until sent webhooks have been answered
 */
import { HOUR_MS } from '../../clock.js';
import { cardUpdated, queueCharge } from './billing.js';
import { cardBehaviourSchema } from './behaviour.js';
import type { ControlHandler, RechargeApi } from './server.js';
import { addCustomer, addPaymentMethod, addSubscription } from './store.js';
import type { RechargeDispatcher } from './webhooks.js';
import { PLANS, type RechargeWorld, type StorePlan } from './world.js';

export interface ControlTarget {
  w: RechargeWorld;
  api: () => RechargeApi;
  hooks: RechargeDispatcher;
  advance(ms: number): Promise<void>;
  setTime(ms: number): Promise<void>;
  state(): unknown;
}

type Json = Record<string, unknown>;
const bad = (message: string) => ({ status: 400, body: { errors: message } });

export function rechargeControl(t: ControlTarget): ControlHandler {
  return async (method, path, _query, text) => {
    let b: Json = {};
    if (text) {
      try {
        b = JSON.parse(text) as Json;
      } catch {
        return bad('body must be JSON');
      }
    }
    const w = t.w;
    const clock = () => ({ status: 200, body: { now_ms: w.nowMs(), now: new Date(w.nowMs()).toISOString() } });
    switch (`${method} ${path}`) {
      case 'GET /_emulator/health':
        return { status: 200, body: { ok: true } };
      case 'GET /_emulator/clock':
        return clock();
      case 'POST /_emulator/clock':
        if (typeof b.advance_ms === 'number' && b.advance_ms >= 0) await t.advance(b.advance_ms);
        else if (typeof b.set_ms === 'number') await t.setTime(b.set_ms);
        else return bad('expected {"advance_ms": <ms >= 0>} or {"set_ms": <epoch ms>}');
        return clock();
      case 'GET /_emulator/state':
        return { status: 200, body: t.state() };
      case 'POST /_emulator/flush':
        await t.hooks.flush();
        return { status: 200, body: { ok: true } };
      case 'POST /_emulator/settings':
        return settings(w, b);
      case 'POST /_emulator/tokens': {
        if (typeof b.token !== 'string' || b.token.length < 8) return bad('"token" must be a string of 8+ characters');
        if (!Array.isArray(b.scopes) || !b.scopes.every((s) => typeof s === 'string'))
          return bad('"scopes" must be strings');
        const bucket =
          b.capacity === null
            ? null
            : {
                capacity: typeof b.capacity === 'number' ? b.capacity : 40,
                leakPerSec: typeof b.leak_per_sec === 'number' ? b.leak_per_sec : 2,
              };
        w.tokens.set(b.token, {
          name: typeof b.name === 'string' ? b.name : 'token',
          scopes: new Set(b.scopes),
          bucket,
        });
        return { status: 200, body: { ok: true } };
      }
      case 'POST /_emulator/customers': {
        if (typeof b.email !== 'string') return bad('"email" is required');
        const beh = cardBehaviourSchema.safeParse(b.behaviour ?? { type: 'succeed' });
        if (!beh.success) return bad(`invalid behaviour: ${beh.error.issues.map((i) => i.message).join('; ')}`);
        const price = typeof b.price === 'string' ? b.price : '30.00';
        if (!/^\d+(\.\d{1,2})?$/.test(price)) return bad('"price" must be a decimal string such as "30.00"');
        const { customer, addressId } = addCustomer(w, { email: b.email, behaviour: beh.data });
        const sub = addSubscription(w, customer.id, addressId, { price });
        const inMs = typeof b.charge_in_ms === 'number' ? b.charge_in_ms : HOUR_MS;
        const charge = queueCharge(w, sub, w.nowMs() + inMs);
        return { status: 200, body: { customer, subscription: sub, charge: charge.doc } };
      }
      case 'POST /_emulator/payment_methods': {
        const cus = typeof b.customer_id === 'number' ? w.customers.get(b.customer_id) : undefined;
        if (!cus) return bad(`no such customer ${String(b.customer_id)}`);
        const beh = cardBehaviourSchema.safeParse(b.behaviour ?? { type: 'succeed' });
        if (!beh.success) return bad(`invalid behaviour: ${beh.error.issues.map((i) => i.message).join('; ')}`);
        const pm = addPaymentMethod(w, cus.id, { behaviour: beh.data, brand: str(b.brand), last4: str(b.last4) });
        const touched = cardUpdated(w, cus.id);
        w.emit('customer/payment_method_updated', { customer: cus });
        return { status: 200, body: { payment_method: pm.doc, charges_rescheduled: touched } };
      }
      case 'POST /_emulator/charges': {
        const sub = typeof b.subscription_id === 'number' ? w.subscriptions.get(b.subscription_id) : undefined;
        if (!sub) return bad(`no such subscription ${String(b.subscription_id)}`);
        const at = typeof b.scheduled_ms === 'number' ? b.scheduled_ms : w.nowMs() + HOUR_MS;
        return { status: 200, body: { charge: queueCharge(w, sub, at).doc } };
      }
      case 'POST /_emulator/faults': {
        const api = t.api();
        if (typeof b.retry_after === 'boolean') api.retryAfter = b.retry_after;
        if (b.fail_next !== undefined) {
          if (typeof b.fail_next !== 'number' || !Number.isInteger(b.fail_next) || b.fail_next < 0) {
            return bad('"fail_next" must be an integer >= 0');
          }
          api.failNext = b.fail_next;
          api.failAfter = b.fail_after_processing === true;
        }
        return {
          status: 200,
          body: { retry_after: api.retryAfter, fail_next: api.failNext, fail_after: api.failAfter },
        };
      }
      default:
        return { status: 404, body: { errors: `Unknown control endpoint ${method} ${path}` } };
    }
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function settings(w: RechargeWorld, b: Json) {
  const s = { ...w.settings };
  if (b.plan !== undefined) {
    if (!PLANS.includes(b.plan as StorePlan)) return bad(`"plan" must be one of ${PLANS.join(', ')}`);
    s.plan = b.plan as StorePlan;
  }
  if (b.recharge_retries !== undefined) {
    if (typeof b.recharge_retries !== 'boolean') return bad('"recharge_retries" must be true or false');
    s.rechargeRetries = b.recharge_retries;
  }
  if (b.retry_days !== undefined) {
    const d = b.retry_days;
    if (!Array.isArray(d) || d.length > 20 || !d.every((x) => typeof x === 'number' && x > 0 && x <= 30)) {
      return bad('"retry_days" must be up to 20 numbers of days from 0 to 30 (exclusive of 0)');
    }
    s.retryDays = d as number[];
  }
  if (b.card_update_retry !== undefined) {
    if (typeof b.card_update_retry !== 'boolean') return bad('"card_update_retry" must be true or false');
    s.cardUpdateRetry = b.card_update_retry;
  }
  if (b.max_retries_action !== undefined) {
    if (b.max_retries_action !== 'cancel' && b.max_retries_action !== 'nothing') {
      return bad('"max_retries_action" must be cancel or nothing');
    }
    s.maxRetriesAction = b.max_retries_action;
  }
  if (w.settings.rechargeRetries && !s.rechargeRetries) {
    // Switched off in the portal: the retries Recharge had planned are dropped (assumption), except the
    // next-day attempt after a card update, which is not part of the failed-charge retry settings.
    for (const row of w.charges.values()) {
      if (row.retryMs !== null && row.doc.error_type !== 'CARD_UPDATED_NOW_PENDING_NEXT_ATTEMPT') {
        row.retryMs = null;
        row.doc.retry_date = null;
      }
    }
  }
  w.settings = s;
  const { clientSecret: _secret, ...shown } = s;
  return { status: 200, body: shown };
}
