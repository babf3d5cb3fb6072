/**
 * The Recovery API's request and response shapes: one zod schema each, used to validate the
 * bodies and to generate docs/api.openapi.json (openapi.ts), so the document cannot drift from
 * what the server accepts. Amounts are minor units (cents), times ISO 8601 UTC, ids are strings.
 */
import { z } from 'zod';

const currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, { message: 'must be a three-letter ISO 4217 code such as "usd"' })
  .transform((c) => c.toLowerCase())
  .meta({ description: 'ISO 4217, any case; answered lowercase', example: 'usd' });
// Stripe's largest amount is 99999999 minor units (eight digits): https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts
const amount = z.number().int().min(1).max(99_999_999).meta({ description: 'minor units (cents)', example: 2500 });
const code = z.string().min(1).max(64);
const externalId = z.string().min(1).max(255);
const metadata = z
  .record(z.string().max(40), z.string().max(500))
  .refine((m) => Object.keys(m).length <= 50, { message: 'at most 50 keys' })
  .meta({ description: 'up to 50 string pairs, returned as given (Stripe metadata limits)' });
const isoTime = z.string().meta({ format: 'date-time', example: '2026-12-01T12:00:00.000Z' });

export const createRecoveryBody = z
  .object({
    paymentMethod: z
      .object({
        customer: z.string().regex(/^cus_\w+$/, { message: 'must be a Stripe customer id (cus_…)' }),
        token: z.string().regex(/^pm_\w+$/, { message: 'must be a Stripe PaymentMethod id (pm_…)' }),
      })
      .strict()
      .meta({ description: 'the Stripe customer and PaymentMethod recover charges' }),
    amount,
    currency,
    declineCode: code.meta({ description: "the failed charge's decline code (Stripe's `decline_code`)" }),
    networkAdviceCode: code.optional(),
    adviceCode: code.optional().meta({ description: "Stripe's `advice_code`, e.g. do_not_try_again" }),
    invoiceId: externalId.meta({ description: "the merchant's own id of what failed (unique per recovery)" }),
    customerId: externalId.meta({ description: "the merchant's own customer id" }),
    customerPresent: z
      .boolean()
      .optional()
      .meta({ description: 'a person is waiting: charge now, on-session, and answer the outcome' }),
    metadata: metadata.optional(),
  })
  .strict();
export type CreateRecoveryBody = z.infer<typeof createRecoveryBody>;

export const cancelBody = z
  .object({ reason: z.string().min(1).max(500).optional().meta({ description: 'why, kept with the case' }) })
  .strict();

export const paymentMethodUpdateBody = z
  .object({
    customerId: externalId.meta({ description: "the merchant's customer id, as given to POST /v1/recoveries" }),
    token: z.string().regex(/^pm_\w+$/, { message: 'must be a Stripe PaymentMethod id (pm_…)' }),
  })
  .strict();

export const pulseBody = z
  .object({
    amount,
    currency,
    at: z.iso.datetime({ offset: true }).optional().meta({ description: 'when it was charged; default now' }),
  })
  .strict();

export const RECOVERY_STATUSES = [
  'scheduled',
  'waiting_card_update',
  'needs_customer_action',
  'succeeded',
  'failed',
  'blocked',
  'canceled',
] as const;
export const RECOMMENDED_ACTIONS = ['retry_scheduled', 'request_card_update', 'manual_review', 'none'] as const;

const attemptView = z.object({
  n: z.number().int(),
  by: z
    .enum(['recover', 'merchant', 'customer'])
    .meta({ description: "`merchant`: the merchant's own billing (the failed payment handed over, attempt 1)" }),
  at: isoTime.nullable(),
  outcome: z
    .string()
    .nullable()
    .meta({ description: 'succeeded, declined, error, shadow, canceled, skipped; null: planned' }),
  declineCode: z.string().nullable(),
  amount: z.number().int().nullable(),
});

export const recoveryView = z.object({
  id: z.string().meta({ example: 'rec_42' }),
  object: z.literal('recovery'),
  status: z.enum(RECOVERY_STATUSES),
  invoiceId: z.string(),
  customerId: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  customerPresent: z.boolean(),
  metadata: z.record(z.string(), z.string()).nullable(),
  arm: z.enum(['treatment', 'control']).meta({ description: 'control: held out to measure the lift' }),
  attempts: z.array(attemptView),
  lastDecline: z
    .object({
      declineCode: z.string().nullable(),
      adviceCode: z.string().nullable(),
      networkAdviceCode: z.string().nullable(),
      at: isoTime.nullable(),
    })
    .nullable(),
  nextAttempt: z.object({ at: isoTime, reason: z.string() }).nullable(),
  recommendedAction: z.enum(RECOMMENDED_ACTIONS),
  reason: z.string().meta({ description: 'why: the policy’s explanation, as `recover explain` shows it' }),
  cardUpdateUrl: z.string().optional().meta({ description: 'customerPresent declines the customer can fix' }),
  amountRecovered: z.number().int().nullable(),
  createdAt: isoTime,
  endedAt: isoTime.nullable(),
});
export type RecoveryView = z.infer<typeof recoveryView>;

export const errorEnvelope = z.object({
  error: z.object({
    type: z.enum([
      'invalid_request_error',
      'authentication_error',
      'rate_limit_error',
      'idempotency_error',
      'api_error',
    ]),
    code: z.string(),
    message: z.string(),
    param: z.string().optional(),
  }),
});

export const pulseView = z.object({
  id: z.string(),
  object: z.literal('pulse'),
  amount: z.number().int(),
  currency: z.string(),
  at: isoTime,
});
export const pmUpdateView = z.object({
  object: z.literal('payment_method_update'),
  customerId: z.string(),
  token: z.string(),
  replanned: z.array(z.string()).meta({ description: 'ids of the recoveries re-planned' }),
});
export const recoveryList = z.object({ object: z.literal('list'), data: z.array(recoveryView) });
