/**
 * The narrow Stripe surface the project uses. Every method goes through the executor (limiter,
 * key fallback, retries, typed errors) and returns the SDK's own types. Every method takes an
 * optional `ctx: { account?, idempotencyKey? }`: `account` selects a Connect connected account.
 */
import { WorkError } from '../errors.js';
import { CardDeclined } from './errors.js';
import type { Executor, SdkCall } from './executor.js';
import { pages } from './paging.js';
import { constructEvent, signPayload } from './webhooks.js';
import type * as T from './types.js';
import type { CallContext as Ctx, Page } from './types.js';

interface ExpandOpt {
  expand?: string[];
}

/**
 * Result of `invoices.pay`. A decline (HTTP 402 card_error, including "requires customer action")
 * is an outcome, not a failure, so it is returned rather than thrown; every other error throws.
 */
type PayResult = { ok: true; invoice: T.Invoice } | { ok: false; decline: CardDeclined };

interface PayParams {
  /** Required: e.g. `recover:<account>:<invoice>:<attempt n>`; a retry of the same attempt must reuse it. */
  idempotencyKey: string;
  payment_method?: string;
  off_session?: boolean;
  expand?: string[];
}

/**
 * Result of `paymentIntents.create` (always confirmed). A decline (402 card_error, off-session
 * `authentication_required` included) is returned like `invoices.pay`'s; an on-session card that needs
 * 3D Secure answers 200 with status `requires_action` and its `next_action` for the customer.
 */
export type PaymentIntentResult =
  | { ok: true; paymentIntent: T.PaymentIntent; chargeId: string | null }
  | { ok: false; decline: CardDeclined }
  | { ok: false; requiresAction: true; paymentIntent: T.PaymentIntent };

export interface PaymentIntentParams {
  /** Minor units. */
  amount: number;
  currency: string;
  customer: string;
  paymentMethod: string;
  /** True: the customer is not present (`off_session=true`); false: an on-session confirm. */
  offSession: boolean;
  /** Required: e.g. `recover:<recovery>:<attempt n>`; a retry of the same attempt must reuse it. */
  idempotencyKey: string;
  metadata?: Record<string, string>;
  description?: string;
}

export interface SetupSessionParams {
  customer: string;
  currency: string;
  successUrl: string;
  cancelUrl?: string;
  /** Epoch seconds; Stripe accepts 30 minutes to 24 hours after creation. */
  expiresAt: number;
  /** Also set on the session's SetupIntent (`setup_intent_data.metadata`). */
  metadata?: Record<string, string>;
}

type List<X> = Promise<T.ApiList<X>>;
type Pages<X> = AsyncGenerator<Page<X>, void, undefined>;

