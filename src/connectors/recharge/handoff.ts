/**
 * The portal hand-off: Recharge's own retries (and its Failed Payment Recovery strategies) can
 * only be switched off in its merchant portal, so onboarding prints the steps, then verifies
 * them from charge data: an errored charge that still carries a `retry_date` is one Recharge
 * will retry itself. Steps from Recharge's help centre: "How can I change the number of failed
 * charge retries?" (support.getrecharge.com/hc/en-us/articles/13353795107991) and "Managing max
 * retry charge errors" (support.rechargepayments.com/hc/en-us/articles/360030618053).
 */
import type { RechargeClient } from './client.js';
import { InvalidRequest, NotFound, PlanRequired } from './errors.js';

export const PORTAL_STEPS: readonly string[] = [
  "Switch Recharge's own retries off in the merchant portal (its API cannot):",
  '  1. With Failed Payment Recovery: Retain → Failed Payment Recovery → turn every recovery strategy off',
  '     (Basic recovery strategy: under Failed charges, set the number of retries to 0).',
  '  2. Without it: Settings → Payment → Failed charges: set the number of retries to 0.',
  '  3. Settings → Payment → "When maximum number of retries are reached": choose "Do nothing"',
  '     (recover applies its own end-of-dunning action), then Save.',
  'recover then checks the charges: no retry_date on errored charges, charge_attempts not moving.',
];

export interface RetrySignal {
  /** Errored charges scanned. */
  scanned: number;
  /** Those Recharge still plans to retry (retry_date set): id and when. */
  retrying: Array<{ chargeId: number; retryDate: string }>;
  truncated: boolean;
}

/** Reads up to `limit` errored charges (a read; changes nothing). */
export async function scanRechargeRetries(client: RechargeClient, limit = 1000): Promise<RetrySignal> {
  const s: RetrySignal = { scanned: 0, retrying: [], truncated: false };
  for await (const page of client.chargePages({ status: 'error', limit: 250 })) {
    for (const ch of page.items) {
      if (s.scanned >= limit) return { ...s, truncated: true };
      s.scanned++;
      if (ch.retry_date) s.retrying.push({ chargeId: ch.id, retryDate: ch.retry_date });
    }
  }
  return s;
}

/**
 * false when the plan refuses `POST /charges/{id}/process` (a paid-plan feature), asked on a
 * charge id that cannot exist: a missing or unprocessable charge means the call is allowed.
 */
export async function probeProcess(client: RechargeClient): Promise<boolean> {
  try {
    await client.processCharge(0);
    return true;
  } catch (e) {
    if (e instanceof PlanRequired) return false;
    if (e instanceof NotFound || e instanceof InvalidRequest) return true;
    throw e;
  }
}
