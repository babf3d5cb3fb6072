/**
 * `--generate N`: a store of N customers, each with an address, a card and a monthly
 * subscription, whose charges over the 30 days before the clock's now have been attempted (on the
 * emulator clock, with Recharge's retries when they are on), so errored charges with their
 * charge_attempts and retry_date are laid out at the start, and the next 30 days bring renewals,
 * some of which fail. Seeded: the same options give the same store.
 */
import { DAY_MS } from '../../clock.js';
import { Rng } from '../../emulator/rng.js';
import { applyDue, queueCharge } from './billing.js';
import type { CardBehaviour } from './behaviour.js';
import { addCustomer, addSubscription } from './store.js';
import { ALL_SCOPES, type RechargeWorld } from './world.js';

/** The generated store's token: every scope (print it to use it). */
export const GENERATED_TOKEN = 'emulator-recharge-token-full';

export interface GenerateStoreOptions {
  customers: number;
  rngSeed?: number;
  /** Days of history before now (charges attempted on the way). Default 30. */
  historyDays?: number;
  /** The generated token's bucket (default Recharge's 40 / 2 per second). */
  bucket?: { capacity: number; leakPerSec: number } | null;
}

export interface StoreSummary {
  customers: number;
  subscriptions: number;
  charges: number;
  /** Charges in status error at the clock's now. */
  errored: number;
  token: string;
}

const PRICES = ['12.99', '19.00', '24.50', '29.00', '35.00', '49.00'];
const PRODUCTS = ['Coffee beans', 'Tea box', 'Vitamins', 'Dog food', 'Razor blades', 'Snack crate'];
const NAMES = ['Ada', 'Ben', 'Cleo', 'Dan', 'Eve', 'Finn', 'Gia', 'Hal', 'Ivy', 'Jo', 'Kai', 'Lu'];

/** A card: most pay; some are short of funds (paydays help), declined, or need the customer. */
function behaviourFor(rng: Rng, now: number): CardBehaviour {
  const kind = rng.weighted({ ok: 72, funds: 12, declined: 7, update: 5, until: 4 });
  switch (kind) {
    case 'ok':
      return { type: 'succeed' };
    case 'funds':
      return { type: 'chance', p: 0.25, payday_p: 0.7, error_type: 'INSUFFICIENT_FUNDS' };
    case 'declined':
      return { type: 'chance', p: 0.15, error_type: 'CARD_DECLINED' };
    case 'update':
      return { type: 'decline', error_type: rng.chance(0.5) ? 'CARD_EXPIRED' : 'CUSTOMER_NEEDS_TO_UPDATE_CARD' };
    default:
      return { type: 'decline_until', error_type: 'INSUFFICIENT_FUNDS', until_ms: now + rng.int(1, 20) * DAY_MS };
  }
}

export function generateStore(w: RechargeWorld, o: GenerateStoreOptions): StoreSummary {
  const rng = new Rng(o.rngSeed ?? 1);
  const now = w.nowMs();
  const from = now - (o.historyDays ?? 30) * DAY_MS;
  w.clock.set(from);
  for (const title of PRODUCTS) {
    const id = w.id('product');
    const at = new Date(from - 400 * DAY_MS).toISOString().replace(/\.\d{3}Z$/, '+00:00');
    w.products.push({ id, title, created_at: at, updated_at: at });
  }
  for (let i = 0; i < o.customers; i++) {
    const createdMs = from - rng.int(30, 400) * DAY_MS;
    const first = rng.pick(NAMES);
    const { customer, addressId } = addCustomer(w, {
      email: `${first.toLowerCase()}.${i + 1}@example.com`,
      firstName: first,
      lastName: `Customer${i + 1}`,
      createdMs,
      behaviour: behaviourFor(rng, now),
    });
    const sub = addSubscription(w, customer.id, addressId, {
      price: rng.pick(PRICES),
      product: rng.pick(PRODUCTS),
      createdMs,
    });
    // The charge of this cycle, on a day spread over the 30 days of history and the 30 to come.
    queueCharge(w, sub, from + rng.int(0, 60 * 24 - 1) * (DAY_MS / 24), createdMs);
  }
  for (let due = w.agenda.popDue(now); due; due = w.agenda.popDue(now)) {
    if (due.at > w.nowMs()) w.clock.set(due.at);
    applyDue(w, due);
  }
  w.clock.set(now);
  w.tokens.set(GENERATED_TOKEN, {
    name: 'generated (all scopes)',
    scopes: new Set(ALL_SCOPES),
    bucket: o.bucket === undefined ? { capacity: 40, leakPerSec: 2 } : o.bucket,
  });
  let errored = 0;
  for (const row of w.charges.values()) if (row.doc.status === 'error') errored++;
  return {
    customers: w.customers.size,
    subscriptions: w.subscriptions.size,
    charges: w.charges.size,
    errored,
    token: GENERATED_TOKEN,
  };
}
