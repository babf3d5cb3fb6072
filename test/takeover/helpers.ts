/**
 * A seeded Connect merchant in the emulator, a database onboarded against it, and the
 * expected takeover outcome computed from the emulator's own state (its invoices, charges and
 * subscriptions) — independently of the code under test.
 */
import { afterEach } from 'vitest';
import { generateMerchant, type EmulatorOptions, type EmulatorState, type SeedInput } from '../../src/emulator/index.js';
import { openStore, type Case, type Store } from '../../src/db/index.js';
import type { ContextOverrides } from '../../src/context.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { LEAST_CONNECT_KEY, LEAST_FALLBACK_KEY, emulator, tempDb } from '../helpers/env.js';

export const DAY = 86_400_000;
export const SKIP_KEYS = ['paid', 'not_open', 'not_automatic', 'zero_amount', 'not_attempted', 'subscription_create', 'subscription_canceled', 'needs_customer_action', 'past_dunning_window'] as const;
export type Reason = (typeof SKIP_KEYS)[number];

const openStores: Store[] = [];
afterEach(() => {
  while (openStores.length) openStores.pop()!.close();
});

const DECLINE = { type: 'decline', decline_code: 'insufficient_funds' } as const;

/** Hand-made customers that the generator does not produce: one of each remaining skip reason, and more. */
function extraCustomers(tag: string) {
  const sub = (inv: object, status?: string) => [{ price: 2900, created: '-100d', ...(status ? { status } : {}), invoices: [{ amount: 2900, ...inv }] }];
  return [
    // First failed 45 days ago: past a 30-day dunning window.
    { id: `cus_old${tag}`, payment_methods: [{ behaviour: DECLINE }], subscriptions: sub({ id: `in_old${tag}`, created: '-45d', attempts: [{ at: '-45d' }, { at: '-44d' }] }) },
    // The subscription was canceled, the invoice left open.
    { id: `cus_canc${tag}`, payment_methods: [{ behaviour: DECLINE }], subscriptions: sub({ id: `in_canc${tag}`, created: '-3d', attempts: [{ at: '-3d' }] }, 'canceled') },
    // Fully credited after it failed: nothing left to collect.
    { id: `cus_zero${tag}`, payment_methods: [{ behaviour: DECLINE }], subscriptions: sub({ id: `in_zero${tag}`, created: '-3d', attempts: [{ at: '-3d' }], credit_notes: [{ amount: 2900 }] }) },
    // Sent for manual payment: not listed at all (collection_method filter).
    { id: `cus_send${tag}`, payment_methods: [{ behaviour: DECLINE }], invoices: [{ id: `in_send${tag}`, amount: 2900, created: '-3d', collection_method: 'send_invoice' }] },
    // Already paused by the merchant: imported, no pause call needed.
    { id: `cus_paus${tag}`, payment_methods: [{ behaviour: DECLINE }], subscriptions: sub({ id: `in_paus${tag}`, created: '-3d', auto_advance: false, attempts: [{ at: '-3d' }] }) },
  ];
}

export interface MerchantOptions {
  customers: number;
  rngSeed?: number;
  /** Clock start (epoch ms); default the generator's. */
  start?: number;
  smartRetries?: boolean;
}

/** The generated merchant (2 connected accounts) plus the hand-made customers on each. */
export function merchantSeed(o: MerchantOptions): SeedInput {
  const seed = JSON.parse(JSON.stringify(generateMerchant({ customers: o.customers, accounts: 2, rngSeed: o.rngSeed ?? 7, start: o.start, smartRetries: o.smartRetries }))) as SeedInput;
  seed.connected_accounts!.forEach((a, i) => a.customers!.push(...(extraCustomers(`x${i}`) as never[])));
  return seed;
}

export interface Setup {
  emu: Awaited<ReturnType<typeof emulator>>;
  db: string;
  base: string[];
  accounts: string[];
  clock: { now(): number };
  /** `recover --json takeover …` in-process, on the emulator's clock; the parsed JSON result. */
  takeover(args?: string[], overrides?: ContextOverrides): Promise<CliResult & { json: TakeoverJson }>;
  store(): Store;
}

export interface TakeoverJson {
  dryRun: boolean;
  complete: boolean;
  accounts: Array<{ id: string } & Tally>;
  total: Tally;
  plan?: Array<{ invoice: string; account: string; action: string; skip?: { reason: Reason }; decision?: { action: string; at?: string }; pauseStripe?: boolean }>;
}
export interface Tally {
  invoicePages: number; intentPages: number; invoicePaymentPages: number; chargePages: number; listed: number; imported: number; alreadyPresent: number; hardDeclined: number;
  skipped: Partial<Record<Reason, number>>; skippedTotal: number; paused: number; pausedEarlier: number; historyImported: number; treatment: number; control: number;
}

