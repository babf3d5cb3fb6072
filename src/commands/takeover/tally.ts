/**
 * Counts of one takeover, per account and in total, and how they are shown: the spinner line,
 * the closing cli-table3 summary, and the JSON summary.
 */
import { SKIP_REASONS, type SkipReason } from '../../engine/intake.js';
import type { Output, Cell } from '../../ui/output.js';
import { isHardDecline, type PlannedInvoice } from './plan.js';

export interface Tally {
  /** Stripe list pages: PaymentIntents (the decline join), invoices, and with --history invoice payments and charges. */
  intentPages: number;
  invoicePages: number;
  invoicePaymentPages: number;
  chargePages: number;
  /** Open, automatically collected invoices listed. */
  listed: number;
  imported: number;
  alreadyPresent: number;
  skipped: Partial<Record<SkipReason, number>>;
  /** New cases whose first decision ended dunning at once. */
  hardDeclined: number;
  /** New cases by arm. */
  treatment: number;
  control: number;
  /** Stripe's retries paused now / found paused by an earlier, interrupted run / refused by Stripe. */
  paused: number;
  pausedEarlier: number;
  pauseFailed: number;
  /** Open PaymentIntents of the dunning window staged for the join. */
  intentsStaged: number;
  /** With --history: charges listed in the period / of them new in the history table. */
  historySeen: number;
  historyImported: number;
}

export function emptyTally(): Tally {
  return {
    intentPages: 0, invoicePages: 0, invoicePaymentPages: 0, chargePages: 0, listed: 0, imported: 0, alreadyPresent: 0, skipped: {}, hardDeclined: 0,
    treatment: 0, control: 0, paused: 0, pausedEarlier: 0, pauseFailed: 0, intentsStaged: 0, historySeen: 0, historyImported: 0,
  };
}

export function skippedTotal(t: Tally): number {
  return Object.values(t.skipped).reduce((a, b) => a + (b ?? 0), 0);
}

/** Adds one page's plan; `paused`/`failed` are the page's pause results (empty in a dry run). */
export function countPage(t: Tally, items: readonly PlannedInvoice[], paused: ReadonlySet<string>, failed: ReadonlyMap<string, string>): void {
  t.invoicePages += 1;
  t.listed += items.length;
  for (const p of items) {
    const plan = p.intake;
    if (plan.kind === 'skip') t.skipped[plan.reason] = (t.skipped[plan.reason] ?? 0) + 1;
    else if (plan.kind === 'refresh') t.alreadyPresent += 1;
    else {
      t.imported += 1;
      t[plan.arm] += 1;
      if (isHardDecline(p)) t.hardDeclined += 1;
    }
    if (paused.has(p.entry.invoice)) t.paused += 1;
    else if (p.alreadyPaused && plan.kind === 'new') t.pausedEarlier += 1;
    if (failed.has(p.entry.invoice)) t.pauseFailed += 1;
  }
}

export function addTally(into: Tally, t: Tally): void {
  for (const k of Object.keys(t) as (keyof Tally)[]) {
    if (k === 'skipped') {
      for (const [r, n] of Object.entries(t.skipped)) into.skipped[r as SkipReason] = (into.skipped[r as SkipReason] ?? 0) + (n ?? 0);
    } else into[k] += t[k];
  }
}

export function progressText(account: string, t: Tally, dryRun: boolean): string {
  return `${dryRun ? 'dry run: ' : ''}${account} · pages: payment intents ${t.intentPages}, invoices ${t.invoicePages}` +
    `${t.chargePages || t.invoicePaymentPages ? `, history ${t.invoicePaymentPages + t.chargePages}` : ''} · ` +
    `${dryRun ? 'would import' : 'imported'} ${t.imported} · already present ${t.alreadyPresent} · skipped ${skippedTotal(t)}`;
}

/** The closing table: one column per account (when several) and the total. */
export function printSummary(out: Output, accounts: ReadonlyArray<{ id: string; tally: Tally }>, total: Tally, o: { dryRun: boolean; pausing: string; history: boolean; complete: boolean }): void {
  const cols = accounts.length > 1 ? accounts : [];
  const row = (label: string, f: (t: Tally) => number): Cell[] => [label, ...cols.map((a) => f(a.tally)), f(total)];
  const rows: Cell[][] = [
    row(o.dryRun ? 'would import' : 'imported', (t) => t.imported),
    row('  treatment / control', (t) => t.treatment).map((c, i) => (i === 0 ? c : `${c} / ${i <= cols.length ? cols[i - 1].tally.control : total.control}`)),
    row('  hard-declined (dunning ended)', (t) => t.hardDeclined),
    row('already present (refreshed)', (t) => t.alreadyPresent),
  ];
  const reasons = (Object.keys(SKIP_REASONS) as SkipReason[]).filter((r) => (total.skipped[r] ?? 0) > 0);
  rows.push(row('ineligible', skippedTotal));
  for (const r of reasons) rows.push(row(`  ${SKIP_REASONS[r]}`, (t) => t.skipped[r] ?? 0));
  rows.push(row(o.dryRun ? `Stripe retries to pause (${o.pausing})` : `Stripe retries paused (${o.pausing})`, (t) => t.paused + t.pausedEarlier));
  if (total.pauseFailed) rows.push(row('  refused by Stripe (case kept, not paused)', (t) => t.pauseFailed));
  if (o.history) rows.push(row(o.dryRun ? 'history charges seen' : 'history charges imported', (t) => (o.dryRun ? t.historySeen : t.historyImported)));
  rows.push(row(`Stripe list pages (payment intents + invoices${o.history ? ' + invoice payments + charges' : ''})`, (t) => t.intentPages + t.invoicePages + t.invoicePaymentPages + t.chargePages));
  const title = o.dryRun ? 'Takeover plan (dry run: nothing written)' : 'Takeover summary';
  out.table(['', ...cols.map((a) => a.id), 'total'], rows, { title: o.complete ? title : `${title} — incomplete, so far` });
}

export function tallyJson(t: Tally): Record<string, unknown> {
  return { ...t, skippedTotal: skippedTotal(t) };
}
