import type { DeliveryFaults } from './delivery-faults.js';
import { invoiceSubscription } from './invoices.js';
import type { RequestCounts } from './request-log.js';
import type { DeliveryRecord, WebhookDispatcher } from './webhooks.js';
import type { World } from './world.js';

/**
 * A read-only snapshot of the emulator for tests and outside scripts (`GET /_emulator/state`).
 * Times are epoch milliseconds on the emulator clock unless noted. Rows are oldest first.
 */
export interface ChargeView {
  id: string;
  account: string;
  created: number;
  amount: number;
  currency: string;
  status: 'succeeded' | 'failed';
  customer: string | null;
  invoice: string | null;
  payment_intent: string | null;
  payment_method: string | null;
  failure_code: string | null;
  decline_code: string | null;
  advice_code: string | null;
  network_advice_code: string | null;
  network_decline_code: string | null;
  /** Idempotency-Key of the API request that made it; null for Smart Retries and seeded history. */
  idempotencyKey: string | null;
  requestId: string | null;
  /**
   * Who made the attempt: 'api' (invoices.pay), 'payment_intent' (POST /v1/payment_intents), 'smart_retry',
   * 'first_attempt' (Stripe's own), 'seed'.
   */
  source: string;
  refunded: number;
}

export interface InvoiceView {
  id: string;
  account: string;
  customer: string;
  subscription: string | null;
  status: string;
  collection_method: string;
  billing_reason: string | null;
  amount_due: number;
  amount_remaining: number;
  currency: string;
  attempt_count: number;
  auto_advance: boolean;
  /** Epoch ms, or null. */
  next_payment_attempt: number | null;
  metadata: Record<string, string>;
}

export interface EventView {
  id: string;
  account: string;
  type: string;
  created: number;
  objectId: string;
  pendingWebhooks: number;
}

export interface SubscriptionView {
  id: string;
  account: string;
  customer: string;
  status: string;
  cancel_at_period_end: boolean;
  /** Set when it was canceled: when, and with which options. */
  cancellation: { at: number; prorate: boolean; invoiceNow: boolean; reason: string } | null;
}

export interface EmulatorState {
  now: number;
  accounts: Array<{ id: string; main: boolean; smartRetries: boolean }>;
  charges: ChargeView[];
  invoices: InvoiceView[];
  subscriptions: SubscriptionView[];
  events: EventView[];
  webhooks: {
    delivered: number; failed: number; queued: number; pendingRetries: number; log: DeliveryRecord[];
    /** Injected delivery faults so far (webhookFaults). */
    faults: { dropped: number; duplicated: number; reordered: number };
  };
  requests: RequestCounts;
}

export interface StateOptions {
  /** Only this account's rows. */
  account?: string;
  /** Leave out the per-row arrays (counts only). */
  summary?: boolean;
}

export function snapshot(
  world: World, hooks: WebhookDispatcher, requests: RequestCounts, opts: StateOptions = {}, faults?: DeliveryFaults,
): EmulatorState {
  const accts = [...world.accounts.values()].filter((a) => !opts.account || a.id === opts.account);
  const state: EmulatorState = {
    now: world.nowMs(),
    accounts: [...world.accounts.values()].map((a) => ({ id: a.id, main: a.main, smartRetries: a.smartRetries })),
    charges: [],
    invoices: [],
    subscriptions: [],
    events: [],
    webhooks: {
      delivered: hooks.delivered, failed: hooks.failed, queued: hooks.queued, pendingRetries: hooks.pendingRetries,
      log: opts.summary ? [] : hooks.recentLog(),
      faults: { dropped: faults?.dropped ?? 0, duplicated: faults?.duplicated ?? 0, reordered: faults?.reordered ?? 0 },
    },
    requests: opts.summary ? { ...requests, log: [] } : requests,
  };
  if (opts.summary) return state;
  for (const a of accts) {
    for (const r of a.charges.all.rows) {
      const d = r.doc;
      state.charges.push({
        id: r.id,
        account: a.id,
        created: d.created * 1000,
        amount: d.amount,
        currency: d.currency,
        status: d.status,
        customer: d.customer,
        invoice: r.meta.invoice ?? null,
        payment_intent: d.payment_intent,
        payment_method: d.payment_method,
        failure_code: d.failure_code,
        decline_code: r.meta.decline?.decline_code ?? null,
        advice_code: d.outcome?.advice_code ?? null,
        network_advice_code: d.outcome?.network_advice_code ?? null,
        network_decline_code: d.outcome?.network_decline_code ?? null,
        idempotencyKey: r.meta.idempotencyKey ?? null,
        requestId: r.meta.requestId ?? null,
        source: r.meta.source ?? 'api',
        refunded: d.amount_refunded ?? 0,
      });
    }
    for (const r of a.invoices.all.rows) {
      const d = r.doc;
      state.invoices.push({
        id: r.id,
        account: a.id,
        customer: d.customer,
        subscription: invoiceSubscription(d),
        status: d.status,
        collection_method: d.collection_method,
        billing_reason: d.billing_reason,
        amount_due: d.amount_due,
        amount_remaining: d.amount_remaining,
        currency: d.currency,
        attempt_count: d.attempt_count,
        auto_advance: d.auto_advance,
        next_payment_attempt: d.next_payment_attempt === null ? null : d.next_payment_attempt * 1000,
        metadata: d.metadata,
      });
    }
    for (const r of a.subscriptions.all.rows) {
      state.subscriptions.push({
        id: r.id,
        account: a.id,
        customer: r.doc.customer,
        status: r.doc.status,
        cancel_at_period_end: r.doc.cancel_at_period_end,
        cancellation: r.meta.cancel ?? null,
      });
    }
    for (const r of a.events.all.rows) {
      state.events.push({
        id: r.id,
        account: a.id,
        type: r.doc.type,
        created: r.doc.created * 1000,
        objectId: r.meta.objDoc?.id,
        pendingWebhooks: r.meta.pending,
      });
    }
  }
  return state;
}