export interface StripeGateway {
  /** Environment of the primary key. */
  readonly env: 'test' | 'live';
  readonly hasFallback: boolean;
  /** Configured request rate for all calls together, requests per second. */
  readonly rateLimitPerSec: number;
  accounts: {
    list(params?: T.AccountListParams): List<T.Account>;
    listAll(params?: T.AccountListParams): Pages<T.Account>;
  };
  invoices: {
    list(params?: T.InvoiceListParams, ctx?: Ctx): List<T.Invoice>;
    listAll(params?: T.InvoiceListParams, ctx?: Ctx): Pages<T.Invoice>;
    retrieve(id: string, opts?: ExpandOpt, ctx?: Ctx): Promise<T.Invoice>;
    update(id: string, params: T.InvoiceUpdateParams, ctx?: Ctx): Promise<T.Invoice>;
    pay(id: string, params: PayParams, ctx?: Ctx): Promise<PayResult>;
    markUncollectible(id: string, ctx?: Ctx): Promise<T.Invoice>;
  };
  invoicePayments: {
    list(params?: T.InvoicePaymentListParams, ctx?: Ctx): List<T.InvoicePayment>;
    listAll(params?: T.InvoicePaymentListParams, ctx?: Ctx): Pages<T.InvoicePayment>;
  };
  charges: {
    list(params?: T.ChargeListParams, ctx?: Ctx): List<T.Charge>;
    listAll(params?: T.ChargeListParams, ctx?: Ctx): Pages<T.Charge>;
  };
  paymentIntents: {
    retrieve(id: string, opts?: ExpandOpt, ctx?: Ctx): Promise<T.PaymentIntent>;
    list(params?: T.PaymentIntentListParams, ctx?: Ctx): List<T.PaymentIntent>;
    /** Creates and confirms (`confirm=true`, card only) a PaymentIntent: one charge attempt. */
    create(params: PaymentIntentParams, ctx?: Ctx): Promise<PaymentIntentResult>;
  };
  checkoutSessions: {
    /** A hosted Checkout page in `setup` mode where the customer saves a new card. */
    createSetup(params: SetupSessionParams, ctx?: Ctx): Promise<T.CheckoutSession>;
    retrieve(id: string, opts?: ExpandOpt, ctx?: Ctx): Promise<T.CheckoutSession>;
  };
  setupIntents: { retrieve(id: string, opts?: ExpandOpt, ctx?: Ctx): Promise<T.SetupIntent> };
  subscriptions: {
    retrieve(id: string, opts?: ExpandOpt, ctx?: Ctx): Promise<T.Subscription>;
    update(id: string, params: T.SubscriptionUpdateParams, ctx?: Ctx): Promise<T.Subscription>;
    cancel(id: string, params?: T.SubscriptionCancelParams, ctx?: Ctx): Promise<T.Subscription>;
  };
  customers: {
    /** A deleted customer comes back as `{ id, deleted: true }`. */
    retrieve(id: string, opts?: ExpandOpt, ctx?: Ctx): Promise<T.Customer | T.DeletedCustomer>;
    list(params?: T.CustomerListParams, ctx?: Ctx): List<T.Customer>;
  };
  paymentMethods: { retrieve(id: string, opts?: ExpandOpt, ctx?: Ctx): Promise<T.PaymentMethod> };
  creditNotes: {
    list(params?: T.CreditNoteListParams, ctx?: Ctx): List<T.CreditNote>;
    listAll(params?: T.CreditNoteListParams, ctx?: Ctx): Pages<T.CreditNote>;
  };
  webhookEndpoints: {
    /** The answer carries the signing `secret`, once: store it, never log it. */
    create(params: T.WebhookEndpointCreateParams, ctx?: Ctx): Promise<T.WebhookEndpoint>;
    list(params?: T.WebhookEndpointListParams, ctx?: Ctx): List<T.WebhookEndpoint>;
    update(id: string, params: T.WebhookEndpointUpdateParams, ctx?: Ctx): Promise<T.WebhookEndpoint>;
    del(id: string, ctx?: Ctx): Promise<T.DeletedWebhookEndpoint>;
  };
  events: {
    list(params?: T.EventListParams, ctx?: Ctx): List<T.StripeEvent>;
    listAll(params?: T.EventListParams, ctx?: Ctx): Pages<T.StripeEvent>;
  };
  /** The SDK's webhook verification and signing (also exported standalone from webhooks.ts: they need no key). */
  webhooks: { constructEvent: typeof constructEvent; signPayload: typeof signPayload };
}

interface SurfaceInfo {
  env: 'test' | 'live';
  rateLimitPerSec: number;
}

