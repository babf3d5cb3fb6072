/** What the daemon reports: its states and the events tests and `recover demo` wait on. */
import type { AttemptOutcome, RecoveredBy } from '../db/index.js';

/** starting → running → stopping → stopped (and nothing else; a stopped daemon is not restarted). */
export type DaemonState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface WebhookReport {
  id: string;
  type: string;
  duplicate: boolean;
}

export interface RejectionReport {
  reason: string;
  status: 400 | 413;
}

export interface ProcessedReport {
  id: string;
  type: string;
  /** What became of the event, for control flow and metrics (never parse `result` for it). */
  outcome: 'processed' | 'retry' | 'given_up';
  /** A short label for people: what the handler did ("case opened", "recovered by customer", …). */
  result: string;
  /** Set when processing failed (and will be retried) or was given up. */
  error?: string;
  /** Inbox events being processed when this one settled, itself included (concurrency, issue 18). */
  inFlight?: number;
}

export interface AttemptReport {
  caseId: number;
  invoiceId: string;
  accountId: string;
  n: number;
  outcome: AttemptOutcome | 'released';
  declineCode: string | null;
  /** The next step in words: "retry at …", "stop: hard_decline", "recovered". */
  next: string;
  resumed: boolean;
}

export interface JobReport {
  id: number;
  kind: string;
  caseId: number | null;
  outcome: 'done' | 'failed' | 'canceled' | 'shadow' | 'released';
  result: string;
}

export interface ReconcileReport {
  at: number;
  accounts: number;
  eventsSeen: number;
  eventsInserted: number;
  invoicesSeen: number;
  casesOpened: number;
  casesSettled: number;
  /** False when it was stopped part-way (not recorded as done; the next pass runs it again). */
  complete: boolean;
}

export interface PassReport {
  at: number;
  events: number;
  jobs: number;
  attempts: number;
  swept: number;
  /** Result webhooks tried (or skipped: no endpoint for 3 days). */
  webhooks: number;
  reconciled: boolean;
  /** True when the pass found nothing to do. */
  idle: boolean;
}

export interface RecoveryReport {
  caseId: number;
  invoiceId: string;
  by: RecoveredBy;
  amount: number;
  currency: string;
}

export type DaemonEvents = {
  state: [DaemonState];
  webhook: [WebhookReport];
  rejected: [RejectionReport];
  processed: [ProcessedReport];
  /** An attempt is about to call `invoices.pay` (the moment after which a crash means "maybe charged"). */
  charging: [{ caseId: number; invoiceId: string; n: number; resumed: boolean }];
  attempt: [AttemptReport];
  recovered: [RecoveryReport];
  job: [JobReport];
  reconciled: [ReconcileReport];
  pass: [PassReport];
  /** Something failed that the daemon survives (logged too). */
  failure: [{ where: string; message: string }];
  /** Recharge webhooks re-created and/or missed failures backfilled (src/connectors/recharge/daemon-part.ts). */
  rechargeHealed: [{ created: string[]; backfilled: number; scanned: number }];
};