export async function setup(o: MerchantOptions & { baseline?: string; mode?: 'live' | 'shadow'; emulator?: EmulatorOptions; fallbackKey?: boolean } = { customers: 300 }): Promise<Setup> {
  const emu = await emulator({ seed: merchantSeed(o), ...o.emulator });
  const db = tempDb();
  const base = ['--db', db, '--stripe-api-base', emu.url];
  const onboard = await runCli([
    ...base, 'onboard', 'stripe', '--env', 'test', '--scope', 'connect', '--primary-key', LEAST_CONNECT_KEY,
    ...(o.fallbackKey ? ['--fallback-key', LEAST_FALLBACK_KEY] : []),
    // A closed local port: deliveries fail at once instead of waiting on DNS when the emulator closes.
    '--webhook-url', 'http://127.0.0.1:9/stripe/webhook', '--control-baseline', o.baseline ?? 'stripe', '--mode', o.mode ?? 'live', '--yes',
  ]);
  if (onboard.code !== 0) throw new Error(`onboard failed: ${onboard.stderr}`);
  // Tests need no pacing beyond the emulator's own limit (when one is set).
  const cfg = await runCli([...base, 'config', 'set', 'rateLimitPerSec', '1000']);
  if (cfg.code !== 0) throw new Error(`config set failed: ${cfg.stderr}`);
  const clock = { now: () => emu.now() };
  const accounts = emu.state({ summary: true }).accounts.filter((a) => !a.main).map((a) => a.id);
  return {
    emu, db, base, accounts, clock,
    async takeover(args = [], overrides = {}) {
      const r = await runCli([...base, '--json', 'takeover', ...args], { overrides: { clock, ...overrides } });
      let json: TakeoverJson;
      try {
        json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as TakeoverJson;
      } catch {
        throw new Error(`takeover printed no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
      }
      return { ...r, json };
    },
    store() {
      const s = openStore(db);
      openStores.push(s);
      return s;
    },
  };
}

export interface Expected {
  imported: Set<string>;
  skipped: Map<Reason, Set<string>>;
  /** invoice → id of its last charge (the decline takeover must find by the join). */
  lastCharge: Map<string, string>;
}

/**
 * What takeover must do, from the emulator's state alone: every open, automatically collected
 * invoice of the given accounts is either imported or skipped for the first reason that holds.
 */
export function expectedOutcome(st: EmulatorState, o: { accounts: string[]; now: number; dunningDays?: number; includeSubscriptionCreate?: boolean }): Expected {
  const dunning = (o.dunningDays ?? 30) * DAY;
  const subs = new Map(st.subscriptions.map((s) => [s.id, s.status]));
  const charges = new Map<string, EmulatorState['charges']>();
  for (const c of st.charges) if (c.invoice) charges.set(c.invoice, [...(charges.get(c.invoice) ?? []), c]);
  const out: Expected = { imported: new Set(), skipped: new Map(), lastCharge: new Map() };
  for (const inv of st.invoices) {
    if (!o.accounts.includes(inv.account) || inv.status !== 'open' || inv.collection_method !== 'charge_automatically') continue;
    const ch = (charges.get(inv.id) ?? []).slice().sort((a, b) => a.created - b.created);
    const first = ch[0];
    const last = ch.at(-1);
    if (last) out.lastCharge.set(inv.id, last.id);
    const reason: Reason | null =
      inv.amount_remaining <= 0 ? 'zero_amount'
      : inv.billing_reason === 'subscription_create' && !o.includeSubscriptionCreate ? 'subscription_create'
      : inv.attempt_count < 1 ? 'not_attempted'
      : inv.subscription && ['canceled', 'incomplete_expired'].includes(subs.get(inv.subscription) ?? '') ? 'subscription_canceled'
      : last?.decline_code === 'authentication_required' ? 'needs_customer_action'
      : first && first.created + dunning <= o.now ? 'past_dunning_window'
      : null;
    if (reason === null) out.imported.add(inv.id);
    else out.skipped.set(reason, new Set([...(out.skipped.get(reason) ?? []), inv.id]));
  }
  return out;
}

export function skippedCounts(e: Expected): Partial<Record<Reason, number>> {
  return Object.fromEntries([...e.skipped].map(([r, s]) => [r, s.size]));
}

/** Every case in the database, by invoice id. */
export function casesByInvoice(store: Store): Map<string, Case> {
  return new Map([...store.cases.iterate()].map((c) => [c.invoiceId, c]));
}
