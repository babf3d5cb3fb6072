/**
 * The Recharge emulator's state: one store (its plan, its retry settings), its objects in
 * Recharge's 2021-11 shapes, the API tokens and their scopes, and the emulator clock. Objects are
 * kept as the JSON the API returns (times ISO-8601, amounts decimal strings), plus the few
 * emulator-only facts beside them (a payment method's card behaviour, a charge's due times, ms).
 */
import { FakeClock } from '../../clock.js';
import type {
  RechargeAddress,
  RechargeCharge,
  RechargeCustomer,
  RechargePaymentMethod,
  RechargeSubscription,
  RechargeWebhook,
} from '../../connectors/recharge/types.js';
import { Agenda } from './agenda.js';
import type { CardBehaviour } from './behaviour.js';

/** Recharge's plans (getrecharge.com/pricing: Standard, Pro, Plus/Enterprise). */
export type StorePlan = 'standard' | 'pro' | 'plus';
export const PLANS: readonly StorePlan[] = ['standard', 'pro', 'plus'];

/** Every scope the emulator knows (a token given 'all' gets these). */
export const ALL_SCOPES = [
  'read_orders',
  'write_orders',
  'read_charges',
  'write_charges',
  'process_charge',
  'read_discounts',
  'read_subscriptions',
  'write_subscriptions',
  'read_payments',
  'write_payments',
  'read_payment_methods',
  'read_customers',
  'write_customers',
  'read_products',
  'read_store',
];

export interface StoreSettings {
  plan: StorePlan;
  /** Recharge's own retries of failed charges (the portal's Settings → Payment → Failed charges). */
  rechargeRetries: boolean;
  /** Days after each failed attempt before Recharge retries (see README: the schedule modelled). */
  retryDays: number[];
  /** Recharge's next-day retry after a card update (on by default). */
  cardUpdateRetry: boolean;
  /** When the last retry fails: cancel the subscription (Recharge's default) or do nothing. */
  maxRetriesAction: 'cancel' | 'nothing';
  /** API client secret: the key of both webhook signatures. */
  clientSecret: string;
}

export interface TokenRow {
  name: string;
  scopes: Set<string>;
  /** Leaky bucket for this token: size (calls) and drain rate (calls per second); null = no limit. */
  bucket: { capacity: number; leakPerSec: number } | null;
}

export interface PaymentMethodRow {
  doc: RechargePaymentMethod;
  behaviour: CardBehaviour;
}

export interface ChargeRow {
  doc: RechargeCharge;
  /** Emulator clock, ms: when a queued charge is attempted. */
  scheduledMs: number;
  /** Emulator clock, ms: Recharge's next own retry (mirrors retry_date), null when none. */
  retryMs: number | null;
  subscriptionId: number | null;
}

export interface OrderRow {
  id: number;
  charge_id: number;
  customer_id: number;
  status: 'success';
  total_price: string;
  currency: string;
  created_at: string;
}

/** `2026-12-01T09:00:00+00:00`: the 2021-11 time format (README: assumption on the offset form). */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export class RechargeWorld {
  readonly clock: FakeClock;
  readonly agenda = new Agenda();
  settings: StoreSettings;
  readonly tokens = new Map<string, TokenRow>();
  readonly customers = new Map<number, RechargeCustomer>();
  readonly addresses = new Map<number, RechargeAddress>();
  readonly subscriptions = new Map<number, RechargeSubscription>();
  readonly paymentMethods = new Map<number, PaymentMethodRow>();
  readonly charges = new Map<number, ChargeRow>();
  readonly orders = new Map<number, OrderRow>();
  readonly webhooks = new Map<number, RechargeWebhook>();
  readonly products: Array<{ id: number; title: string; created_at: string; updated_at: string }> = [];
  /** Webhooks Recharge deleted after 20 failed deliveries, with when (emulator ms). */
  readonly deletedWebhooks: Array<{ webhook: RechargeWebhook; at: number }> = [];
  /** Called for each event (topic, payload); the dispatcher sends it to the topic's webhooks. */
  onEvent: (topic: string, payload: Record<string, unknown>) => void = () => undefined;
  private nextIds = new Map<string, number>();

  constructor(startMs: number, settings: StoreSettings) {
    this.clock = new FakeClock(startMs);
    this.settings = settings;
  }

  nowMs(): number {
    return this.clock.now();
  }

  /** Integer ids per kind, like Recharge's (distinct starting points so ids of kinds differ). */
  id(
    kind: 'customer' | 'address' | 'subscription' | 'payment_method' | 'charge' | 'order' | 'webhook' | 'product',
  ): number {
    const base = {
      customer: 1e8,
      address: 2e8,
      subscription: 3e8,
      payment_method: 4e7,
      charge: 7e8,
      order: 5e8,
      webhook: 6e5,
      product: 8e6,
    }[kind];
    const n = (this.nextIds.get(kind) ?? base) + 1;
    this.nextIds.set(kind, n);
    return n;
  }

  emit(topic: string, payload: Record<string, unknown>): void {
    this.onEvent(topic, payload);
  }

  defaultPaymentMethod(customerId: number): PaymentMethodRow | undefined {
    let found: PaymentMethodRow | undefined;
    for (const pm of this.paymentMethods.values()) {
      if (pm.doc.customer_id === customerId && (pm.doc.default || !found)) found = pm;
    }
    return found;
  }
}
