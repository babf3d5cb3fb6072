/**
 * The world-module contract (issue 4), verbatim, plus the simulator's own result types.
 * A world is a plain JS/TS module exporting `cases`, `attempt` and optionally `cardUpdatedAt`.
 */

export interface SimCase {
  id: string;
  customerId: string;
  amount: number;
  currency: string;
  /** epoch ms of the first failure */
  failedAt: number;
  invoiceCreatedAt: number;
  declineCode: string;
  adviceCode?: string;
  networkAdviceCode?: string;
  card: { brand: string; funding: 'credit' | 'debit' | 'prepaid' | 'unknown'; country?: string; fingerprint: string };
  /** `payments`: the customer's past charges (optional), as `takeover --history` would import them. */
  customer: {
    timezone?: string;
    country?: string;
    payments?: Array<{ at: number; succeeded: boolean; declineCode?: string }>;
  };
}

export interface AttemptResult {
  paid: boolean;
  declineCode?: string;
  adviceCode?: string;
  networkAdviceCode?: string;
}

/** `cases()` also receives `days` (the span to spread failures over); worlds may ignore it. */
export interface CasesOptions {
  seed: number;
  count: number;
  start: number;
  days?: number;
}

export interface WorldModule {
  cases(opts: CasesOptions): SimCase[];
  /** May keep state; may return a promise. */
  attempt(c: SimCase, at: number): AttemptResult | Promise<AttemptResult>;
  /** When the customer fixes the card (a new payment method), or null. */
  cardUpdatedAt?(c: SimCase): number | null;
}

export interface PolicyRunResult {
  policy: string;
  cases: number;
  recovered: number;
  recoveryRate: number;
  /** Amounts in minor units by lower-case currency. */
  revenueAtRisk: Record<string, number>;
  revenueRecovered: Record<string, number>;
  revenueRecoveryRate: number;
  /** Charge attempts made by the policy (the first failure is not counted). */
  attempts: number;
  declines: number;
  attemptsPerRecovered: number | null;
  networkCapViolations: number;
  violationsByRule: Record<string, number>;
  medianDaysToRecover: number | null;
  /** Recoveries whose successful attempt was on a card the customer updated. */
  recoveredOnNewCard: number;
  /** Attempts the executor's last-moment cap check sent back to the policy. */
  executorDeferrals: number;
  /** Decisions by action/kind, e.g. { retry: 1234, 'stop:hard_decline': 56 }. */
  decisions: Record<string, number>;
}

export interface SimulationReport {
  world: string;
  seed: number;
  count: number;
  days: number;
  dunningDays: number;
  start: string;
  windows: string[];
  /** Days of earlier failures the learning policies were warmed on (0 = cold start). */
  warmDays: number;
  policies: PolicyRunResult[];
}
