/**
 * Stripe object and parameter types, re-exported so that no module outside `src/stripe/`
 * imports 'stripe'. Shapes follow API version 2026-10-28.endive (stripe 23.x): an invoice has
 * no `charge`/`payment_intent`; its payments are `invoice.payments` (InvoicePayment → PaymentIntent,
 * whose `latest_charge` and `last_payment_error` carry the decline), and its subscription id is
 * `invoice.parent?.subscription_details?.subscription`.
 */
import type Stripe from 'stripe';

/** The API version every client is pinned to. Keep in step with the installed SDK. */
export const STRIPE_API_VERSION = '2026-10-28.endive' as const;

// Objects.
export type Account = Stripe.Account;
export type Charge = Stripe.Charge;
export type CreditNote = Stripe.CreditNote;
export type Customer = Stripe.Customer;
export type DeletedCustomer = Stripe.DeletedCustomer;
export type StripeEvent = Stripe.Event;
export type Invoice = Stripe.Invoice;
export type InvoicePayment = Stripe.InvoicePayment;
export type PaymentIntent = Stripe.PaymentIntent;
export type PaymentMethod = Stripe.PaymentMethod;
export type CheckoutSession = Stripe.Checkout.Session;
export type SetupIntent = Stripe.SetupIntent;
export type Subscription = Stripe.Subscription;
export type WebhookEndpoint = Stripe.WebhookEndpoint;
export type DeletedWebhookEndpoint = Stripe.DeletedWebhookEndpoint;
export type ApiList<T> = Stripe.ApiList<T>;
export type Metadata = Stripe.Metadata;
export type RangeQueryParam = Stripe.RangeQueryParam;

// Useful nested types.
export type InvoiceStatus = Stripe.Invoice.Status;
export type ChargeOutcome = Stripe.Charge.Outcome;
export type PaymentIntentLastPaymentError = Stripe.PaymentIntent.LastPaymentError;
export type SubscriptionStatus = Stripe.Subscription.Status;

// Parameters accepted by the gateway (the SDK's own parameter types).
export type AccountListParams = Stripe.AccountListParams;
export type ChargeListParams = Stripe.ChargeListParams;
export type CreditNoteListParams = Stripe.CreditNoteListParams;
export type CustomerListParams = Stripe.CustomerListParams;
export type EventListParams = Stripe.EventListParams;
export type InvoiceListParams = Stripe.InvoiceListParams;
export type InvoicePaymentListParams = Stripe.InvoicePaymentListParams;
export type PaymentIntentListParams = Stripe.PaymentIntentListParams;
export type PaymentIntentCreateParams = Stripe.PaymentIntentCreateParams;
export type CheckoutSessionCreateParams = Stripe.Checkout.SessionCreateParams;
export type WebhookEndpointCreateParams = Stripe.WebhookEndpointCreateParams;
export type WebhookEndpointListParams = Stripe.WebhookEndpointListParams;
export type WebhookEndpointUpdateParams = Stripe.WebhookEndpointUpdateParams;
export type SubscriptionCancelParams = Pick<Stripe.SubscriptionCancelParams, 'prorate' | 'invoice_now' | 'cancellation_details' | 'expand'>;
/** Only what the end-of-dunning actions and takeover need to change. */
export type SubscriptionUpdateParams = Pick<
  Stripe.SubscriptionUpdateParams,
  'cancel_at_period_end' | 'cancel_at' | 'proration_behavior' | 'metadata' | 'expand'
>;
/** Only what takeover changes on an invoice: pausing Stripe's retries and marking it ours. */
export type InvoiceUpdateParams = Pick<Stripe.InvoiceUpdateParams, 'auto_advance' | 'metadata' | 'expand'>;

/** Per-call context. `account` is a Connect connected account id (sent as `Stripe-Account`). */
export interface CallContext {
  account?: string;
  /** For POSTs; when absent the gateway generates one so its own retries are safe. */
  idempotencyKey?: string;
}

/** One page of a list, as yielded by the `listAll` iterators. */
export interface Page<T> {
  page: T[];
  /** Id of the last object of this page: the `starting_after` cursor to persist. Undefined for an empty page. */
  lastId: string | undefined;
  hasMore: boolean;
}
