import { z } from 'zod';
import { resolveRetrySettings } from './retry-settings.js';
import { API_VERSIONS } from './sdk-lists.js';

/**
 * The seed file format (JSON). See README.md in this folder for an annotated example.
 * Field names are snake_case like Stripe's. Every time accepts epoch milliseconds, an ISO-8601
 * string, or an offset from the seed's `start` such as "-3d", "+12h", "-90m", "+30s".
 */
const RELATIVE_RE = /^[+-]\d+(?:\.\d+)?(?:ms|s|m|h|d)$/;

export const timeSchema = z.union([
  z.number().int(),
  z.string().refine((s) => RELATIVE_RE.test(s) || !Number.isNaN(Date.parse(s)), {
    message: 'expected epoch ms, an ISO date, or an offset like "-3d" / "+12h"',
  }),
]);

export const declineSpecSchema = z.strictObject({
  decline_code: z.string().min(1),
  code: z.string().optional(),
  message: z.string().optional(),
  advice_code: z.string().nullable().optional(),
  network_advice_code: z.string().nullable().optional(),
  network_decline_code: z.string().nullable().optional(),
  outcome_type: z.enum(['issuer_declined', 'blocked']).optional(),
});

/** What happens when the payment method is charged. */
export const behaviourSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('succeed') }),
  declineSpecSchema.extend({ type: z.literal('decline') }),
  /** 3-D Secure required: the off-session charge fails with `authentication_required`. */
  z.strictObject({ type: z.literal('requires_action') }),
  /** Declines with `decline` unless one of the success conditions holds at charge time. */
  z.strictObject({
    type: z.literal('schedule'),
    decline: declineSpecSchema,
    /** Days of the month (customer's timezone) on which the charge succeeds, e.g. paydays [1, 15]. */
    succeed_on_days: z.array(z.number().int().min(1).max(31)).optional(),
    /** From this time on the charge succeeds. */
    succeed_after: timeSchema.optional(),
    /** Succeeds once the customer has attached a payment method newer than this one. */
    succeed_after_new_payment_method: z.boolean().optional(),
  }),
]);

export const paymentMethodSchema = z.strictObject({
  id: z.string().regex(/^pm_\w+$/).optional(),
  brand: z.enum(['visa', 'mastercard', 'amex', 'discover', 'jcb', 'diners', 'unionpay']).default('visa'),
  funding: z.enum(['credit', 'debit', 'prepaid', 'unknown']).default('credit'),
  /** Issuing country (ISO 3166-1 alpha-2); default: the customer's country. */
  country: z.string().length(2).optional(),
  last4: z.string().regex(/^\d{4}$/).optional(),
  exp_month: z.number().int().min(1).max(12).optional(),
  exp_year: z.number().int().min(2000).max(2100).optional(),
  fingerprint: z.string().optional(),
  created: timeSchema.optional(),
  /** Makes it the customer's invoice_settings.default_payment_method (else the first one is). */
  default: z.boolean().optional(),
  behaviour: behaviourSchema.default({ type: 'succeed' }),
});

export const attemptSchema = z.strictObject({
  at: timeSchema,
  /** Payment method charged; default: the one the invoice would use at that time. */
  payment_method: z.string().optional(),
  /** Forces this outcome instead of asking the payment method's behaviour. */
  outcome: z.union([z.literal('succeeded'), z.literal('requires_action'), declineSpecSchema]).optional(),
});

export const creditNoteSchema = z.strictObject({
  id: z.string().regex(/^cn_\w+$/).optional(),
  amount: z.number().int().positive(),
  type: z.enum(['pre_payment', 'post_payment']).default('pre_payment'),
  reason: z.enum(['duplicate', 'fraudulent', 'order_change', 'product_unsatisfactory']).nullable().default(null),
  created: timeSchema.optional(),
});

export const invoiceSchema = z.strictObject({
  id: z.string().regex(/^in_\w+$/).optional(),
  /** amount_due in minor units. */
  amount: z.number().int().min(0),
  currency: z.string().length(3).optional(),
  /** Final status; default: `paid` if the last attempt succeeded, else `open`. */
  status: z.enum(['draft', 'open', 'paid', 'void', 'uncollectible']).optional(),
  collection_method: z.enum(['charge_automatically', 'send_invoice']).default('charge_automatically'),
  billing_reason: z
    .enum(['subscription_create', 'subscription_cycle', 'subscription_update', 'manual', 'upcoming', 'subscription_threshold'])
    .optional(),
  created: timeSchema.optional(),
  due_date: timeSchema.optional(),
  auto_advance: z.boolean().default(true),
  attempts: z.array(attemptSchema).default([]),
  /** Overrides the Smart Retries slot computed for an open invoice (null: no retry). */
  next_payment_attempt: timeSchema.nullable().optional(),
  description: z.string().optional(),
  metadata: z.record(z.string(), z.string()).default({}),
  credit_notes: z.array(creditNoteSchema).default([]),
});

export const subscriptionSchema = z.strictObject({
  id: z.string().regex(/^sub_\w+$/).optional(),
  /** Price per period in minor units. */
  price: z.number().int().min(0),
  currency: z.string().length(3).optional(),
  interval: z.enum(['day', 'week', 'month', 'year']).default('month'),
  /** Final status; default derived from the invoices (past_due while one is open and failed). */
  status: z.enum(['active', 'past_due', 'unpaid', 'canceled', 'incomplete', 'trialing']).optional(),
  created: timeSchema.optional(),
  cancel_at_period_end: z.boolean().default(false),
  default_payment_method: z.string().optional(),
  metadata: z.record(z.string(), z.string()).default({}),
  invoices: z.array(invoiceSchema).default([]),
});

