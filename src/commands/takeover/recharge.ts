/**
 * `recover takeover --platform recharge`: the store's charges in `error` become cases (the
 * engine's intake, as for Stripe invoices), with their arm and first decision. Re-running imports
 * nothing twice (cases are keyed by platform, account and charge id). Order problems
 * (INVENTORY_*, SHIPPING_*) are not recover's to retry and are counted apart. Nothing is paused
 * per charge: Recharge's retries are off store-wide (the portal hand-off of onboarding).
 */
import type { Context } from '../../context.js';
import { emulatorNow, rechargeSetup } from '../../connectors/recharge/from-store.js';
import { applyRechargeIntake, planRechargeIntake, type RechargeIntakeDeps } from '../../connectors/recharge/intake.js';
import { listFailedCharges } from '../../connectors/recharge/takeover.js';
import { SKIP_REASONS } from '../../engine/intake.js';
import { ConfigError } from '../../errors.js';
import { hashSeed, mulberry32 } from '../../policy/index.js';

export interface RechargeTakeoverOptions {
  dryRun?: boolean;
  clock?: 'system' | 'emulator';
}

export interface RechargeTally {
  imported: number;
  alreadyPresent: number;
  notPayment: number;
  skipped: Record<string, number>;
}

export async function runRechargeTakeover(opts: RechargeTakeoverOptions, ctx: Context): Promise<void> {
  const store = ctx.db;
  const settings = store.settings.get() ?? undefined;
  const { rc, client } = rechargeSetup(store, settings, ctx.globals.db);
  if (!settings) throw new ConfigError(`${ctx.globals.db} is not set up`, 'run: recover onboard recharge');
  const now = opts.clock === 'emulator' ? await emulatorNow(rc) : ctx.clock.now();
  const deps: RechargeIntakeDeps = {
    store,
    settings,
    stats: store.stats.load(),
    now,
    random: (account, id) => mulberry32(hashSeed('takeover', account, id)),
  };
  const t: RechargeTally = { imported: 0, alreadyPresent: 0, notPayment: 0, skipped: {} };
  for await (const l of listFailedCharges(client, rc.accountId)) {
    if (l.kind === 'not_payment') {
      t.notPayment++;
      continue;
    }
    const plan = planRechargeIntake(deps, l.item, 'takeover');
    if (plan.kind === 'skip') t.skipped[plan.reason] = (t.skipped[plan.reason] ?? 0) + 1;
    else if (plan.kind === 'refresh') t.alreadyPresent++;
    else t.imported++;
    if (!opts.dryRun) applyRechargeIntake(deps, plan);
  }
  const skipped = Object.entries(t.skipped).map(([k, n]) => [
    `skipped: ${SKIP_REASONS[k as keyof typeof SKIP_REASONS]}`,
    n,
  ]);
  ctx.out.table(
    ['charges in error', 'count'],
    [
      [opts.dryRun ? 'would import' : 'imported', t.imported],
      ['already present', t.alreadyPresent],
      ['not a payment error (inventory, shipping…): left to the merchant', t.notPayment],
      ...skipped,
    ],
    { title: `Recharge takeover, store ${rc.accountId}${opts.dryRun ? ' (dry run: nothing written)' : ''}` },
  );
  ctx.out.result({ platform: 'recharge', account: rc.accountId, dryRun: Boolean(opts.dryRun), ...t });
  if (!opts.dryRun) ctx.out.line(`Next: recover run (mode ${rc.mode})`);
}
