/**
 * Step 5 of onboarding: Smart Retries and the control baseline. Explains the two honest
 * set-ups, then checks the account against the choice: an open, automatically collected
 * invoice that still carries `next_payment_attempt` is one Stripe will retry by itself.
 */
import type { StripeGateway } from '../../stripe/index.js';

export const BASELINE_EXPLANATION = [
  'How should recover measure its lift? A share of customers (the control group) is left to a baseline:',
  '  stripe       Smart Retries stays on. recover pauses only the invoices it manages (auto_advance=false)',
  '               and leaves the control group to Stripe, so the lift is measured against Smart Retries itself.',
  '  fixed:3,5,7  You switch Smart Retries off and recover retries the control group itself on a fixed',
  '               schedule: 3 days after the failure, then 5 and 7 days after the previous attempt.',
];

export const SMART_RETRIES_OFF_STEPS = [
  'Switch Smart Retries off in the Dashboard (Billing → Revenue recovery → Retries):',
  '  1. Choose a custom retry schedule and remove every retry rule.',
  '  2. Turn failed-payment emails off (recover does not email; keep your own dunning emails if you have them).',
  '  3. Subscription status after all retries fail: "leave the subscription past-due".',
  '  4. Invoice status after all retries fail: "leave the invoice past-due".',
];

export function smartRetriesLink(env: 'test' | 'live'): string {
  return `https://dashboard.stripe.com/${env === 'test' ? 'test/' : ''}revenue_recovery/retries`;
}

export interface RetrySignal {
  /** Open, automatically collected invoices that have failed at least once. */
  scanned: number;
  /** Those Stripe will retry (next_payment_attempt set). */
  retrying: Array<{ account?: string; invoice: string; nextAttempt: number }>;
  /** True when the scan stopped at its page limit, so counts are lower bounds. */
  truncated: boolean;
}

/** Pages through open invoices (100 per page, at most `maxPages` per account). */
export async function scanSmartRetries(gw: StripeGateway, accounts: Array<string | undefined>, maxPages = 20): Promise<RetrySignal> {
  const signal: RetrySignal = { scanned: 0, retrying: [], truncated: false };
  for (const account of accounts) {
    let pages = 0;
    for await (const { page, hasMore } of gw.invoices.listAll({ status: 'open', collection_method: 'charge_automatically', limit: 100 }, { account })) {
      for (const inv of page) {
        // A never-attempted invoice carries next_payment_attempt for its first try: not a retry.
        if (inv.attempt_count < 1) continue;
        signal.scanned++;
        if (inv.next_payment_attempt) signal.retrying.push({ account, invoice: inv.id, nextAttempt: inv.next_payment_attempt * 1000 });
      }
      if (++pages === maxPages && hasMore) {
        signal.truncated = true;
        break;
      }
    }
  }
  return signal;
}

/** One sentence on whether the account matches the chosen baseline. */
export function judgeSignal(baseline: string, s: RetrySignal): { ok: boolean; message: string } {
  const n = s.retrying.length;
  const count = `${n}${s.truncated ? '+' : ''} of ${s.scanned}${s.truncated ? '+' : ''} failed open automatically collected invoices`;
  if (baseline === 'stripe') {
    if (n > 0) return { ok: true, message: `Stripe is retrying ${count}: Smart Retries is on, as baseline "stripe" needs.` };
    if (s.scanned === 0) return { ok: true, message: 'No failed open invoices yet; Smart Retries cannot be checked until one fails.' };
    return { ok: false, message: `Stripe is retrying none of ${s.scanned} failed open invoices: Smart Retries looks off, so the control group would get no retries. Turn it on, or choose baseline fixed:3,5,7.` };
  }
  if (n > 0) return { ok: false, message: `Stripe is still retrying ${count}: Smart Retries looks on. Switch it off as above; recover pauses the invoices it manages either way.` };
  return { ok: true, message: `Stripe is retrying none of ${s.scanned} failed open invoices: Smart Retries is off, as baseline "${baseline}" needs.` };
}
