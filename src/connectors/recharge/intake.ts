/**
 * Opening (or refreshing) a case for a failed Recharge charge: the core's planIntake/applyIntake
 * (src/engine/intake.ts) fed with the charge as facts (./facts.ts) — the same path Stripe's
 * takeover, webhooks and reconciler take. Pure planning, one transaction per item; nothing to
 * pause per item (Recharge's retries are off store-wide, see docs/architecture.md).
 */
import type { Settings } from '../../config/settings.js';
import type { CaseSource, Store } from '../../db/index.js';
import { applyIntake, planIntake, type IntakePlan } from '../../engine/intake.js';
import type { LearnedStats } from '../../policy/index.js';
import type { FailedItem } from '../events.js';
import { chargeFactsOf, invoiceFactsOf } from './facts.js';
import { settingsForRecharge } from './settings.js';

export interface RechargeIntakeDeps {
  store: Store;
  settings: Settings;
  stats: LearnedStats;
  now: number;
  random(accountId: string, externalId: string): () => number;
}

export function planRechargeIntake(d: RechargeIntakeDeps, item: FailedItem, source: CaseSource): IntakePlan {
  if (!d.settings.recharge) throw new Error('settings.recharge is missing: run recover onboard recharge');
  const existing = d.store.cases.getByInvoice(item.externalId, item.accountId);
  return planIntake({
    invoice: invoiceFactsOf(item),
    lastCharge: chargeFactsOf(item),
    customer: { timezone: null, country: null },
    subscriptionStatus: null,
    existing: existing?.platform === 'recharge' ? existing : undefined,
    cardCounts: null,
    settings: settingsForRecharge(d.settings, d.settings.recharge),
    stats: d.stats,
    source,
    now: d.now,
    random: d.random(item.accountId, item.externalId),
  });
}

export function applyRechargeIntake(d: RechargeIntakeDeps, plan: IntakePlan): number | undefined {
  return applyIntake(d.store, plan, settingsForRecharge(d.settings, d.settings.recharge!), d.now);
}
