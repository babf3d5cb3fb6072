/**
 * The merchant's saved policy: one zod schema, used by `onboard`, `config set`, the policy and
 * the daemon alike. Stored as JSON in the settings table (secrets live elsewhere).
 */
import { z } from 'zod';
import { CronExpressionParser } from 'cron-parser';
import { DateTime } from 'luxon';
import { rechargeSettingsSchema } from '../connectors/recharge/settings.js';

// Derived from the Stripe calls recover makes (src/stripe/permissions.ts); re-exported for the wizard and tests.
export { REQUIRED_PERMISSIONS } from '../stripe/permissions.js';

const cronWindow = z.string().refine(
  (expr) => {
    try {
      CronExpressionParser.parse(expr);
      return expr.trim().split(/\s+/).length === 5;
    } catch {
      return false;
    }
  },
  { message: 'must be a 5-field cron expression such as "0 8-20 * * *"' },
);

const timezone = z
  .string()
  .refine((tz) => DateTime.local().setZone(tz).isValid, { message: 'must be an IANA time zone such as "America/Chicago"' });

/** `stripe` or `fixed:d1,d2,...` (days after the previous attempt). */
const BASELINE_MESSAGE =
  'must be "stripe" or "fixed:<days>,<days>,..." (each 1 to 120, at most 20) such as "fixed:3,5,7"';
/** Most retries a fixed baseline may hold (Visa allows 15 attempts in 30 days). */
const MAX_FIXED_RETRIES = 20;
export const controlBaseline = z
  .string()
  .regex(/^(stripe|fixed:\d+(,\d+)*)$/, { message: BASELINE_MESSAGE })
  // Zero days would retry at once, again and again; over 120 is past any dunning window.
  .refine((v) => v === 'stripe' || fixedDays(v).every((d) => d >= 1 && d <= 120), { message: BASELINE_MESSAGE })
  .refine((v) => v === 'stripe' || fixedDays(v).length <= MAX_FIXED_RETRIES, { message: BASELINE_MESSAGE });

function fixedDays(v: string): number[] {
  return v.slice('fixed:'.length).split(',').map(Number);
}

export const subscriptionAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('cancel_at_period_end') }),
  z.object({
    type: z.literal('cancel_after_delay'),
    /** Delay in milliseconds, counted from `delayFrom`. */
    delayMs: z.number().int().min(0),
    prorate: z.boolean(),
  }),
  z.object({ type: z.literal('leave') }),
]);

export const settingsSchema = z.object({
  env: z.enum(['test', 'live']),
  scope: z.enum(['account', 'connect']),
  webhookUrl: z.string().url().optional(),
  webhookEndpointId: z.string().optional(),
  dunningDays: z.number().int().min(1).max(120).default(30),
  subscriptionAction: subscriptionAction.default({ type: 'cancel_at_period_end' }),
  invoiceAction: z.enum(['mark_uncollectible', 'leave']).default('mark_uncollectible'),
  includeSubscriptionCreate: z.boolean().default(false),
  delayFrom: z.enum(['hard_decline', 'invoice_created']).default('hard_decline'),
  /** Allowed retry windows as cron expressions, in the customer's local time. */
  windows: z.array(cronWindow).min(1).default(['0 8-20 * * *']),
  /** Used when Stripe does not tell us the customer's timezone. */
  defaultTimezone: timezone.default('UTC'),
  /** Share of customers held out as the control group. */
  controlShare: z.number().min(0).max(0.5).default(0.1),
  controlBaseline: controlBaseline.default('stripe'),
  /**
   * Days the baseline keeps retrying a control invoice. Stripe's API does not expose the Smart
   * Retries settings; its default is "8 tries within 2 weeks". The report says when it differs
   * from dunningDays (the lift then also measures the longer window).
   */
  baselineWindowDays: z.number().int().min(1).max(120).default(14),
  /** When the arms were assigned (go-live, epoch ms); absent: the first case's creation time. */
  armsAssignedAt: z.number().int().min(0).optional(),
  mode: z.enum(['shadow', 'live']).default('shadow'),
  /**
   * What one charge attempt costs, in US cents (converted to each invoice's currency,
   * src/policy/attempt-cost.ts): recover keeps retrying while the next attempt's estimated success ×
   * the amount due beats it. Default 25 (≈ the network retry fees: Visa's $0.10 per excessive
   * reattempt, Mastercard's $0.50 per excessive retry).
   */
  attemptCost: z.number().int().min(0).max(1_000_000).default(25),
  /** Per-currency override of attemptCost, in that currency's minor units: { "jpy": 40, "kwd": 80 }. */
  attemptCostByCurrency: z.record(z.string().regex(/^[a-zA-Z]{3}$/), z.number().min(0).max(1e9)).optional(),
  /** Stripe requests per second for all calls together (Stripe allows 25 test / 100 live). */
  // At least 1/s: below that the token bucket leaves the daemon without a call for many seconds (0.01/s:
  // none in 30 s; 1e-9/s overflows the timer). 10,000/s is above any limit Stripe grants (tests run the
  // emulator at 2,000).
  rateLimitPerSec: z.number().min(1).max(10_000).optional(),
  /**
   * Where recover POSTs its signed result webhooks (issue 16 §4; docs/webhooks.md), set by
   * `recover webhooks endpoint set`, which validates it (https, or local with --allow-local-webhooks).
   */
  resultWebhookUrl: z.string().url().optional(),
  /** Days before the end of a card's expiry month that `card.expiring_soon` is sent. */
  cardExpiryNoticeDays: z.number().int().min(1).max(90).default(30),
  /** Recovery API (issue 16 §3): asked just before each retry whether it is still wanted. */
  retryStatusUrl: z.string().url().optional(),
  /** Recovery API: where Stripe Checkout sends the customer after saving a new card (success_url). */
  cardUpdateReturnUrl: z.string().url().optional(),
  /** `--stripe-api-base` given at onboarding (the emulator), reused by later commands. */
  stripeApiBase: z.string().url().optional(),
  /** A Recharge store (`recover onboard recharge`): its mode, baseline and end action are its own. */
  recharge: rechargeSettingsSchema.optional(),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SubscriptionAction = z.infer<typeof subscriptionAction>;

/** Parsed form of `controlBaseline`. */
export type Baseline = { kind: 'stripe' } | { kind: 'fixed'; days: number[] };

export function parseBaseline(value: string): Baseline {
  if (value === 'stripe') return { kind: 'stripe' };
  return { kind: 'fixed', days: value.slice('fixed:'.length).split(',').map(Number) };
}

/** Defaults a merchant can accept by pressing enter (env/scope still have to be chosen). */
export function defaultSettings(env: 'test' | 'live' = 'test', scope: 'account' | 'connect' = 'account'): Settings {
  return settingsSchema.parse({ env, scope });
}
