/**
 * Value sets shared by the store's row types. Each list is mirrored by a CHECK constraint in
 * the migrations; changing one means a migration (SQLite cannot alter a CHECK in place).
 */

export const ENVIRONMENTS = ['test', 'live'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const ACCOUNT_KINDS = ['main', 'connected'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/** A case is active (recover may still act on it) while its status is one of these. */
export const ACTIVE_CASE_STATUSES = [
  'in_dunning', // treatment, or control under a `fixed:` baseline: recover retries it
  'waiting_card_update', // e.g. expired_card: no blind retries until a payment-method event
  'needs_customer_action', // the payment intent needs 3DS/authentication by the customer
  'observing', // control under baseline `stripe`: Stripe retries it, we only record outcomes
] as const;
/** Terminal statuses: dunning is over (`ended_at` is set exactly for these). */
export const TERMINAL_CASE_STATUSES = ['recovered', 'lost', 'hard_declined', 'closed'] as const;
export const CASE_STATUSES = [...ACTIVE_CASE_STATUSES, ...TERMINAL_CASE_STATUSES] as const;
export type ActiveCaseStatus = (typeof ACTIVE_CASE_STATUSES)[number];
export type TerminalCaseStatus = (typeof TERMINAL_CASE_STATUSES)[number];
export type CaseStatus = (typeof CASE_STATUSES)[number];

export function isTerminalStatus(status: CaseStatus): status is TerminalCaseStatus {
  return (TERMINAL_CASE_STATUSES as readonly string[]).includes(status);
}

export const ARMS = ['treatment', 'control'] as const;
export type Arm = (typeof ARMS)[number];

/** Who got the invoice paid: our retry, the customer (new card, paid another way), Stripe's retry. */
export const RECOVERED_BY = ['recover', 'customer', 'stripe'] as const;
export type RecoveredBy = (typeof RECOVERED_BY)[number];

/** How the case entered the store. */
export const CASE_SOURCES = ['takeover', 'webhook', 'reconciler'] as const;
export type CaseSource = (typeof CASE_SOURCES)[number];

export const CARD_FUNDINGS = ['credit', 'debit', 'prepaid', 'unknown'] as const;
export type CardFunding = (typeof CARD_FUNDINGS)[number];

/** Who made a payment attempt. Only `recover` attempts are ever scheduled/claimed by us. */
export const ATTEMPT_BY = ['recover', 'stripe', 'customer'] as const;
export type AttemptBy = (typeof ATTEMPT_BY)[number];

export const ATTEMPT_OUTCOMES = [
  'succeeded',
  'declined',
  'skipped', // the retry-status check found the invoice no longer payable; nothing charged
  'error', // a non-decline failure that will not be retried under this attempt number
  'shadow', // shadow mode: everything but the charge
  'canceled', // superseded before it ran (case ended, rescheduled elsewhere)
] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

export const DECISION_ACTIONS = [
  'retry', // an attempt was scheduled at `retryAt`
  'stop', // dunning ends (kind says why: hard_decline, dunning_over, network_cap…)
  'skip', // an attempt was skipped (retry-status check)
  'wait', // wait for an event (card update, customer action)
  'observe', // control under baseline `stripe`: left to Stripe
  'end', // an end-of-dunning action was applied or scheduled (kind names it)
  'note', // anything else worth showing in `recover explain`
] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

/** Which integration a case belongs to (`cases.platform`, migration 005). */
export const PLATFORMS = ['stripe', 'api', 'recharge'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const JOB_OUTCOMES = ['done', 'failed', 'canceled', 'shadow'] as const;
export type JobOutcome = (typeof JOB_OUTCOMES)[number];

/** SQL literal list for a CHECK constraint: `'a','b'`. */
export function sqlList(values: readonly string[]): string {
  return values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',');
}
