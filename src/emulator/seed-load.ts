import { DAY_MS, HOUR_MS } from '../clock.js';
import { resolveRetrySettings, type SmartRetriesInput } from './retry-settings.js';
import type { Outcome } from './behaviour.js';
import { createCustomer, createPaymentMethod } from './customers.js';
import { createInvoice, staticPatch } from './invoices.js';
import { currentPeriod } from './renewals.js';
import { attemptInvoice } from './payments.js';
import { resolveTime, runtimeBehaviour, SeedError } from './seed-parse.js';
import type { Seed, SeedAccount, SeedCustomer, SeedInvoice, SeedSubscription } from './seed-schema.js';
import { computeNextAttempt, scheduleAttempt } from './smart-retries.js';
import type { Row } from './store.js';
import { createSubscription } from './subscriptions.js';
import { runJob, type PendingCustomerUpdate } from './timeline.js';
import { AUTOMATIC, type AccountState, type World } from './world.js';

/**
 * Builds the world a seed describes. Past attempts are replayed in time order with the clock
 * set to each attempt, through the same code as live payments, so the charges, payment
 * intents, invoice payments, events and Smart Retries state they imply all exist. Events older
 * than 30 days before the start are not recorded (Stripe keeps 30 days). Future customer
 * updates are put on the timeline; past ones are replayed with the attempts.
 */
export interface LoadSummary {
  accounts: number;
  customers: number;
  invoices: number;
  charges: number;
}

interface Action {
  at: number;
  order: number;
  run: () => void;
}

const EVENT_RETENTION_MS = 30 * DAY_MS;

export function loadSeed(
  world: World, seed: Seed, opts: { start: number; smartRetries: SmartRetriesInput },
): LoadSummary {
  const { start } = opts;
  const actions: Action[] = [];
  const finals: Array<() => void> = [];
  world.beginBulk();
  const specs: Array<[SeedAccount, boolean]> = [[seed.account, true], ...seed.connected_accounts.map((a): [SeedAccount, boolean] => [a, false])];
  for (const [spec, main] of specs) {
    const retry = resolveRetrySettings(spec.smart_retries ?? opts.smartRetries, spec.retry_schedule_days);
    const acct = world.addAccount({
      id: spec.id,
      main,
      name: spec.name,
      email: spec.email,
      country: spec.country,
      default_currency: spec.default_currency,
      timezone: spec.timezone,
      smartRetries: retry.enabled,
      retryDays: retry.retryDays,
      subscriptionAction: retry.subscriptionAction,
      invoiceAction: retry.invoiceAction,
      apiVersion: spec.api_version,
      created: start - 365 * DAY_MS,
    });
    for (const c of spec.customers) loadCustomer(world, acct, spec, c, start, actions, finals);
  }
  for (const k of seed.keys) world.keys.set(k.key, new Set(k.permissions));

  actions.sort((a, b) => a.at - b.at || a.order - b.order);
  for (const a of actions) {
    world.clock.set(a.at);
    world.silent = !seed.history_events || a.at < start - EVENT_RETENTION_MS;
    a.run();
  }
  world.silent = false;
  world.clock.set(start);
  world.endBulk();
  for (const f of finals) f();
  let customers = 0;
  let invoices = 0;
  let charges = 0;
  for (const a of world.accounts.values()) {
    customers += a.customers.size;
    invoices += a.invoices.size;
    charges += a.charges.size;
  }
  return { accounts: world.accounts.size, customers, invoices, charges };
}

function loadCustomer(world: World, acct: AccountState, spec: SeedAccount, c: SeedCustomer, start: number, actions: Action[], finals: Array<() => void>): void {
  const t = (v: Parameters<typeof resolveTime>[0]) => resolveTime(v, start);
  const times = [
    ...c.subscriptions.flatMap((s) => [s.created, ...s.invoices.map((i) => i.created ?? i.attempts[0]?.at)]),
    ...c.invoices.map((i) => i.created ?? i.attempts[0]?.at),
  ].filter((v) => v !== undefined).map((v) => t(v!));
  const created = c.created !== undefined ? t(c.created) : times.length ? Math.min(...times) - DAY_MS : start - 30 * DAY_MS;
  const cus = createCustomer(world, acct, {
    id: c.id,
    name: c.name,
    email: c.email,
    timezone: c.timezone,
    country: c.country,
    currency: c.currency ?? spec.default_currency,
    created,
    metadata: c.metadata,
  });
  let defaultPm: string | null = null;
  for (const p of c.payment_methods) {
    const pm = createPaymentMethod(world, acct, {
      id: p.id,
      card: { brand: p.brand, funding: p.funding, country: p.country ?? c.country ?? spec.country, last4: p.last4, exp_month: p.exp_month, exp_year: p.exp_year, fingerprint: p.fingerprint },
      behaviour: runtimeBehaviour(p.behaviour, start),
      created: p.created !== undefined ? t(p.created) : created,
      customer: cus.id,
      billingName: c.name,
      billingEmail: c.email,
    });
    if (p.default || defaultPm === null) defaultPm = p.default ? pm.id : (defaultPm ?? pm.id);
  }
  if (defaultPm) acct.customers.update(cus, { invoice_settings: { ...cus.doc.invoice_settings, default_payment_method: defaultPm } });
  const currency = c.currency ?? spec.default_currency;
  let number = 0;
  const nextNumber = () => `${cus.doc.invoice_prefix}-${String(++number).padStart(4, '0')}`;
  for (const s of c.subscriptions) loadSubscription(world, acct, cus, s, currency, start, nextNumber, actions, finals);
  for (const inv of c.invoices) loadInvoice(world, acct, cus, null, inv, currency, start, nextNumber, actions, finals);
  loadUpdates(world, acct, cus, c, start, actions);
}

