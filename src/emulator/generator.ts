import { DAY_MS, HOUR_MS } from '../clock.js';
import type { DeclineSpec } from './declines.js';
import { COUNTRIES, FIRST_NAMES, LAST_NAMES, PRICES, SCENARIO_WEIGHTS, declineFor, paydays, type Scenario } from './generator-data.js';
import type { SmartRetriesInput } from './retry-settings.js';
import { Rng, base62, flat } from './rng.js';
import { trustSeed } from './seed-parse.js';
import type { Behaviour, Seed, SeedAccount, SeedCustomer, SeedCustomerUpdate, SeedInvoice, SeedPaymentMethod, SeedSubscription } from './seed-schema.js';
import { REQUIRED_PERMISSIONS } from '../config/settings.js';
import { API_PERMISSIONS } from '../stripe/permissions.js';

/**
 * A synthetic merchant: N customers with subscriptions, most of them in dunning with a realistic
 * decline mix (about half insufficient funds; generic/do-not-honor; expired cards; soft
 * declines with advice codes; a few hard declines — lost, stolen, fraudulent, pickup; Mastercard
 * merchant advice codes 01/02/03/21/24–26), customers in several countries and timezones,
 * payday-bound recoveries, cards that start working after a while, and customers who update
 * their card later. The same `rngSeed` always yields the same seed (deep-equal).
 *
 * The result is a complete, valid `Seed` (every default filled in, as seedSchema would), built
 * without running the schema so that 100,000 customers take a second, not a minute; a test
 * checks that seedSchema.parse(generated) equals it.
 */
export interface GenerateOptions {
  customers: number;
  /** Default 1. */
  rngSeed?: number;
  /** Connected accounts; > 0 puts every customer on a connected account (Connect scope). Default 0. */
  accounts?: number;
  /** Smart Retries on every generated account (true/false, "on:30d:8", …: retry-settings.ts); default true. */
  smartRetries?: SmartRetriesInput;
  /**
   * Clock start, epoch ms; default the current time (whole seconds). Everything is laid out
   * relative to it: same `rngSeed` and `start` → the same merchant.
   */
  start?: number;
  /** Record the events of the seeded history (default true; false halves the memory of big merchants). */
  historyEvents?: boolean;
}

/** A restricted key with the permissions onboarding asks for (DESIGN.md §1), Connect scope included. */
export const GENERATED_KEY = 'rk_test_emulatorrecover';
export const GENERATED_KEY_PERMISSIONS: string[] = [...REQUIRED_PERMISSIONS, 'rak_connected_account_read'];
/** A restricted key with what the Recovery API charges with (`recover onboard api`: requiredPermissions('api')). */
export const GENERATED_API_KEY = 'rk_test_emulatorrecoverapi';
export const GENERATED_API_KEY_PERMISSIONS: string[] = [...API_PERMISSIONS];

/** Smart-Retries-like days after the first failure at which history attempts happened. */
const HISTORY_SLOTS = [0, 1, 2, 4, 6, 8, 10, 13];

export function generateMerchant(opts: GenerateOptions): Seed {
  if (!Number.isInteger(opts.customers) || opts.customers < 0) throw new RangeError(`customers must be an integer >= 0 (got ${opts.customers})`);
  const rng = new Rng(opts.rngSeed ?? 1);
  const start = opts.start ?? Math.floor(Date.now() / 1000) * 1000;
  const nAccounts = opts.accounts ?? 0;
  const account = (name: string): SeedAccount => ({
    id: `acct_1${base62(rng, 15)}`,
    name,
    country: 'US',
    default_currency: 'usd',
    timezone: 'America/New_York',
    smart_retries: opts.smartRetries ?? true,
    customers: [],
  });
  const main = account('Emulated Platform');
  const connected = Array.from({ length: nAccounts }, (_, i) => account(`Connected merchant ${i + 1}`));
  const homes = nAccounts > 0 ? connected : [main];
  for (let i = 0; i < opts.customers; i++) homes[i % homes.length].customers.push(customer(rng, i, start));
  return trustSeed({
    version: 1,
    start,
    history_events: opts.historyEvents ?? true,
    account: main,
    connected_accounts: connected,
    keys: [
      { key: GENERATED_KEY, permissions: GENERATED_KEY_PERMISSIONS },
      { key: GENERATED_API_KEY, permissions: GENERATED_API_KEY_PERMISSIONS },
    ],
  });
}

