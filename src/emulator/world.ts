import { FakeClock } from '../clock.js';
import { IdGen } from './ids.js';
import { Scheduler } from './scheduler.js';
import { Collection, type Doc, type Row } from './store.js';
import { DEFAULT_RETRY_DAYS, type InvoiceExhaustedAction, type SubscriptionExhaustedAction } from './retry-settings.js';
import { ACCOUNT_BUSINESS_PROFILE, type ObjectType } from './templates.js';

/** The API version the emulator speaks (stripe-node 23.x pins it). */
export const API_VERSION = '2026-10-28.endive';

export { DEFAULT_RETRY_DAYS } from './retry-settings.js';

/** Who caused a change: an API request (ids go into events' `request`) or the emulator itself. */
export interface Origin {
  requestId: string | null;
  idempotencyKey: string | null;
}
export const AUTOMATIC: Origin = { requestId: null, idempotencyKey: null };

export interface AccountState {
  id: string;
  main: boolean;
  smartRetries: boolean;
  /** Days after the first failure at which Smart Retries tries again. */
  retryDays: readonly number[];
  /** What Smart Retries does once the last retry has failed. */
  subscriptionAction: SubscriptionExhaustedAction;
  invoiceAction: InvoiceExhaustedAction;
  /** Dashboard timezone, the fallback for customers without one. */
  timezone: string;
  /** The account's default API version: events for endpoints without their own are rendered in it. */
  apiVersion: string;
  row: Row;
  customers: Collection;
  payment_methods: Collection;
  subscriptions: Collection;
  invoices: Collection;
  invoice_payments: Collection;
  payment_intents: Collection;
  charges: Collection;
  credit_notes: Collection;
  refunds: Collection;
  events: Collection;
  webhook_endpoints: Collection;
  checkout_sessions: Collection;
  setup_intents: Collection;
}

export const COLLECTIONS = [
  'customers',
  'payment_methods',
  'subscriptions',
  'invoices',
  'invoice_payments',
  'payment_intents',
  'charges',
  'credit_notes',
  'refunds',
  'events',
  'webhook_endpoints',
  'checkout_sessions',
  'setup_intents',
] as const;
export type CollectionName = (typeof COLLECTIONS)[number];

/** Which collection holds each object type. */
export const COLLECTION_OF: Partial<Record<ObjectType, CollectionName>> = {
  customer: 'customers',
  payment_method: 'payment_methods',
  subscription: 'subscriptions',
  invoice: 'invoices',
  invoice_payment: 'invoice_payments',
  payment_intent: 'payment_intents',
  charge: 'charges',
  credit_note: 'credit_notes',
  refund: 'refunds',
  event: 'events',
  webhook_endpoint: 'webhook_endpoints',
  'checkout.session': 'checkout_sessions',
  setup_intent: 'setup_intents',
};

export interface NewAccount {
  id?: string;
  main: boolean;
  name?: string;
  email?: string;
  country: string;
  default_currency: string;
  timezone: string;
  smartRetries: boolean;
  retryDays?: readonly number[];
  subscriptionAction?: SubscriptionExhaustedAction;
  invoiceAction?: InvoiceExhaustedAction;
  apiVersion?: string;
  created: number;
}

export class World {
  readonly clock: FakeClock;
  readonly ids = new IdGen();
  readonly scheduler = new Scheduler();
  readonly accounts = new Map<string, AccountState>();
  /** Account objects (main first); `GET /v1/accounts` lists the connected ones. */
  readonly accountRows: Collection;
  main!: AccountState;
  /** Restricted keys → their rak_* permissions. */
  readonly keys = new Map<string, Set<string>>();
  /** Set by the webhook dispatcher: called once per new event (not during seed loading). */
  onEvent: ((acct: AccountState, event: Row) => void) | null = null;
  /** Webhook endpoints may point at localhost / private addresses (Stripe refuses them). */
  allowLocalWebhooks = false;
  /** The emulator's own base URL (`http://127.0.0.1:12111`): hosted pages such as Checkout live under it. */
  baseUrl = '';
  /** While true, emit() records nothing (seeded history older than Stripe's 30 days of events). */
  silent = false;
  private seq = 0;
  private bulk = false;

  constructor(clockStart: number) {
    this.clock = new FakeClock(clockStart);
    this.accountRows = new Collection(this.nextSeq);
  }

  readonly nextSeq = (): number => ++this.seq;

  nowMs(): number {
    return this.clock.now();
  }