function loadSubscription(
  world: World, acct: AccountState, cus: Row, s: SeedSubscription, customerCurrency: string, start: number,
  nextNumber: () => string, actions: Action[], finals: Array<() => void>,
): void {
  const invTimes = s.invoices.map((i) => (i.created ?? i.attempts[0]?.at)).filter((v) => v !== undefined).map((v) => resolveTime(v!, start));
  const created = s.created !== undefined ? resolveTime(s.created, start) : invTimes.length ? Math.min(...invTimes) : start - 30 * DAY_MS;
  const [periodStart, periodEnd] = currentPeriod(created, s.interval, start);
  const currency = s.currency ?? customerCurrency;
  const sub = createSubscription(world, acct, {
    id: s.id,
    customer: cus.id,
    price: s.price,
    currency,
    interval: s.interval,
    created,
    periodStart,
    periodEnd,
    status: s.status === 'canceled' ? 'canceled' : 'active',
    cancelAtPeriodEnd: s.cancel_at_period_end,
    defaultPaymentMethod: s.default_payment_method ?? null,
    metadata: s.metadata,
  });
  let latest: Row | null = null;
  for (const inv of s.invoices) {
    const row = loadInvoice(world, acct, cus, sub, inv, currency, start, nextNumber, actions, finals);
    if (!latest || row.created >= latest.created) latest = row;
  }
  if (latest) acct.subscriptions.update(sub, { latest_invoice: latest.id });
  if (s.status && s.status !== 'canceled') finals.push(() => acct.subscriptions.update(sub, { status: s.status }));
}

function loadInvoice(
  world: World, acct: AccountState, cus: Row, sub: Row | null, spec: SeedInvoice, currency: string, start: number,
  nextNumber: () => string, actions: Action[], finals: Array<() => void>,
): Row {
  const t = (v: Parameters<typeof resolveTime>[0]) => resolveTime(v, start);
  const attempts = spec.attempts.map((a) => ({ ...a, atMs: t(a.at) })).sort((a, b) => a.atMs - b.atMs);
  const future = attempts.find((a) => a.atMs > start);
  if (future) {
    throw new SeedError([`invoice ${spec.id ?? '(no id)'} of ${cus.id}: attempt at ${new Date(future.atMs).toISOString()} is after the clock start (past attempts only)`]);
  }
  const created = spec.created !== undefined ? t(spec.created) : attempts.length ? attempts[0].atMs - HOUR_MS : start - HOUR_MS;
  let amount = spec.amount;
  const pre = spec.credit_notes.filter((n) => n.type === 'pre_payment').reduce((s, n) => s + n.amount, 0);
  amount = Math.max(0, amount - pre);
  const inv = createInvoice(world, acct, {
    id: spec.id,
    customer: cus,
    subscription: sub,
    amount,
    currency: spec.currency ?? currency,
    collection_method: spec.collection_method,
    billing_reason: spec.billing_reason ?? (sub ? 'subscription_cycle' : 'manual'),
    created,
    due_date: spec.due_date !== undefined ? t(spec.due_date) : undefined,
    period_start: created,
    period_end: created,
    auto_advance: spec.auto_advance,
    description: spec.description,
    metadata: spec.metadata,
    number: nextNumber(),
    draft: spec.status === 'draft',
  });
  if (pre > 0 || spec.credit_notes.length > 0) {
    acct.invoices.update(
      inv,
      staticPatch(inv.doc, {
        subtotal: spec.amount,
        subtotal_excluding_tax: spec.amount,
        total: spec.amount,
        total_excluding_tax: spec.amount,
        pre_payment_credit_notes_amount: pre,
        post_payment_credit_notes_amount: spec.credit_notes.filter((n) => n.type === 'post_payment').reduce((s, n) => s + n.amount, 0),
      }),
    );
    for (const n of spec.credit_notes) {
      acct.credit_notes.insert({
        id: n.id ?? world.ids.next('cn'),
        created: Math.floor((n.created !== undefined ? t(n.created) : created) / 1000),
        amount: n.amount,
        currency: inv.doc.currency,
        customer: cus.id,
        invoice: inv.id,
        number: `${inv.doc._s.number}-CN-01`,
        reason: n.reason,
        subtotal: n.amount,
        total: n.amount,
        subtotal_excluding_tax: n.amount,
        total_excluding_tax: n.amount,
        type: n.type,
        pre_payment_amount: n.type === 'pre_payment' ? n.amount : 0,
        post_payment_amount: n.type === 'post_payment' ? n.amount : 0,
        effective_at: Math.floor(created / 1000),
      });
    }
  }
  attempts.forEach((a, i) => {
    const forced: Outcome | undefined =
      a.outcome === undefined ? undefined
        : a.outcome === 'succeeded' ? { kind: 'succeeded' }
        : a.outcome === 'requires_action' ? { kind: 'requires_action' }
        : { kind: 'declined', decline: a.outcome };
    actions.push({
      at: a.atMs,
      order: i,
      run: () => {
        if (inv.doc.status !== 'open' && inv.doc.status !== 'uncollectible') return;
        attemptInvoice(world, acct, inv, { paymentMethod: a.payment_method, origin: AUTOMATIC, source: 'seed', forced });
      },
    });
  });
  const lastAt = attempts.length ? attempts[attempts.length - 1].atMs : created;
  if (spec.status === 'paid') {
    // A paid invoice whose seeded attempts did not succeed gets one successful payment.
    actions.push({
      at: Math.min(lastAt + (attempts.length ? DAY_MS : HOUR_MS), start),
      order: attempts.length,
      run: () => {
        if (inv.doc.status === 'open') attemptInvoice(world, acct, inv, { origin: AUTOMATIC, source: 'seed', forced: { kind: 'succeeded' } });
      },
    });
  }
  finals.push(() => finishInvoice(world, acct, inv, spec, start, lastAt));
  return inv;
}

