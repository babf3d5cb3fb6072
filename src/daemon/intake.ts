/**
 * Opening a case from a webhook or the reconciler: the engine's planIntake/applyIntake (the path
 * takeover uses), fed by 2 Stripe reads. Read → plan (pure) → pause Stripe's retries (idempotent
 * I/O, done BEFORE the case is written, so a crash in between only repeats the pause) → apply.
 */
import type { Settings } from '../config/settings.js';
import type { CaseSource, Store } from '../db/index.js';
import {
  applyIntake,
  planIntake,
  skipReason,
  SKIP_REASONS,
  type IntakePlan,
  type SkipReason,
} from '../engine/intake.js';
import { invoiceFacts } from '../engine/stripe-facts.js';
import { InvalidRequest, type CallContext, type Invoice, type StripeGateway } from '../stripe/index.js';
import { describeDecision } from './case-ops.js';
import { recordDecision } from '../outbox/events.js';
import { customerPayments } from '../engine/customer-payments.js';
import { managedMetadata } from '../engine/managed.js';
import type { PolicyContext } from './policy-context.js';
import { readInvoice, readInvoiceContext, subscriptionOf } from './stripe-read.js';

export interface IntakeOutcome {
  plan: IntakePlan;
  /** Writes the plan (call inside the caller's transaction); returns a label for logs. */
  apply(): string;
}

export interface IntakeDeps {
  store: Store;
  gw: StripeGateway;
  policy: PolicyContext;
  settings: Settings;
  now: number;
  installationId: string;
}

export async function intakeInvoice(
  d: IntakeDeps,
  invoiceId: string,
  accountId: string,
  ctx: CallContext | undefined,
  source: CaseSource,
): Promise<IntakeOutcome> {
  let plan = await planFromStripe(d, invoiceId, accountId, ctx, source);
  if (plan.kind === 'new' && plan.pauseStripe) {
    try {
      await pause(d, invoiceId, ctx);
    } catch (e) {
      // Stripe refuses to change auto_advance on an invoice that is no longer open (paid, void,
      // uncollectible: 400): it changed under us between the read and the pause. Read it again
      // and plan from what it is now; a second refusal is an error like any other.
      if (!(e instanceof InvalidRequest)) throw e;
      plan = await planFromStripe(d, invoiceId, accountId, ctx, source);
      if (plan.kind === 'new' && plan.pauseStripe) await pause(d, invoiceId, ctx);
    }
    if (plan.kind === 'new' && plan.pauseStripe) plan.upsert.pausedStripe = true;
  }
  const planned = plan;
  return {
    plan: planned,
    apply() {
      d.store.tx(() => {
        const id = applyIntake(d.store, planned, d.settings, d.now);
        if (planned.kind === 'new' && id !== undefined) recordDecision(d.store, id, planned.decision, d.now, true);
      });
      switch (planned.kind) {
        case 'skip':
          return `not taken: ${SKIP_REASONS[planned.reason]}`;
        case 'refresh':
          return 'case refreshed';
        case 'new':
          return `case opened (${planned.arm}${planned.pauseStripe ? ', Stripe retries paused' : ''}); ${describeDecision(planned.decision)}`;
      }
    },
  };
}

function pause(d: IntakeDeps, invoiceId: string, ctx: CallContext | undefined): Promise<unknown> {
  return d.gw.invoices.update(invoiceId, { auto_advance: false, metadata: managedMetadata(d.installationId) }, ctx);
}

async function planFromStripe(
  d: IntakeDeps,
  invoiceId: string,
  accountId: string,
  ctx: CallContext | undefined,
  source: CaseSource,
): Promise<IntakePlan> {
  const invoice = await readInvoice(d.gw, invoiceId, ctx);
  const skip = skipWithoutCharge(d, invoice, accountId);
  if (skip) return { kind: 'skip', invoiceId, accountId, reason: skip };
  const ic = await readInvoiceContext(d.gw, invoice, accountId, ctx);
  const existing = d.store.cases.getByInvoice(invoiceId, accountId);
  const fp = ic.lastCharge?.card?.fingerprint;
  return planIntake({
    invoice: ic.facts,
    lastCharge: ic.lastCharge,
    customer: ic.customer,
    subscriptionStatus: ic.subscriptionStatus,
    existing,
    cardCounts: fp ? d.store.cards.attemptCounts(fp, d.now, ic.facts.amountRemaining, ic.facts.currency) : null,
    settings: d.settings,
    stats: d.policy.learned,
    source,
    now: d.now,
    random: d.policy.randomFor(accountId, invoiceId, d.now),
    customerPayments: existing ? undefined : customerPayments(d.store, accountId, ic.facts.customerId, d.now),
  });
}

/**
 * The skip planIntake would decide from the invoice alone, for an invoice without a case: every
 * skip reason but the dunning window's reads no charge (skipReason), so the latest charge's read
 * is spared (issue 18: the reconciler re-checks the open invoices waiting for 3D Secure daily,
 * 2 calls each). Null when the charge is needed (a new case, the window, a case to refresh).
 */
function skipWithoutCharge(d: IntakeDeps, invoice: Invoice, accountId: string): SkipReason | null {
  if (d.store.cases.getByInvoice(invoice.id, accountId)) return null;
  const reason = skipReason(invoiceFacts(invoice, accountId), {
    settings: d.settings,
    now: d.now,
    subscriptionStatus: subscriptionOf(invoice)?.status ?? null,
    lastCharge: null,
  });
  return reason === 'past_dunning_window' ? null : reason;
}