function invoice(fields: Pick<SeedInvoice, 'id' | 'amount' | 'created'> & Partial<SeedInvoice>): SeedInvoice {
  return { collection_method: 'charge_automatically', auto_advance: true, attempts: [], metadata: {}, credit_notes: [], ...fields };
}

function customer(rng: Rng, i: number, start: number): SeedCustomer {
  const place = rng.pick(COUNTRIES);
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const tag = flat(`${i.toString(36).padStart(5, '0')}${base62(rng, 7)}`);
  const brand = rng.weighted({ visa: 55, mastercard: 35, amex: 10 });
  const card = (suffix: string, behaviour: Behaviour): SeedPaymentMethod => ({
    id: flat(`pm_${tag}${suffix}`),
    brand,
    funding: rng.weighted({ credit: 60, debit: 35, prepaid: 5 }),
    country: place.country,
    last4: String(rng.int(0, 9999)).padStart(4, '0'),
    exp_month: rng.int(1, 12),
    exp_year: new Date(start).getUTCFullYear() + rng.int(0, 4),
    behaviour,
  });
  const price = rng.pick(PRICES[place.currency]);
  const subCreated = start - rng.int(30, 400) * DAY_MS;
  const timezone = rng.chance(0.7) ? rng.pick(place.zones) : undefined;
  const invoices: SeedInvoice[] = [];
  const sub: SeedSubscription = {
    id: flat(`sub_${tag}`),
    price,
    currency: place.currency,
    // Billing anchor = creation; one in ten bills yearly (from the index, so the random draws, and
    // with them every other generated fact, stay what they were).
    interval: i % 10 === 7 ? 'year' : 'month',
    created: subCreated,
    cancel_at_period_end: false,
    metadata: {},
    invoices,
  };
  const c: SeedCustomer = {
    id: flat(`cus_${tag}`),
    name: flat(`${first} ${last}`),
    email: flat(`${first}.${last}.${i}@example.com`.toLowerCase()),
    ...(timezone ? { timezone } : {}),
    country: place.country,
    currency: place.currency,
    created: subCreated - rng.int(0, 30) * DAY_MS,
    metadata: {},
    payment_methods: [],
    subscriptions: [sub],
    invoices: [],
    updates: [],
  };
  const kind = rng.weighted({ dunning: 70, healthy: 20, action: 4, fresh: 3, closed: 3 });
  if (kind === 'healthy') {
    c.payment_methods = [card('a', { type: 'succeed' })];
    invoices.push(paid(rng, tag, price, start - rng.int(1, 28) * DAY_MS - rng.int(0, 23) * HOUR_MS));
    return c;
  }
  if (kind === 'fresh') {
    c.payment_methods = [card('a', rng.chance(0.5) ? { type: 'succeed' } : { type: 'decline', decline_code: 'insufficient_funds' })];
    invoices.push(invoice({ id: flat(`in_${tag}o`), amount: price, created: start - rng.int(5, 50) * 60_000 }));
    return c;
  }
  const scenario: Scenario = kind === 'action' ? 'authentication_required' : rng.weighted(SCENARIO_WEIGHTS);
  const decline = declineFor(rng, scenario, brand);
  const firstFail = start - rng.int(0, 18) * DAY_MS - rng.int(1, 23) * HOUR_MS;
  const future = futureBehaviour(rng, scenario, decline, start);
  c.payment_methods = [card('a', kind === 'action' ? { type: 'requires_action' } : future.card)];
  if (future.update && kind !== 'closed') {
    const u = future.update;
    const update: SeedCustomerUpdate =
      u.type === 'new_payment_method'
        ? { type: 'new_payment_method', at: u.at, payment_method: card('b', { type: 'succeed' }), set_default: true }
        : { type: 'automatic_update', at: u.at, payment_method: flat(`pm_${tag}a`), behaviour: { type: 'succeed' } };
    c.updates = [update];
  }
  if (rng.chance(0.5)) invoices.push(paid(rng, tag, price, firstFail - 30 * DAY_MS));
  const closedShift = kind === 'closed' ? -rng.int(35, 60) * DAY_MS : 0;
  const horizon = kind === 'closed' ? firstFail + 14 * DAY_MS : start;
  const attempts = HISTORY_SLOTS.filter((d) => firstFail + d * DAY_MS < horizon)
    .slice(0, kind === 'closed' ? 8 : 4)
    .map((d, n) => ({
      // A few hours of jitter, never past the horizon (seeded attempts are in the past).
      at: Math.min(firstFail + d * DAY_MS + (n === 0 ? 0 : rng.int(-3, 3) * HOUR_MS), horizon - 60_000) + closedShift,
      outcome: kind === 'action' ? ('requires_action' as const) : decline,
    }));
  invoices.push(
    invoice({
      id: flat(`in_${tag}f`),
      amount: price,
      billing_reason: rng.chance(0.1) ? 'subscription_create' : 'subscription_cycle',
      created: firstFail - HOUR_MS + closedShift,
      attempts,
      ...(kind === 'closed' ? { status: rng.chance(0.5) ? ('uncollectible' as const) : ('void' as const) } : {}),
    }),
  );
  if (kind === 'closed') sub.status = 'canceled';
  return c;
}

