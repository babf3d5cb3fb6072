/**
 * Everything `recover run` does for a Recharge store, in one part the daemon's runtime holds:
 * the charge connector (executor), the receiver (`POST /recharge/webhooks`), the inbox handler of
 * `recharge:*` deliveries, the end-of-dunning action (cancel the subscription with the reason, or
 * leave it), and the heal: at start and hourly, re-list recover's webhooks and re-create any
 * Recharge deleted (20 failed deliveries over 48 h), then backfill by polling the charges in
 * `error` changed since the last heal — failures whose webhooks never arrived become cases.
 */
import type { Settings } from '../../config/settings.js';
import type { Case, Job, Store } from '../../db/index.js';
import { JOB_KINDS } from '../../engine/decision.js';
import type { Logger } from '../../log.js';
import type { PolicyContext } from '../../daemon/policy-context.js';
import type { ChargeConnector, ErrorClass } from '../types.js';
import { applyRechargeDelivery } from './apply-events.js';
import { classifyRechargeError, rechargeConnector } from './connector.js';
import type { RechargeSetup } from './from-store.js';
import { applyRechargeIntake, planRechargeIntake } from './intake.js';
import { RECHARGE_EVENT_PREFIX, receiveRecharge, type Received } from './receiver.js';
import { listFailedCharges } from './takeover.js';
import { ensureWebhooks } from './webhook-heal.js';
import type { Headers } from './webhooks.js';

/** How often the webhooks are re-listed and the errored charges polled, clock ms. */
export const HEAL_EVERY_MS = 3_600_000;
/** The backfill re-reads this much before the last heal (clock ms): clocks and Recharge's writes may lag. */
const BACKFILL_OVERLAP_MS = 3_600_000;
const CURSOR = 'recharge_backfill';

export interface HealReport {
  created: string[];
  backfilled: number;
  scanned: number;
}

export interface PlatformJobResult {
  outcome: 'done' | 'canceled' | 'failed';
  result: string;
}

export interface RechargePartDeps {
  store: Store;
  setup: RechargeSetup;
  policy: PolicyContext;
  logger: Logger;
  now(): number;
}

export class RechargeDaemonPart {
  readonly connector: ChargeConnector;
  private healAt = 0;

  constructor(private readonly d: RechargePartDeps) {
    this.connector = rechargeConnector({ client: d.setup.client, now: d.now });
  }

  get accountId(): string {
    return this.d.setup.rc.accountId;
  }

  receive(body: Buffer, headers: Headers): Received {
    return receiveRecharge(this.d.store, this.d.setup.clientSecret, this.accountId, body, headers, Date.now());
  }

  handles(type: string): boolean {
    return type.startsWith(RECHARGE_EVENT_PREFIX);
  }

  apply(type: string, raw: string, settings: Settings, commit: (fn: () => string) => string): Promise<string> {
    return applyRechargeDelivery(type, raw, { ...this.d, settings }, commit);
  }

  /** The end-of-dunning job of a Recharge case; throws a RechargeError for "try again later". */
  async job(job: Job, c: Case, settings: Settings): Promise<PlatformJobResult> {
    const end = settings.recharge?.endAction;
    if (job.kind !== JOB_KINDS.cancelSubscription || !c.subscriptionId || end?.type !== 'cancel') {
      return { outcome: 'canceled', result: 'nothing to do on Recharge (end action leave)' };
    }
    const id = Number(c.subscriptionId);
    const sub = await this.d.setup.client.getSubscription(id);
    if (sub.status !== 'active') return { outcome: 'done', result: `subscription ${id} already ${sub.status}` };
    // Cancelling twice leaves it cancelled: a retried job cannot do harm.
    await this.d.setup.client.cancelSubscription(id, { cancellation_reason: end.reason, send_email: false });
    return { outcome: 'done', result: `Recharge subscription ${id} cancelled (${end.reason})` };
  }

  classify(e: unknown): ErrorClass {
    return classifyRechargeError(e);
  }

  nextHealAt(): number {
    return this.healAt;
  }

  async heal(settings: Settings): Promise<HealReport> {
    const { store, setup, logger } = this.d;
    const now = this.d.now();
    this.healAt = now + HEAL_EVERY_MS; // a failed heal waits for the next hour too
    const r: HealReport = { created: [], backfilled: 0, scanned: 0 };
    if (setup.rc.webhookUrl) {
      r.created = (await ensureWebhooks(setup.client, setup.rc.webhookUrl)).created;
      if (r.created.length) logger.warn({ topics: r.created }, 'Recharge webhooks were missing: re-created');
    }
    const last = store.cursors.get(this.accountId, CURSOR);
    const since = last === undefined ? undefined : Number(last) - BACKFILL_OVERLAP_MS;
    const deps = {
      store,
      settings,
      stats: this.d.policy.learned,
      now,
      random: (a: string, id: string) => this.d.policy.randomFor(a, id, now),
    };
    for await (const l of listFailedCharges(setup.client, this.accountId, since)) {
      if (l.kind !== 'item') continue;
      r.scanned++;
      const existing = store.cases.getByInvoice(l.item.externalId, this.accountId);
      if (existing?.platform === 'recharge') continue; // known: its webhooks or the executor's re-read keep it
      const plan = planRechargeIntake(deps, l.item, 'reconciler');
      if (plan.kind === 'new') {
        applyRechargeIntake(deps, plan);
        r.backfilled++;
      }
    }
    store.cursors.set(this.accountId, CURSOR, String(now));
    if (r.backfilled)
      logger.warn({ cases: r.backfilled }, 'Recharge failures backfilled (their webhooks never arrived)');
    return r;
  }
}

export function isRechargeEvent(type: string): boolean {
  return type.startsWith(RECHARGE_EVENT_PREFIX);
}