  nowSec(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  get loading(): boolean {
    return this.bulk;
  }

  addAccount(spec: NewAccount): AccountState {
    const id = spec.id ?? this.ids.next('acct', 16);
    if (this.accounts.has(id)) throw new Error(`duplicate account id ${id}`);
    const doc: Doc = {
      id,
      created: Math.floor(spec.created / 1000),
      country: spec.country,
      default_currency: spec.default_currency,
      email: spec.email ?? null,
      business_profile: { ...ACCOUNT_BUSINESS_PROFILE, name: spec.name ?? null },
      settings: { dashboard: { display_name: spec.name ?? null, timezone: spec.timezone } },
      type: spec.main ? 'standard' : 'standard',
      controller: spec.main ? { type: 'account' } : { type: 'application', is_controller: true },
      external_accounts: { object: 'list', data: [], has_more: false, url: `/v1/accounts/${id}/external_accounts` },
    };
    const row = this.accountRows.insert(doc);
    const make = (indexes: Record<string, (d: Doc) => string | null | undefined> = {}): Collection => {
      const c = new Collection(this.nextSeq, indexes);
      if (this.bulk) c.beginBulk();
      return c;
    };
    const byCustomer = { customer: (d: Doc) => d.customer as string | null };
    const acct: AccountState = {
      id,
      main: spec.main,
      smartRetries: spec.smartRetries,
      retryDays: spec.retryDays ?? DEFAULT_RETRY_DAYS,
      subscriptionAction: spec.subscriptionAction ?? 'past_due',
      invoiceAction: spec.invoiceAction ?? 'past_due',
      timezone: spec.timezone,
      apiVersion: spec.apiVersion ?? API_VERSION,
      row,
      customers: make(),
      payment_methods: make(byCustomer),
      subscriptions: make(byCustomer),
      invoices: make({ ...byCustomer, subscription: (d) => d._s?.parent?.subscription_details?.subscription ?? null }),
      invoice_payments: make({
        invoice: (d) => d.invoice as string,
        // A lookup by payment (the SDK's `payment[payment_intent]`) walks only that intent's rows.
        payment_intent: (d) => (d.payment as { payment_intent?: string } | undefined)?.payment_intent ?? null,
      }),
      payment_intents: make(byCustomer),
      charges: make({ ...byCustomer, payment_intent: (d) => d.payment_intent as string | null }),
      credit_notes: make({ ...byCustomer, invoice: (d) => d.invoice as string | null }),
      refunds: make({ charge: (d) => d.charge as string | null }),
      events: make({ type: (d) => d.type as string }),
      webhook_endpoints: make(),
      checkout_sessions: make(byCustomer),
      setup_intents: make(byCustomer),
    };
    this.accounts.set(id, acct);
    if (spec.main) this.main = acct;
    return acct;
  }

  connected(): AccountState[] {
    return [...this.accounts.values()].filter((a) => !a.main);
  }

  /** Seed loading: appends unsorted and sorts every table once at the end. */
  beginBulk(): void {
    this.bulk = true;
    for (const a of this.accounts.values()) for (const c of COLLECTIONS) a[c].beginBulk();
  }

  endBulk(): void {
    this.bulk = false;
    for (const a of this.accounts.values()) for (const c of COLLECTIONS) a[c].endBulk();
  }

  /**
   * Records an event about `doc` (the version to show in `data.object`). `prev` becomes
   * `data.previous_attributes`.
   */
  emit(acct: AccountState, type: string, objType: ObjectType, doc: Doc, opts: { prev?: Doc; origin?: Origin } = {}): void {
    if (this.silent) return;
    const origin = opts.origin ?? AUTOMATIC;
    const event: Doc = {
      id: this.ids.next('evt'),
      created: this.nowSec(),
      request: origin.requestId === null && origin.idempotencyKey === null ? NO_REQUEST : { id: origin.requestId, idempotency_key: origin.idempotencyKey },
      type,
    };
    if (!acct.main) event.account = acct.id;
    const row = acct.events.insert(event, { objType, objDoc: doc, prev: opts.prev, pending: 0 });
    if (!this.bulk) this.onEvent?.(acct, row);
  }
}

/** `request` of events the emulator caused by itself (shared: never mutated). */
const NO_REQUEST = { id: null, idempotency_key: null };


/** Top-level fields whose value differs between two versions of a doc, with the old values. */
export function previousAttributes(oldDoc: Doc, newDoc: Doc): Doc {
  const prev: Doc = {};
  for (const k of Object.keys(newDoc)) {
    if (k === '_s' && oldDoc._s !== newDoc._s) Object.assign(prev, previousAttributes(oldDoc._s ?? {}, newDoc._s ?? {}));
    if (k.startsWith('_')) continue;
    if (oldDoc[k] !== newDoc[k] && JSON.stringify(oldDoc[k]) !== JSON.stringify(newDoc[k])) prev[k] = oldDoc[k] ?? null;
  }
  return prev;
}
