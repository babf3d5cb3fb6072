/**
 * Opening a case from a webhook or the reconciler: the engine's planIntake/applyIntake (the path
 * takeover uses), fed by 2 Stripe reads. Read → plan (pure) → pause Stripe's retries (idempotent
 * I/O, done BEFORE the case is written, so a crash in between only repeats the pause) → apply.
 */
import type { Settings } from '../config/settings.js';
import type { CaseSource, Store } from '../db/index.js';
import { applyIntake, planIntake, SKIP_REASONS, type IntakePlan } from '../engine/intake.js';
import type { CallContext, StripeGateway } from '../stripe/index.js';
import { describeDecision } from './case-ops.js';
import type { PolicyContext } from './policy-context.js';
import { readInvoiceContext } from './stripe-read.js';

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
}

export async function intakeInvoice(d: IntakeDeps, invoiceId: string, accountId: string, ctx: CallContext | undefined, source: CaseSource): Promise<IntakeOutcome> {
  const ic = await readInvoiceContext(d.gw, invoiceId, accountId, ctx);
  const existing = d.store.cases.getByInvoice(invoiceId, accountId);
  const fp = ic.lastCharge?.card?.fingerprint;
  const plan = planIntake({
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
  });
  if (plan.kind === 'new' && plan.pauseStripe) {
    await d.gw.invoices.update(invoiceId, { auto_advance: false, metadata: { recover_managed: 'true' } }, ctx);
    plan.upsert.pausedStripe = true;
  }
  return {
    plan,
    apply() {
      applyIntake(d.store, plan, d.settings, d.now);
      switch (plan.kind) {
        case 'skip':
          return `not taken: ${SKIP_REASONS[plan.reason]}`;
        case 'refresh':
          return 'case refreshed';
        case 'new':
          return `case opened (${plan.arm}${plan.pauseStripe ? ', Stripe retries paused' : ''}); ${describeDecision(plan.decision)}`;
      }
    },
  };
}
