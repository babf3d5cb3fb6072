/**
 * The narrow Stripe surface the project uses. Every method goes through the executor (limiter,
 * key fallback, retries, typed errors) and returns the SDK's own types. Every method takes an
 * optional `ctx: { account?, idempotencyKey? }`: `account` selects a Connect connected account.
 */
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
  };
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