export function buildSurface(ex: Executor, info: SurfaceInfo): StripeGateway {
  const get = <R>(path: string, ctx: Ctx | undefined, fn: SdkCall<R>) => ex.run({ method: 'GET', path }, ctx, fn);
  const post = <R>(path: string, ctx: Ctx | undefined, fn: SdkCall<R>) => ex.run({ method: 'POST', path }, ctx, fn);

  const invoicesList = (params: T.InvoiceListParams = {}, ctx?: Ctx) => get('/v1/invoices', ctx, (s, o) => s.invoices.list(params, o));
  const invoicePaymentsList = (params: T.InvoicePaymentListParams = {}, ctx?: Ctx) =>
    get('/v1/invoice_payments', ctx, (s, o) => s.invoicePayments.list(params, o));
  const chargesList = (params: T.ChargeListParams = {}, ctx?: Ctx) => get('/v1/charges', ctx, (s, o) => s.charges.list(params, o));
  const creditNotesList = (params: T.CreditNoteListParams = {}, ctx?: Ctx) =>
    get('/v1/credit_notes', ctx, (s, o) => s.creditNotes.list(params, o));
  const eventsList = (params: T.EventListParams = {}, ctx?: Ctx) => get('/v1/events', ctx, (s, o) => s.events.list(params, o));
  const accountsList = (params: T.AccountListParams = {}) => get('/v1/accounts', undefined, (s, o) => s.accounts.list(params, o));

  return {
    env: info.env,
    hasFallback: ex.hasFallback,
    rateLimitPerSec: info.rateLimitPerSec,
    accounts: {
      list: accountsList,
      listAll: (params = {}) => pages(accountsList, params),
    },
    invoices: {
      list: invoicesList,
      listAll: (params = {}, ctx) => pages((p) => invoicesList(p, ctx), params),
      retrieve: (id, opts = {}, ctx) => get('/v1/invoices/:id', ctx, (s, o) => s.invoices.retrieve(id, opts, o)),
      update: (id, params, ctx) => post('/v1/invoices/:id', ctx, (s, o) => s.invoices.update(id, params, o)),
      pay: async (id, params, ctx) => {
        const { idempotencyKey, ...body } = params;
        if (!idempotencyKey) throw new TypeError('invoices.pay needs an idempotencyKey (recover:<account>:<invoice>:<n>)');
        try {
          const invoice = await post('/v1/invoices/:id/pay', { ...ctx, idempotencyKey }, (s, o) => s.invoices.pay(id, body, o));
          return { ok: true, invoice };
        } catch (e) {
          if (e instanceof CardDeclined) return { ok: false, decline: e };
          throw e;
        }
      },
      markUncollectible: (id, ctx) =>
        post('/v1/invoices/:id/mark_uncollectible', ctx, (s, o) => s.invoices.markUncollectible(id, {}, o)),
    },
    invoicePayments: {
      list: invoicePaymentsList,
      listAll: (params = {}, ctx) => pages((p) => invoicePaymentsList(p, ctx), params),
    },
    charges: {
      list: chargesList,
      listAll: (params = {}, ctx) => pages((p) => chargesList(p, ctx), params),
    },
    paymentIntents: {
      retrieve: (id, opts = {}, ctx) => get('/v1/payment_intents/:id', ctx, (s, o) => s.paymentIntents.retrieve(id, opts, o)),
      list: (params = {}, ctx) => get('/v1/payment_intents', ctx, (s, o) => s.paymentIntents.list(params, o)),
      create: (params, ctx) => createPaymentIntent(post, params, ctx),
    },
    checkoutSessions: {
      createSetup: (params, ctx) =>
        post('/v1/checkout/sessions', ctx, (s, o) => s.checkout.sessions.create(setupSessionBody(params), o)),
      retrieve: (id, opts = {}, ctx) =>
        get('/v1/checkout/sessions/:id', ctx, (s, o) => s.checkout.sessions.retrieve(id, opts, o)),
    },
    setupIntents: {
      retrieve: (id, opts = {}, ctx) => get('/v1/setup_intents/:id', ctx, (s, o) => s.setupIntents.retrieve(id, opts, o)),
    },
    subscriptions: {
      retrieve: (id, opts = {}, ctx) => get('/v1/subscriptions/:id', ctx, (s, o) => s.subscriptions.retrieve(id, opts, o)),
      update: (id, params, ctx) => post('/v1/subscriptions/:id', ctx, (s, o) => s.subscriptions.update(id, params, o)),
      cancel: (id, params = {}, ctx) =>
        ex.run({ method: 'DELETE', path: '/v1/subscriptions/:id' }, ctx, (s, o) => s.subscriptions.cancel(id, params, o)),
    },
    customers: {
      retrieve: (id, opts = {}, ctx) => get('/v1/customers/:id', ctx, (s, o) => s.customers.retrieve(id, opts, o)),
      list: (params = {}, ctx) => get('/v1/customers', ctx, (s, o) => s.customers.list(params, o)),
    },
    paymentMethods: {
      retrieve: (id, opts = {}, ctx) => get('/v1/payment_methods/:id', ctx, (s, o) => s.paymentMethods.retrieve(id, opts, o)),
    },
    creditNotes: {
      list: creditNotesList,
      listAll: (params = {}, ctx) => pages((p) => creditNotesList(p, ctx), params),
    },
    webhookEndpoints: {
      create: (params, ctx) => post('/v1/webhook_endpoints', ctx, (s, o) => s.webhookEndpoints.create(params, o)),
      list: (params = {}, ctx) => get('/v1/webhook_endpoints', ctx, (s, o) => s.webhookEndpoints.list(params, o)),
      update: (id, params, ctx) => post('/v1/webhook_endpoints/:id', ctx, (s, o) => s.webhookEndpoints.update(id, params, o)),
      del: (id, ctx) => ex.run({ method: 'DELETE', path: '/v1/webhook_endpoints/:id' }, ctx, (s, o) => s.webhookEndpoints.del(id, {}, o)),
    },
    events: {
      list: eventsList,
      listAll: (params = {}, ctx) => pages((p) => eventsList(p, ctx), params),
    },
    webhooks: { constructEvent, signPayload },
  };
}

