/**
 * Builds the policy's input from what the store knows about a case. Pure: the caller reads the
 * rows (case, attempts, card counts, learned stats) and passes them in with `now` and a seeded
 * random source, so the same data always yields the same decision.
 */
import type { Attempt, CardAttemptCounts, Case } from '../db/index.js';
import type { Settings } from '../config/settings.js';
import type { AttemptRecord, CustomerPayment, LearnedStats, PolicyInput } from '../policy/index.js';

export interface PolicyInputParts {
  case: Case;
  attempts: readonly Attempt[];
  cardCounts: CardAttemptCounts | null;
  settings: Settings;
  stats: LearnedStats;
  now: number;
  random: () => number;
  /** A new payment method arrived at this time. */
  cardUpdatedAt?: number;
  /** The customer's past charges (history table), oldest first, for the pay-cycle belief. */
  customerPayments?: readonly CustomerPayment[];
}

const opt = (v: string | null | undefined): string | undefined => v ?? undefined;

export function toAttemptRecords(c: Case, attempts: readonly Attempt[]): AttemptRecord[] {
  const done = attempts.filter((a) => a.finishedAt !== null && (a.outcome === 'succeeded' || a.outcome === 'declined'));
  const records: AttemptRecord[] = done.map((a) => ({
    at: a.finishedAt!,
    outcome: a.outcome === 'succeeded' ? 'succeeded' : 'failed',
    declineCode: opt(a.declineCode),
    adviceCode: opt(a.adviceCode),
    networkAdviceCode: opt(a.networkAdviceCode),
    networkDeclineCode: opt(a.networkDeclineCode),
    by: a.by,
  }));
  // Stripe's attempts before recover saw the invoice are known only by count (invoice.attempt_count
  // when the case opened): they count against the attempt budget, dated at the first failure.
  // After that, attempts are counted only from the charges recover sees: attempt_count never
  // counts recover's own (manual) payments and goes on counting retries Stripe skips after a hard
  // decline (the SDK's Invoice.attempt_count doc), so it must not be read again.
  const seenStripe = done.filter((a) => a.by === 'stripe' && a.finishedAt! <= c.createdAt).length;
  // The first of them is the invoice's first payment (the failure dunning counts from); any
  // others were Stripe's retries before recover saw the invoice (times unknown: just after it).
  for (let i = seenStripe; i < c.stripeAttemptCount; i++) {
    records.push({ at: i === seenStripe ? c.firstFailedAt : c.firstFailedAt + 1, outcome: 'failed', by: 'stripe' });
  }
  records.sort((a, b) => a.at - b.at);
  // The case's last decline is the one to react to, even if its attempt row is a placeholder.
  return records;
}

export function buildPolicyInput(p: PolicyInputParts): PolicyInput {
  const c = p.case;
  const k = p.cardCounts;
  return {
    case: {
      id: String(c.id),
      customerId: c.customerId,
      amount: c.amountDue,
      currency: c.currency,
      failedAt: c.firstFailedAt,
      invoiceCreatedAt: c.invoiceCreatedAt,
      dunningDeadline: c.dunningDeadline,
      arm: c.arm,
    },
    attempts: toAttemptRecords(c, p.attempts),
    lastDecline:
      c.lastFailedAt === null
        ? undefined
        : {
            at: c.lastFailedAt,
            declineCode: opt(c.lastDeclineCode),
            adviceCode: opt(c.lastAdviceCode),
            networkAdviceCode: opt(c.lastNetworkAdviceCode),
            networkDeclineCode: opt(c.lastNetworkDeclineCode),
          },
    card: {
      brand: c.cardBrand ?? 'unknown',
      funding: c.cardFunding ?? 'unknown',
      country: opt(c.cardCountry),
      fingerprint: c.cardFingerprint ?? `unknown:${c.customerId}`,
      attempts24h: k?.attempts24h ?? 0,
      attempts30d: k?.attempts30d ?? 0,
      declines24h: k?.declines24h ?? 0,
      sameAmountAttempts30d: k?.attemptsSameAmount30d ?? 0,
    },
    customer: {
      timezone: opt(c.customerTimezone),
      country: opt(c.customerCountry),
      ...(p.customerPayments?.length ? { payments: p.customerPayments } : {}),
    },
    cardUpdatedAt: p.cardUpdatedAt,
    settings: p.settings,
    stats: p.stats,
    now: p.now,
    random: p.random,
  };
}
