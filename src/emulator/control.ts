import { checkoutControl } from './checkout-page.js';
import { attachPaymentMethod, createPaymentMethod, updateCustomer } from './customers.js';
import { createInvoice, withNextAttempt } from './invoices.js';
import { attemptInvoice } from './payments.js';
import { render } from './render.js';
import { scheduleAttempt } from './smart-retries.js';
import { runtimeBehaviour } from './seed-parse.js';
import { behaviourSchema } from './seed-schema.js';
import type { ControlHandler } from './server.js';
import type { EmulatorState, StateOptions } from './state.js';
import { AUTOMATIC, type World } from './world.js';

/**
 * `/_emulator/*`: driving the emulator from outside the process (JSON in, JSON out, no auth).
 *
 *   GET  /_emulator/clock                       → { now_ms, now }
 *   POST /_emulator/clock  {"advance_ms": n} | {"set_ms": epochMs}
 *   GET  /_emulator/state[?account=acct_…][&summary=1]
 *   POST /_emulator/faults {"latencyMs"?, "errorRate"?, "rateLimitPerSec"?}   (null/0 = no limit)
 *   POST /_emulator/flush                       → waits until queued webhooks are delivered
 *   POST /_emulator/payment_methods {"customer", "account"?, "brand"?, "last4"?, "behaviour"?, "set_default"?}
 *        → the customer adds a card (payment_method.attached, customer.updated)
 *   POST /_emulator/invoices {"customer", "amount", "account"?, "subscription"?, "currency"?, "attempt_now"?}
 *        → a new open invoice (invoice.created, invoice.finalized); Stripe's first attempt follows
 *          one hour later on the emulator clock, or at once with "attempt_now": true
 *   GET  /_emulator/checkout/:id                → the hosted Checkout page of a setup session (HTML)
 *   POST /_emulator/checkout/:id/complete {"card"?: "pm_card_visa" | "4242424242424242"}
 *        → the customer saves that test card (default pm_card_visa): { session, setup_intent, payment_method };
 *          a card the issuer declines answers 402 and leaves the session open (checkout.ts)
 */
export interface ControlTarget {
  world: World;
  advance(ms: number): Promise<void>;
  setTime(ms: number): Promise<void>;
  flushWebhooks(): Promise<void>;
  setFaults(f: { latencyMs?: number; errorRate?: number; rateLimitPerSec?: number | null }): void;
  faults(): unknown;
  state(opts?: StateOptions): EmulatorState;
}

type Json = Record<string, unknown>;

const bad = (message: string) => ({ status: 400, body: { error: { type: 'invalid_request_error', message } } });

export function controlHandler(t: ControlTarget): ControlHandler {
  return async (method, path, query, text) => {
    let body: Json = {};
    if (text) {
      try {
        body = JSON.parse(text) as Json;
      } catch {
        return bad('body must be JSON');
      }
    }
    const clock = () => ({ status: 200, body: { now_ms: t.world.nowMs(), now: new Date(t.world.nowMs()).toISOString() } });
    const route = `${method} ${path}`;
    const checkout = /^\/_emulator\/checkout\/([^/]+)(\/complete)?$/.exec(path);
    if (checkout) return checkoutControl(t.world, method, decodeURIComponent(checkout[1]), !!checkout[2], body);
    switch (route) {
      case 'GET /_emulator/clock':
        return clock();
      case 'POST /_emulator/clock': {
        const advance = body.advance_ms;
        const set = body.set_ms;
        if (typeof advance === 'number' && advance >= 0) await t.advance(advance);
        else if (typeof set === 'number') await t.setTime(set);
        else return bad('expected {"advance_ms": <ms >= 0>} or {"set_ms": <epoch ms>}');
        return clock();
      }
      case 'GET /_emulator/state': {
        const q = new URLSearchParams(query);
        return { status: 200, body: t.state({ account: q.get('account') ?? undefined, summary: q.get('summary') === '1' }) };
      }
      case 'POST /_emulator/faults': {
        const pick = (a: string, b: string) => (body[a] !== undefined ? body[a] : body[b]) as number | null | undefined;
        try {
          t.setFaults({
            latencyMs: pick('latencyMs', 'latency_ms') ?? undefined,
            errorRate: pick('errorRate', 'error_rate') ?? undefined,
            rateLimitPerSec: pick('rateLimitPerSec', 'rate_limit_per_sec'),
          });
        } catch (e) {
          return bad((e as Error).message);
        }
        return { status: 200, body: t.faults() };
      }
      case 'POST /_emulator/flush':
        await t.flushWebhooks();
        return { status: 200, body: { ok: true } };
      case 'POST /_emulator/payment_methods':
        return addCard(t.world, body);
      case 'POST /_emulator/invoices':
        return addInvoice(t.world, body);
      case 'GET /_emulator/health':
        return { status: 200, body: { ok: true } };
      default:
        return { status: 404, body: { error: { type: 'invalid_request_error', message: `Unknown control endpoint ${route}` } } };
    }
  };
}