type Post = <R>(path: string, ctx: Ctx | undefined, fn: SdkCall<R>) => Promise<R>;

async function createPaymentIntent(post: Post, p: PaymentIntentParams, ctx?: Ctx): Promise<PaymentIntentResult> {
  if (!p.idempotencyKey) throw new TypeError('paymentIntents.create needs an idempotencyKey (recover:<recovery>:<n>)');
  const body: T.PaymentIntentCreateParams = {
    amount: p.amount,
    currency: p.currency,
    customer: p.customer,
    payment_method: p.paymentMethod,
    confirm: true,
    // Cards only (this API version's name for the list: SDK PaymentIntentCreateParams); with the
    // Dashboard's automatic payment methods a confirm without a return_url could be refused.
    allowed_payment_method_types: ['card'],
    ...(p.offSession ? { off_session: true } : {}),
    ...(p.metadata ? { metadata: p.metadata } : {}),
    ...(p.description !== undefined ? { description: p.description } : {}),
  };
  try {
    const pi = await post('/v1/payment_intents', { ...ctx, idempotencyKey: p.idempotencyKey }, (s, o) =>
      s.paymentIntents.create(body, o),
    );
    if (pi.status === 'requires_action') return { ok: false, requiresAction: true, paymentIntent: pi };
    // A confirmed card payment ends succeeded, requires_action or (402) declined; anything else is not
    // a success to report, so it is an error (retrying with the same idempotency key replays it).
    if (pi.status !== 'succeeded') throw new WorkError(`PaymentIntent ${pi.id} ended in status ${pi.status}, not succeeded`);
    const charge = pi.latest_charge;
    return { ok: true, paymentIntent: pi, chargeId: typeof charge === 'string' ? charge : (charge?.id ?? null) };
  } catch (e) {
    if (e instanceof CardDeclined) return { ok: false, decline: e };
    throw e;
  }
}

function setupSessionBody(p: SetupSessionParams): T.CheckoutSessionCreateParams {
  if (!Number.isInteger(p.expiresAt)) throw new TypeError(`expiresAt must be epoch seconds (got ${p.expiresAt})`);
  return {
    mode: 'setup',
    customer: p.customer,
    currency: p.currency,
    allowed_payment_method_types: ['card'],
    success_url: p.successUrl,
    ...(p.cancelUrl !== undefined ? { cancel_url: p.cancelUrl } : {}),
    expires_at: p.expiresAt,
    ...(p.metadata ? { metadata: p.metadata, setup_intent_data: { metadata: p.metadata } } : {}),
  };
}
