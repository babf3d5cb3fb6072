import { DAY_MS, HOUR_MS } from '../clock.js';
import type { Doc, Row } from './store.js';
import type { AccountState, World } from './world.js';

/**
 * When Stripe would next try to collect an invoice by itself (`next_payment_attempt`).
 *
 * - Only open, `charge_automatically` invoices with `auto_advance: true` are ever tried.
 * - Never attempted yet (attempt_count 0): one hour after creation (Stripe finalizes and
 *   attempts ~1 h after an invoice is created), regardless of Smart Retries.
 * - Failed before: only if the account has Smart Retries on. Retries happen at the account's
 *   schedule, in days after the first failure — default [1, 2, 4, 6, 8, 10, 13], i.e. 8 tries
 *   within 2 weeks (Stripe's recommended default). The next slot is the first one not yet used
 *   (attempt_count - 1) that is still in the future; when none is left, null (Smart Retries
 *   gave up; the invoice stays open, past due).
 *
 * Returns unix seconds or null.
 */
export function computeNextAttempt(acct: AccountState, doc: Doc, meta: Doc, nowMs: number): number | null {
  if (doc.status !== 'open' || doc.collection_method !== 'charge_automatically' || doc.auto_advance !== true) return null;
  const attempts = doc.attempt_count as number;
  if (attempts === 0) {
    return Math.floor(Math.max(doc.created * 1000 + HOUR_MS, nowMs) / 1000);
  }
  if (!acct.smartRetries) return null;
  const first = (meta.firstFailedAt as number | null) ?? nowMs;
  for (let k = attempts - 1; k < acct.retryDays.length; k++) {
    const at = first + acct.retryDays[k] * DAY_MS;
    if (at > nowMs) return Math.floor(at / 1000);
  }
  return null;
}

/** Puts the invoice's `next_payment_attempt` on the emulator's timeline (no-op when null). */
export function scheduleAttempt(world: World, acct: AccountState, inv: Row): void {
  const next = inv.doc.next_payment_attempt as number | null;
  // While a seed loads, the final slot is scheduled once at the end (seed-load.ts).
  if (next === null || world.loading) return;
  world.scheduler.add(next * 1000, { kind: 'invoice_attempt', account: acct.id, invoice: inv.id });
}

/** True when a due scheduler entry still matches the invoice (it may have been paid or rescheduled). */
export function attemptStillDue(inv: Row | undefined, atMs: number): inv is Row {
  return (
    !!inv &&
    inv.doc.status === 'open' &&
    inv.doc.auto_advance === true &&
    inv.doc.next_payment_attempt !== null &&
    inv.doc.next_payment_attempt * 1000 === atMs
  );
}