function addCard(world: World, body: Json) {
  const acct = typeof body.account === 'string' ? world.accounts.get(body.account) : world.main;
  if (!acct) return bad(`no such account ${String(body.account)}`);
  const cus = typeof body.customer === 'string' ? acct.customers.get(body.customer) : undefined;
  if (!cus) return bad(`no such customer ${String(body.customer)} in ${acct.id}`);
  const parsed = behaviourSchema.safeParse(body.behaviour ?? { type: 'succeed' });
  if (!parsed.success) return bad(`invalid behaviour: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  const pm = createPaymentMethod(world, acct, {
    card: {
      brand: typeof body.brand === 'string' ? body.brand : 'visa',
      funding: typeof body.funding === 'string' ? body.funding : 'credit',
      country: typeof body.country === 'string' ? body.country : (cus.doc.address?.country ?? acct.row.doc.country),
      last4: typeof body.last4 === 'string' ? body.last4 : undefined,
    },
    behaviour: runtimeBehaviour(parsed.data, world.nowMs()),
    created: world.nowMs(),
    customer: null,
    billingName: cus.doc.name,
    billingEmail: cus.doc.email,
  });
  attachPaymentMethod(world, acct, pm, cus.id, AUTOMATIC);
  if (body.set_default !== false) {
    updateCustomer(world, acct, cus, { invoice_settings: { ...cus.doc.invoice_settings, default_payment_method: pm.id } }, AUTOMATIC);
  }
  return { status: 200, body: render('payment_method', pm.doc) };
}

function addInvoice(world: World, body: Json) {
  const acct = typeof body.account === 'string' ? world.accounts.get(body.account) : world.main;
  if (!acct) return bad(`no such account ${String(body.account)}`);
  const cus = typeof body.customer === 'string' ? acct.customers.get(body.customer) : undefined;
  if (!cus) return bad(`no such customer ${String(body.customer)} in ${acct.id}`);
  const amount = body.amount;
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 0) return bad('"amount" must be an integer >= 0 (minor units)');
  const subId = typeof body.subscription === 'string' ? body.subscription : undefined;
  const sub = subId ? acct.subscriptions.get(subId) : undefined;
  if (subId && !sub) return bad(`no such subscription ${subId}`);
  const currency = typeof body.currency === 'string' ? body.currency : ((sub?.doc.currency ?? cus.doc.currency ?? acct.row.doc.default_currency) as string);
  const now = world.nowMs();
  const inv = createInvoice(world, acct, {
    customer: cus,
    subscription: sub ?? null,
    amount,
    currency,
    collection_method: 'charge_automatically',
    billing_reason: sub ? 'subscription_cycle' : 'manual',
    created: now,
    auto_advance: true,
    metadata: {},
    number: `${cus.doc.invoice_prefix}-${String(acct.invoices.size + 1).padStart(4, '0')}`,
    draft: false,
  });
  world.emit(acct, 'invoice.created', 'invoice', inv.doc);
  world.emit(acct, 'invoice.finalized', 'invoice', inv.doc);
  if (sub) acct.subscriptions.update(sub, { latest_invoice: inv.id });
  if (body.attempt_now === true) {
    attemptInvoice(world, acct, inv, { origin: AUTOMATIC, source: 'first_attempt' });
  } else {
    acct.invoices.update(inv, withNextAttempt(acct, inv, {}, now));
    scheduleAttempt(world, acct, inv);
  }
  return { status: 200, body: render('invoice', inv.doc) };
}
