/**
 * The policy as the daemon uses it: the learned statistics are loaded once and kept in memory
 * (the daemon is their only writer), every decision gets a random source seeded by the case and
 * time (the same history and clock always give the same decision), and learning writes to the
 * store first, then to memory.
 */
import type { Settings } from '../config/settings.js';
import type { Attempt, Case, Store } from '../db/index.js';
import { customerPayments } from '../engine/customer-payments.js';
import { buildPolicyInput } from '../engine/policy-input.js';
import { decide, hashSeed, mulberry32, statKeysFor } from '../policy/index.js';
import type { Decision, OutcomeContext, StatCounts } from '../policy/index.js';


export class PolicyContext {
  private readonly stats: Map<string, StatCounts>;

  constructor(private readonly store: Store) {
    this.stats = store.stats.load();
  }

  get learned(): ReadonlyMap<string, StatCounts> {
    return this.stats;
  }

  /** The policy's next decision for a case, from what the store knows now. */
  decideFor(c: Case, settings: Settings, now: number, extra: { cardUpdatedAt?: number } = {}): Decision {
    const rows = this.store.attempts.listForCase(c.id);
    const attempts = forPolicy(c, rows);
    const cardCounts = c.cardFingerprint
      ? this.store.cards.attemptCounts(c.cardFingerprint, now, c.amountDue, c.currency)
      : null;
    return decide(
      buildPolicyInput({
        case: shadowDeclined(c, rows),
        attempts,
        cardCounts,
        settings,
        stats: this.stats,
        now,
        random: mulberry32(hashSeed(c.accountId, c.invoiceId, attempts.length, now)),
        cardUpdatedAt: extra.cardUpdatedAt,
        customerPayments: customerPayments(this.store, c.accountId, c.customerId, now),
      }),
    );
  }


  /** Writes the outcome into the store (call inside the outcome's transaction); returns a commit for memory. */
  learn(ctx: OutcomeContext, success: boolean): () => void {
    const keys = statKeysFor(ctx);
    for (const k of keys) this.store.stats.increment(k, success);
    return () => {
      for (const k of keys) {
        const c = this.stats.get(k) ?? { successes: 0, failures: 0 };
        if (success) c.successes += 1;
        else c.failures += 1;
        this.stats.set(k, c);
      }
    };
  }

  /** A random source for intake decisions (planIntake takes one). */
  randomFor(accountId: string, invoiceId: string, now: number): () => number {
    return mulberry32(hashSeed(accountId, invoiceId, 'intake', now));
  }
}

/**
 * Shadow-mode attempts never charge, so their outcome is unknown. For the would-be schedule to
 * move on as it would in live mode, the policy sees each one as a decline with the case's last
 * decline codes.
 */
export function forPolicy(c: Case, attempts: readonly Attempt[]): Attempt[] {
  return attempts.map((a) =>
    a.outcome === 'shadow'
      ? {
          ...a,
          outcome: 'declined' as const,
          declineCode: a.declineCode ?? c.lastDeclineCode,
          adviceCode: a.adviceCode ?? c.lastAdviceCode,
          networkAdviceCode: a.networkAdviceCode ?? c.lastNetworkAdviceCode,
          networkDeclineCode: a.networkDeclineCode ?? c.lastNetworkDeclineCode,
        }
      : a,
  );
}

/**
 * The case as the policy sees it after shadow attempts: the latest would-be attempt counts as the
 * last decline (same codes, its own time), so the next would-be attempt is spaced from it as a
 * live decline would be. Without this the gap was counted from the last real decline, already
 * past, and shadow mode spent a case's whole budget at one instant.
 */
export function shadowDeclined(c: Case, attempts: readonly Attempt[]): Case {
  let at = c.lastFailedAt ?? -Infinity;
  for (const a of attempts) if (a.outcome === 'shadow' && a.finishedAt !== null && a.finishedAt > at) at = a.finishedAt;
  return at === (c.lastFailedAt ?? -Infinity) ? c : { ...c, lastFailedAt: at };
}

/** The learning context stored on the retry decision that scheduled this attempt, if any. */
export function learnContextFor(store: Store, a: Attempt): OutcomeContext | null {
  const decisions = store.decisions.listForCase(a.caseId);
  for (let i = decisions.length - 1; i >= 0; i--) {
    const d = decisions[i];
    if (d.action !== 'retry' || d.attemptId !== a.id) continue;
    const inputs = d.inputs as { learnAs?: OutcomeContext } | null;
    return inputs?.learnAs ?? null;
  }
  return null;
}
