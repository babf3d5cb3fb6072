/**
 * A Recharge store's part of the settings (`settings.recharge`, written by `recover onboard
 * recharge`), and the policy settings a Recharge case is run under.
 *
 * One database may hold a Stripe account and a Recharge store: the dunning policy (days,
 * windows, control share, attempt cost) is shared, while the mode, the control baseline and the
 * end-of-dunning action are the store's own. Recharge's retries can only be switched off for the
 * whole store (its portal), so its control arm cannot be "left to the platform" per charge as on
 * Stripe: recover runs the control schedule itself (`fixed:…`).
 */
import { z } from 'zod';
// A type only: config/settings.ts imports this schema, so a value import would be a cycle.
import type { Settings } from '../../config/settings.js';

export const RECHARGE_DEFAULT_BASELINE = 'fixed:3,5,7';
/** What the pre-launch ingest should last before go-live, in days. */
export const SHADOW_DAYS_RECOMMENDED = 7;

export const endAction = z.discriminatedUnion('type', [
  /** Cancel the subscription with Recharge's `cancellation_reason` (required by its API). */
  z.object({ type: z.literal('cancel'), reason: z.string().min(1).max(255) }),
  z.object({ type: z.literal('leave') }),
]);
export type EndAction = z.infer<typeof endAction>;

export const rechargeSettingsSchema = z.object({
  /** The store's account id in `accounts` (`rc_<store id>`). */
  accountId: z.string().regex(/^rc_[A-Za-z0-9_.-]+$/),
  storeName: z.string().optional(),
  /** `--recharge-api-base` given at onboarding (the emulator), reused by later commands. */
  apiBase: z.string().url().optional(),
  /** recover's receiver, `<public url>/recharge/webhooks`; absent with --no-webhook. */
  webhookUrl: z.string().url().optional(),
  mode: z.enum(['shadow', 'live']).default('shadow'),
  /** When the pre-launch ingest began (epoch ms): `status` counts days from it. */
  shadowSince: z.number().int().min(0),
  /** Days after the previous attempt, as settings.controlBaseline's `fixed:` (each 1 to 120). */
  controlBaseline: z
    .string()
    .regex(/^fixed:\d+(,\d+)*$/, { message: 'must be "fixed:<days>,…" on Recharge (its retries are store-wide)' })
    .refine(
      (v) =>
        v
          .slice(6)
          .split(',')
          .every((d) => Number(d) >= 1 && Number(d) <= 120),
      {
        message: 'each day must be 1 to 120',
      },
    )
    .default(RECHARGE_DEFAULT_BASELINE),
  endAction: endAction.default({ type: 'cancel', reason: 'Payment failed (recover: end of dunning)' }),
  /**
   * Recharge's leaky bucket drains 2 calls/s per token by default ("some tokens more":
   * docs.getrecharge.com/docs/api-rate-limits); set this when the store's token has more.
   */
  callsPerSec: z.number().min(0.1).max(1000).optional(),
  /** false when the store's plan refuses `POST /charges/{id}/process` (found at onboarding). */
  processAllowed: z.boolean(),
});
export type RechargeSettings = z.infer<typeof rechargeSettingsSchema>;

/**
 * The settings a Recharge case runs under: the shared policy with the store's mode and baseline.
 * Invoices have no "uncollectible" on Recharge, so the invoice action is `leave`; the subscription
 * action is carried out by the Recharge connector (cancel now with the reason, or nothing).
 */
export function settingsForRecharge(s: Settings, rc: RechargeSettings): Settings {
  return {
    ...s,
    mode: rc.mode,
    controlBaseline: rc.controlBaseline,
    invoiceAction: 'leave',
    subscriptionAction:
      rc.endAction.type === 'cancel' ? { type: 'cancel_after_delay', delayMs: 0, prorate: false } : { type: 'leave' },
  };
}
