/**
 * The plan step of one page: pure (plain data in, plain data out). For each invoice: the
 * intake plan of the engine (skip with a reason / refresh the existing case / a new case with
 * its arm and first decision), whether to pause Stripe's retries on it, and the line a
 * `--dry-run` or `--json` prints.
 */
import type { Settings } from '../../config/settings.js';
import { recoverRetries } from '../../engine/decision.js';
import { planIntake, SKIP_REASONS, type IntakePlan, type SkipReason } from '../../engine/intake.js';
import { hashSeed, mulberry32, type Arm, type Decision, type LearnedStats } from '../../policy/index.js';
import type { InvoiceRead } from './read.js';

export interface PlanEntry {
  account: string;
  invoice: string;
  customer: string;
  /** Amount remaining, minor units of `currency`. */
  amount: number;
  currency: string;
  action: 'import' | 'refresh' | 'skip';
  /** For a skip: the reason's key and its text. */
  skip?: { reason: SkipReason; text: string };
  arm?: Arm;
  /** A new case's first decision. */
  decision?: { action: Decision['action']; at?: string; kind?: string; reason: string };
  lastDecline?: string;
  /** Stripe's own retries will be paused on it (auto_advance=false). */
  pauseStripe?: boolean;
}

export interface PlannedInvoice {
  intake: IntakePlan;
  /** Call Stripe to pause its retries on this invoice. */
  pause: boolean;
  /** Stripe shows it paused by recover already (an earlier run stopped before recording it). */
  alreadyPaused: boolean;
  entry: PlanEntry;
}

export interface PlanOptions {
  settings: Settings;
  stats: LearnedStats;
  now: number;
  /** false with --no-pause-stripe. Shadow mode never pauses, whatever this says. */
  pauseStripe: boolean;
}

export function planPage(reads: readonly InvoiceRead[], o: PlanOptions): PlannedInvoice[] {
  return reads.map((r) => planOne(r, o));
}

export function planOne(r: InvoiceRead, o: PlanOptions): PlannedInvoice {
  const inv = r.facts;
  const intake = planIntake({
    invoice: inv,
    lastCharge: r.lastCharge,
    customer: r.customer,
    subscriptionStatus: r.subscriptionStatus,
    existing: r.existing,
    cardCounts: r.cardCounts,
    settings: o.settings,
    stats: o.stats,
    source: 'takeover',
    now: o.now,
    // Seeded per invoice: a dry run shows the very decision the real run then takes.
    random: mulberry32(hashSeed('takeover', inv.accountId, inv.invoiceId)),
    customerPayments: r.payments,
  });
  const live = o.settings.mode === 'live' && o.pauseStripe;
  const alreadyPaused = inv.managedByRecover && !inv.autoAdvance;
  let pause = false;
  if (intake.kind === 'new') pause = live && intake.pauseStripe;
  else if (intake.kind === 'refresh' && r.existing) {
    // A case recorded earlier (e.g. by a run with --no-pause-stripe) that recover still retries.
    pause = live && inv.status === 'open' && inv.autoAdvance && r.existing.endedAt === null && recoverRetries(r.existing.arm, o.settings);
  }
  const entry: PlanEntry = {
    account: inv.accountId,
    invoice: inv.invoiceId,
    customer: inv.customerId,
    amount: inv.amountRemaining,
    currency: inv.currency,
    action: intake.kind === 'new' ? 'import' : intake.kind,
  };
  if (intake.kind === 'skip') entry.skip = { reason: intake.reason, text: SKIP_REASONS[intake.reason] };
  else {
    entry.arm = intake.kind === 'new' ? intake.arm : r.existing?.arm;
    entry.pauseStripe = pause || alreadyPaused;
    const d = r.lastCharge?.decline;
    if (d) entry.lastDecline = [d.declineCode, d.adviceCode, d.networkAdviceCode && `network advice ${d.networkAdviceCode}`].filter(Boolean).join(', ');
  }
  if (intake.kind === 'new') {
    const d = intake.decision;
    entry.decision = {
      action: d.action,
      ...(d.action === 'retry' ? { at: new Date(d.at).toISOString() } : { kind: d.kind }),
      reason: d.reason,
    };
  }
  return { intake, pause, alreadyPaused, entry };
}

/** A new case whose first decision ends dunning at once on a hard decline. */
export function isHardDecline(p: PlannedInvoice): boolean {
  return p.intake.kind === 'new' && p.intake.decision.action === 'stop' && p.intake.decision.kind === 'hard_decline';
}
