/**
 * `recover offboard`: leave as cleanly as we came. Every invoice recover paused goes back to
 * Stripe (auto_advance=true, metadata recover_managed cleared), our webhook endpoint is disabled
 * (kept, so a later onboarding finds and re-enables it), the mode goes back to shadow so a daemon
 * still running charges nothing, and the Smart Retries settings to restore are printed.
 *
 * Safe to run again: invoices already handed back are no longer marked paused, and a second run
 * finds nothing left to change.
 */
import { randomBytes } from 'node:crypto';
import { WorkError } from '../errors.js';
import type { Context } from '../context.js';
import { NotFound } from '../stripe/index.js';
import { smartRetriesLink } from './onboard/baseline.js';
import { casesPaused, handOver, tallyOutcomes } from './hand-over.js';
import { defaultPlatform } from './go-live.js';

export interface OffboardOptions {
  yes?: boolean;
  platform?: 'stripe' | 'recharge';
}

export const SMART_RETRIES_RESTORE = [
  'Restore Stripe\'s retries (Dashboard: Billing → Revenue recovery → Retries):',
  '  1. Smart Retries on (Stripe\'s default: 8 tries in 2 weeks), or your own schedule.',
  '  2. Failed-payment emails, if you had turned them off for recover.',
  '  3. Subscription and invoice status after all retries fail: as you want them',
  '     (cancel, past-due, uncollectible).',
];

export async function runOffboard(opts: OffboardOptions, ctx: Context): Promise<void> {
  if ((opts.platform ?? defaultPlatform(ctx)) === 'recharge') {
    return (await import('./go-live-recharge.js')).runOffboardRecharge(opts, ctx);
  }
  const { db, out } = ctx;
  const settings = db.settings.require();
  const cases = casesPaused(db);
  out.line(out.color.bold('recover offboard'));
  // A second run changes nothing: the plan says so instead of "0 invoices go back" and "shadow → shadow".
  if (cases.length) {
    out.line(`  ${cases.length} invoices recover paused go back to Stripe's retries`);
    out.line('  (auto_advance=true, metadata recover_managed removed);');
  } else out.line('  no invoice is paused by recover (none to hand back);');
  const endpoint = settings.webhookEndpointId;
  out.line(endpoint ? `  webhook endpoint ${endpoint} disabled (if it is not already);` : '  no webhook endpoint registered;');
  out.line(settings.mode === 'shadow' ? '  mode stays shadow.' : `  mode ${settings.mode} → shadow.`);
  const message = `Hand ${cases.length} invoices back to Stripe and disable the webhook?`;
  const ok = opts.yes || (await ctx.prompts.confirm({ name: 'offboard', flag: '--yes', message, default: false }));
  if (!ok) {
    out.result({ offboarded: false });
    out.line('Nothing was changed.');
    return;
  }
  // Shadow first: a daemon still running must not charge an invoice Stripe now retries too.
  if (settings.mode !== 'shadow') db.settings.set({ ...settings, mode: 'shadow' });
  const runId = randomBytes(4).toString('hex');
  const results = await handOver(ctx.stripe, db, cases, { pause: false, runId, now: () => ctx.clock.now() });
  const tally = tallyOutcomes(results);
  let webhook: 'disabled' | 'gone' | 'none' = 'none';
  if (settings.webhookEndpointId) {
    try {
      await ctx.stripe.webhookEndpoints.update(settings.webhookEndpointId, { disabled: true });
      webhook = 'disabled';
    } catch (e) {
      if (!(e instanceof NotFound)) throw e;
      webhook = 'gone';
    }
  }
  const failed = results.filter((r) => r.outcome === 'failed');
  const refused = failed.map((r) => ({ invoice: r.case.invoiceId, error: r.detail }));
  out.result({ offboarded: failed.length === 0, handedBack: tally, webhook, failed: refused });
  const notOpen = tally.not_open ? `, ${tally.not_open} no longer open` : '';
  out.line(`${tally.changed} invoices handed back to Stripe${notOpen}; webhook endpoint ${webhook}; mode shadow.`);
  for (const l of SMART_RETRIES_RESTORE) out.line(l);
  out.line(`  ${smartRetriesLink(settings.env)}`);
  if (failed.length) {
    const first = `${failed[0]!.case.invoiceId}: ${failed[0]!.detail}`;
    throw new WorkError(`Stripe refused ${failed.length} invoices (${first}); the others were handed back`, 'run recover offboard again');
  }
}