/** Final status and Smart Retries slot, as of the clock start (no events). */
function finishInvoice(world: World, acct: AccountState, inv: Row, spec: SeedInvoice, start: number, lastAt: number): void {
  const at = Math.floor(Math.min(lastAt + HOUR_MS, start) / 1000);
  if (spec.status === 'void' && inv.doc.status === 'open') {
    const status_transitions = { ...inv.doc.status_transitions, voided_at: at };
    acct.invoices.update(inv, { status: 'void', auto_advance: false, next_payment_attempt: null, status_transitions });
  } else if (spec.status === 'uncollectible' && inv.doc.status === 'open') {
    const status_transitions = { ...inv.doc.status_transitions, marked_uncollectible_at: at };
    const patch = { status: 'uncollectible', auto_advance: false, next_payment_attempt: null, status_transitions };
    acct.invoices.update(inv, patch);
  }
  if (inv.doc.status !== 'open') return;
  const next =
    spec.next_payment_attempt !== undefined
      ? spec.next_payment_attempt === null ? null : Math.floor(resolveTime(spec.next_payment_attempt, start) / 1000)
      : computeNextAttempt(acct, inv.doc, inv.meta, start);
  acct.invoices.update(inv, { next_payment_attempt: next });
  scheduleAttempt(world, acct, inv);
}

function loadUpdates(world: World, acct: AccountState, cus: Row, c: SeedCustomer, start: number, actions: Action[]): void {
  const pending: PendingCustomerUpdate[] = c.updates.map((u) =>
    u.type === 'new_payment_method'
      ? {
          type: u.type,
          paymentMethodId: u.payment_method.id,
          card: { brand: u.payment_method.brand, funding: u.payment_method.funding, country: u.payment_method.country ?? c.country ?? acct.row.doc.country, last4: u.payment_method.last4, exp_month: u.payment_method.exp_month, exp_year: u.payment_method.exp_year, fingerprint: u.payment_method.fingerprint },
          setDefault: u.set_default,
          behaviour: runtimeBehaviour(u.payment_method.behaviour, start),
        }
      : { type: u.type, paymentMethodId: u.payment_method, behaviour: runtimeBehaviour(u.behaviour, start), exp_month: u.exp_month, exp_year: u.exp_year, last4: u.last4 },
  );
  cus.meta.updates = pending;
  c.updates.forEach((u, index) => {
    const at = resolveTime(u.at, start);
    const job = { kind: 'customer_update' as const, account: acct.id, customer: cus.id, index };
    if (at <= start) actions.push({ at, order: 1000 + index, run: () => void runJob(world, job, at) });
    else world.scheduler.add(at, job);
  });
}
