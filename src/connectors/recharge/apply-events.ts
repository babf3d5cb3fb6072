/**
 * What a stored Recharge delivery does to the cases (run by the daemon's inbox, in its order,
 * with the inbox's `commit` so an event's effects and its `processed_at` are one transaction).
 * The delivery was verified on receipt; here it is normalised (./webhooks.ts) and each case event
 * applied with the core's operations (src/daemon/case-ops.ts). Safe to re-run.
 */
import type { Settings } from '../../config/settings.js';
import type { Case, Store } from '../../db/index.js';
import { isTerminalStatus } from '../../db/index.js';
import { closeCase, describeDecision, recordObservedAttempt, recordRecovery, redecide } from '../../daemon/case-ops.js';
import type { PolicyContext } from '../../daemon/policy-context.js';
import type { CaseEvent } from '../events.js';
import { chargeFactsOf } from './facts.js';
import { applyRechargeIntake, planRechargeIntake } from './intake.js';
import { RECHARGE_EVENT_PREFIX } from './receiver.js';
import { settingsForRecharge } from './settings.js';
import { normaliseRecharge } from './webhooks.js';

export interface ApplyDeps {
  store: Store;
  policy: PolicyContext;
  settings: Settings;
  now(): number;
}

type Commit = (fn: () => string) => string;

export async function applyRechargeDelivery(type: string, raw: string, d: ApplyDeps, commit: Commit): Promise<string> {
  const rc = d.settings.recharge;
  if (!rc) return 'skipped: no Recharge store set up';
  const topic = type.slice(RECHARGE_EVENT_PREFIX.length);
  const events = normaliseRecharge(
    { topic, scheme: 'v1', signedAt: null, body: JSON.parse(raw), deliveryId: '' },
    rc.accountId,
  );
  if (events.length === 0) return `topic ${topic}: nothing for recover`;
  const s = settingsForRecharge(d.settings, rc);
  return commit(() => events.map((e) => applyOne(e, d, s)).join('; '));
}

function caseOf(d: ApplyDeps, accountId: string, externalId: string): Case | undefined {
  const c = d.store.cases.getByInvoice(externalId, accountId);
  return c?.platform === 'recharge' ? c : undefined;
}

function applyOne(e: CaseEvent, d: ApplyDeps, s: Settings): string {
  const now = d.now();
  switch (e.kind) {
    case 'failed': {
      const c = caseOf(d, e.accountId, e.externalId);
      if (!c) {
        const deps = {
          ...d,
          stats: d.policy.learned,
          now,
          random: (a: string, id: string) => d.policy.randomFor(a, id, now),
        };
        const plan = planRechargeIntake(deps, e, 'webhook');
        applyRechargeIntake(deps, plan);
        return plan.kind === 'skip'
          ? `charge ${e.externalId}: not taken (${plan.reason})`
          : `charge ${e.externalId}: case opened`;
      }
      // Our own attempt's decline is already recorded under the same id (rc_<charge>_a<n>); a new one is Recharge's.
      if (isTerminalStatus(c.status) || !recordObservedAttempt(d.store, c, chargeFactsOf(e), 'stripe')) {
        return `charge ${e.externalId}: already recorded`;
      }
      const next = describeDecision(redecide(d.store, d.policy, c.id, s, now));
      return `charge ${e.externalId}: Recharge's attempt recorded; ${next}`;
    }
    case 'paid': {
      const c = caseOf(d, e.accountId, e.externalId);
      if (!c || isTerminalStatus(c.status)) return `charge ${e.externalId}: no active case`;
      // recover's own call may be what paid it (its answer lost): the executor resolves that attempt
      // from the charge and records the success as recover's, so the webhook does not claim it.
      if (d.store.attempts.pendingForCase(c.id)?.startedAt != null) {
        return `charge ${e.externalId}: paid; left to recover's attempt in flight`;
      }
      const cardUpdate = d.store.decisions.listForCase(c.id).some((x) => x.kind === 'card_update');
      recordRecovery(d.store, c, { at: e.at, by: cardUpdate ? 'customer' : 'stripe', amount: e.amount });
      return `charge ${e.externalId}: paid outside recover's attempts`;
    }
    case 'closed': {
      const c = caseOf(d, e.accountId, e.externalId);
      if (!c) return `charge ${e.externalId}: no case`;
      closeCase(d.store, c, { at: e.at, status: 'closed', kind: 'platform_closed', reason: `Recharge: ${e.reason}.` });
      return `charge ${e.externalId}: closed (${e.reason})`;
    }
    case 'retries_exhausted': {
      const c = caseOf(d, e.accountId, e.externalId);
      if (!c || isTerminalStatus(c.status)) return `charge ${e.externalId}: no active case`;
      d.store.decisions.add({
        caseId: c.id,
        at: e.at,
        action: 'note',
        kind: 'platform_retries_exhausted',
        reason: "Recharge reached its own maximum of retries; recover's dunning continues on its schedule.",
      });
      return `charge ${e.externalId}: noted Recharge's max retries`;
    }
    case 'subscription_canceled': {
      const cases = activeRecharge(d, e.accountId).filter((c) => c.subscriptionId === e.subscriptionId);
      for (const c of cases) {
        closeCase(d.store, c, {
          at: e.at,
          status: 'closed',
          kind: 'subscription_canceled',
          reason: `Recharge subscription ${e.subscriptionId} was cancelled.`,
        });
      }
      return `subscription ${e.subscriptionId}: ${cases.length} case(s) closed`;
    }
    case 'card_updated': {
      const cases = d.store.cases
        .listByCustomer(e.customerId, { accountId: e.accountId, activeOnly: true })
        .filter((c) => c.platform === 'recharge');
      for (const c of cases) {
        d.store.decisions.add({
          caseId: c.id,
          at: e.at,
          action: 'note',
          kind: 'card_update',
          reason:
            "The customer updated the payment method on Recharge: a prompt retry, unless Recharge's own " +
            'next-day retry is planned (then recover stands aside until it has run).',
        });
        redecide(d.store, d.policy, c.id, s, now, { cardUpdatedAt: Math.min(e.at, now) });
      }
      return `customer ${e.customerId}: card update for ${cases.length} case(s)`;
    }
  }
}

function activeRecharge(d: ApplyDeps, accountId: string): Case[] {
  return (['in_dunning', 'waiting_card_update', 'needs_customer_action', 'observing'] as const)
    .flatMap((st) => d.store.cases.listByStatus(st, { limit: 100_000 }))
    .filter((c) => c.platform === 'recharge' && c.accountId === accountId);
}
