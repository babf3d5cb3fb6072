/** Builds PolicyInputs for tests: a case that failed at FAILED_AT with the given decline. */
import { DAY_MS } from '../../src/clock.js';
import { mulberry32, type AttemptRecord, type CardHistoryEntry, type PolicyInput } from '../../src/policy/index.js';

/** Tue 6 Jan 2026 15:00 UTC = 09:00 in Chicago. */
export const FAILED_AT = Date.UTC(2026, 0, 6, 15);

export interface InputOptions {
  declineCode?: string;
  adviceCode?: string;
  networkAdviceCode?: string;
  brand?: string;
  timezone?: string;
  amount?: number;
  now?: number;
  /** Later attempts after the first failure. */
  attempts?: AttemptRecord[];
  /** Extra attempts on the same card from other invoices. */
  otherCardHistory?: CardHistoryEntry[];
  cardUpdatedAt?: number;
  arm?: 'treatment' | 'control';
  baseline?: string;
  windows?: string[];
  dunningDays?: number;
  /** Seeds the exploration source; without it the policy never explores. */
  seed?: number;
}

export function makeInput(o: InputOptions = {}): PolicyInput {
  const amount = o.amount ?? 2900;
  const first: AttemptRecord = {
    at: FAILED_AT,
    outcome: 'failed',
    declineCode: o.declineCode ?? 'insufficient_funds',
    ...(o.adviceCode ? { adviceCode: o.adviceCode } : {}),
    ...(o.networkAdviceCode ? { networkAdviceCode: o.networkAdviceCode } : {}),
    by: 'stripe',
  };
  const attempts = [first, ...(o.attempts ?? [])];
  const now = o.now ?? attempts[attempts.length - 1].at;
  const own: CardHistoryEntry[] = o.cardUpdatedAt !== undefined ? attempts.filter((a) => a.at >= o.cardUpdatedAt!).map((a) => toHistory(a, amount)) : attempts.map((a) => toHistory(a, amount));
  const history = [...own, ...(o.otherCardHistory ?? [])].filter((e) => e.at > now - 30 * DAY_MS && e.at <= now).sort((a, b) => a.at - b.at);
  const dunningDays = o.dunningDays ?? 30;
  return {
    case: {
      id: 'in_test',
      customerId: 'cus_test',
      amount,
      currency: 'usd',
      failedAt: FAILED_AT,
      invoiceCreatedAt: FAILED_AT - 3_600_000,
      dunningDeadline: FAILED_AT + dunningDays * DAY_MS,
      arm: o.arm ?? 'treatment',
    },
    attempts,
    card: {
      brand: o.brand ?? 'visa',
      funding: 'debit',
      fingerprint: 'fp_test',
      attempts24h: history.filter((e) => e.at > now - DAY_MS).length,
      attempts30d: history.length,
      declines24h: history.filter((e) => e.declined && e.at > now - DAY_MS).length,
      sameAmountAttempts30d: history.filter((e) => e.amount === amount).length,
      history,
    },
    customer: { timezone: o.timezone ?? 'America/Chicago', country: 'US' },
    ...(o.cardUpdatedAt !== undefined ? { cardUpdatedAt: o.cardUpdatedAt } : {}),
    settings: { windows: o.windows ?? ['0 8-20 * * *'], dunningDays, defaultTimezone: 'UTC', controlBaseline: o.baseline ?? 'stripe' },
    stats: new Map(),
    now,
    // Without a seed, a source that never explores, so the greedy choice is what tests see.
    random: o.seed === undefined ? () => 0.99 : mulberry32(o.seed),
  };
}

function toHistory(a: AttemptRecord, amount: number): CardHistoryEntry {
  return {
    at: a.at,
    amount,
    currency: 'usd',
    declined: a.outcome === 'failed',
    ...(a.declineCode ? { declineCode: a.declineCode } : {}),
    ...(a.adviceCode ? { adviceCode: a.adviceCode } : {}),
    ...(a.networkAdviceCode ? { networkAdviceCode: a.networkAdviceCode } : {}),
  };
}

export function failed(at: number, declineCode = 'insufficient_funds', extra: Partial<AttemptRecord> = {}): AttemptRecord {
  return { at, outcome: 'failed', declineCode, by: 'recover', ...extra };
}
