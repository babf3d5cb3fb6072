/**
 * Writing report fixtures through the store's own typed functions (cases.upsert, attempts.record /
 * schedule → claimDue → markStarted → finish, cases.markRecovered / setStatus, history.insert),
 * exactly as intake and the daemon do.
 */
import { DAY_MS } from '../../src/clock.js';
import type { Arm, AttemptOutcome, CaseStatus, RecoveredBy, Store } from '../../src/db/index.js';

let seq = 0;

export interface SeedCase {
  account?: string;
  /** Default stripe; a `recharge` case needs an `rc_…` account. */
  platform?: 'stripe' | 'recharge';
  invoice?: string;
  customer?: string;
  arm: Arm;
  amount: number;
  currency: string;
  entered: number;
  /** Default entered + 30 days. */
  deadline?: number;
  status?: Exclude<CaseStatus, 'recovered'>;
  brand?: string | null;
  fingerprint?: string | null;
  tz?: string | null;
  /** The decline that opened the case: recorded as attempt 1 by Stripe, like intake does. */
  opening?: string | null;
  /** The case's last decline code (fallback when no opening attempt is recorded). */
  lastDecline?: string | null;
  /** How the case entered (default webhook). */
  source?: 'takeover' | 'webhook' | 'reconciler';
}

export function addCase(store: Store, c: SeedCase): number {
  seq++;
  const accountId = c.account ?? 'self';
  const platform = c.platform ?? 'stripe';
  const kind = accountId === 'self' || platform !== 'stripe' ? 'main' : 'connected';
  store.accounts.upsert({ id: accountId, platform, environment: 'test', kind });
  const { id } = store.cases.upsert({
    platform,
    accountId,
    invoiceId: c.invoice ?? `in_seed${seq}`,
    customerId: c.customer ?? `cus_seed${seq}`,
    amountDue: c.amount,
    currency: c.currency,
    invoiceCreatedAt: c.entered - 3_600_000,
    firstFailedAt: c.entered,
    source: c.source ?? 'webhook',
    arm: c.arm,
    status: c.status ?? (c.arm === 'control' ? 'observing' : 'in_dunning'),
    dunningDeadline: c.deadline ?? c.entered + 30 * DAY_MS,
    cardBrand: c.brand ?? null,
    cardFingerprint: c.fingerprint ?? null,
    customerTimezone: c.tz ?? null,
    lastFailedAt: c.entered,
    lastDeclineCode: c.lastDecline ?? c.opening ?? null,
  });
  if (c.opening) store.attempts.record({ caseId: id, by: 'stripe', outcome: 'declined', at: c.entered, declineCode: c.opening });
  return id;
}

/** One of our attempts, through the scheduler's path: schedule, claim, start, finish. */
export function ourAttempt(store: Store, caseId: number, at: number, outcome: Extract<AttemptOutcome, 'succeeded' | 'declined'>, declineCode?: string, extra: { networkAdviceCode?: string; adviceCode?: string; amount?: number; currency?: string } = {}): number {
  const a = store.attempts.schedule(caseId, at);
  const claimed = store.attempts.claimDue(at, 60_000, 1, 'seed');
  if (claimed.length !== 1 || claimed[0].id !== a.id) throw new Error('seed: expected to claim the attempt just scheduled');
  if (!store.attempts.markStarted(a.id, 'seed', at)) throw new Error('seed: markStarted failed');
  if (!store.attempts.finish(a.id, 'seed', { outcome, at, declineCode: outcome === 'declined' ? (declineCode ?? 'insufficient_funds') : null, ...extra })) {
    throw new Error('seed: finish failed');
  }
  return a.id;
}

/** An attempt made by Stripe (control under baseline `stripe`) or by the customer. */
export function observed(store: Store, caseId: number, by: 'stripe' | 'customer', at: number, outcome: 'succeeded' | 'declined', declineCode?: string, extra: { networkAdviceCode?: string; adviceCode?: string } = {}): void {
  store.attempts.record({ caseId, by, at, outcome, declineCode: outcome === 'declined' ? (declineCode ?? 'insufficient_funds') : null, ...extra });
}

export function recovered(store: Store, caseId: number, at: number, by: RecoveredBy, amount: number): void {
  if (!store.cases.markRecovered(caseId, { at, by, amount })) throw new Error('seed: markRecovered changed nothing');
}

export function ended(store: Store, caseId: number, status: 'lost' | 'hard_declined' | 'closed', at: number): void {
  if (!store.cases.setStatus(caseId, status, { at })) throw new Error('seed: setStatus changed nothing');
}