/** A change the customer makes later, applied when the emulator clock passes `at`. */
export const customerUpdateSchema = z.discriminatedUnion('type', [
  /** Attaches a new payment method (payment_method.attached) and, by default, makes it the default (customer.updated). */
  z.strictObject({
    type: z.literal('new_payment_method'),
    at: timeSchema,
    payment_method: paymentMethodSchema,
    set_default: z.boolean().default(true),
  }),
  /** The card network updates an existing card (payment_method.automatically_updated). */
  z.strictObject({
    type: z.literal('automatic_update'),
    at: timeSchema,
    payment_method: z.string(),
    exp_month: z.number().int().min(1).max(12).optional(),
    exp_year: z.number().int().min(2000).max(2100).optional(),
    last4: z.string().regex(/^\d{4}$/).optional(),
    behaviour: behaviourSchema.default({ type: 'succeed' }),
  }),
]);

export const customerSchema = z.strictObject({
  id: z.string().regex(/^cus_\w+$/).optional(),
  name: z.string().optional(),
  email: z.string().optional(),
  /** IANA zone, stored as metadata.timezone (that is where the project reads it). */
  timezone: z.string().optional(),
  /** address.country (ISO alpha-2). */
  country: z.string().length(2).optional(),
  currency: z.string().length(3).optional(),
  created: timeSchema.optional(),
  metadata: z.record(z.string(), z.string()).default({}),
  payment_methods: z.array(paymentMethodSchema).default([]),
  subscriptions: z.array(subscriptionSchema).default([]),
  /** One-off invoices (no subscription). */
  invoices: z.array(invoiceSchema).default([]),
  updates: z.array(customerUpdateSchema).default([]),
});


const smartRetriesSchema = z
  .union([
    z.boolean(),
    z.string(),
    z.strictObject({
      enabled: z.boolean().optional(),
      window: z.union([z.string(), z.number()]).optional(),
      tries: z.number().optional(),
      subscription_action: z.enum(['cancel', 'unpaid', 'past_due']).optional(),
      invoice_action: z.enum(['uncollectible', 'past_due']).optional(),
    }),
  ])
  .superRefine((v, ctx) => {
    try {
      resolveRetrySettings(v);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
  });

export const accountSchema = z.strictObject({
  id: z.string().regex(/^acct_\w+$/).optional(),
  name: z.string().optional(),
  email: z.string().optional(),
  country: z.string().length(2).default('US'),
  default_currency: z.string().length(3).default('usd'),
  /** Dashboard timezone (IANA). */
  timezone: z.string().default('Etc/UTC'),
  /**
   * Stripe Smart Retries for this account (retry-settings.ts): true/false, "on:2w:8"-style, or
   * { enabled, window, tries, subscription_action, invoice_action }; default EmulatorOptions.smartRetries (true).
   */
  smart_retries: smartRetriesSchema.optional(),
  /** Default API version of the account (events for endpoints without one); default the SDK's pinned version. */
  api_version: z
    .string()
    .refine((v) => API_VERSIONS.includes(v), { message: 'not an API version the SDK knows' })
    .optional(),
  /** Days after the first failure at which Smart Retries tries again (default [1,2,4,6,8,10,13]). */
  retry_schedule_days: z.array(z.number().positive()).max(20).optional(),
  customers: z.array(customerSchema).default([]),
});

export const seedSchema = z.strictObject({
  version: z.literal(1).default(1),
  /** Clock start; EmulatorOptions.clockStart wins when both are given. */
  start: timeSchema.optional(),
  account: accountSchema.default({ country: 'US', default_currency: 'usd', timezone: 'Etc/UTC', customers: [] }),
  connected_accounts: z.array(accountSchema).default([]),
  /**
   * Record the events that seeded past attempts imply (last 30 days, like Stripe keeps).
   * false saves about half the memory of a large seed; charges, payment intents and invoice
   * payments are created either way.
   */
  history_events: z.boolean().default(true),
  /** Restricted keys: exactly these permissions. Any sk_test_… key has full access anyway. */
  keys: z
    .array(z.strictObject({ key: z.string().regex(/^rk_test_\w+$/), permissions: z.array(z.string().regex(/^rak_\w+$/)) }))
    .default([]),
});

export type Seed = z.infer<typeof seedSchema>;
export type SeedInput = z.input<typeof seedSchema>;
export type SeedAccount = z.infer<typeof accountSchema>;
export type SeedCustomer = z.infer<typeof customerSchema>;
export type SeedPaymentMethod = z.infer<typeof paymentMethodSchema>;
export type SeedSubscription = z.infer<typeof subscriptionSchema>;
export type SeedInvoice = z.infer<typeof invoiceSchema>;
export type SeedAttempt = z.infer<typeof attemptSchema>;
export type SeedCustomerUpdate = z.infer<typeof customerUpdateSchema>;
export type Behaviour = z.infer<typeof behaviourSchema>;
export type SeedTime = z.infer<typeof timeSchema>;