function paid(rng: Rng, tag: string, amount: number, created: number): SeedInvoice {
  return invoice({ id: flat(`in_${tag}p`), amount, created, status: 'paid', attempts: [{ at: created + HOUR_MS + rng.int(0, 59) * 60_000, outcome: 'succeeded' }] });
}

interface Future {
  card: Behaviour;
  update?: { type: 'new_payment_method'; at: number } | { type: 'automatic_update'; at: number };
}

/** What happens from now on: payday recoveries, cards that start working, card updates, or nothing. */
function futureBehaviour(rng: Rng, scenario: Scenario, decline: DeclineSpec, start: number): Future {
  const declineBehaviour: Behaviour = { type: 'decline', ...decline };
  const later = (lo: number, hi: number) => start + rng.int(lo * 24, hi * 24) * HOUR_MS;
  const newCard = (): Future => ({ card: declineBehaviour, update: { type: 'new_payment_method', at: later(1, 20) } });
  const r = rng.next();
  switch (scenario) {
    case 'insufficient_funds':
      if (r < 0.4) return { card: { type: 'schedule', decline, succeed_on_days: paydays(rng) } };
      if (r < 0.7) return { card: { type: 'schedule', decline, succeed_after: later(1, 25) } };
      if (r < 0.85) return { card: declineBehaviour };
      return newCard();
    case 'expired_card':
    case 'incorrect_cvc':
      if (r < 0.15) return { card: declineBehaviour, update: { type: 'automatic_update', at: later(1, 10) } };
      if (r < 0.55) return newCard();
      return { card: declineBehaviour };
    case 'lost_card':
    case 'stolen_card':
    case 'fraudulent':
    case 'pickup_card':
    case 'do_not_try_again':
    case 'revocation_of_authorization':
      return r < 0.2 ? newCard() : { card: declineBehaviour };
    case 'authentication_required':
      return { card: { type: 'requires_action' } };
    default:
      if (r < 0.5) return { card: { type: 'schedule', decline, succeed_after: later(1, 15) } };
      if (r < 0.7) return newCard();
      return { card: declineBehaviour };
  }
}
