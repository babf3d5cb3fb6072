/**
 * `recover go-live --platform recharge` (and `--back-to-shadow`), and `recover offboard
 * --platform recharge`: the Recharge store's mode, with the checks of the Stripe path.
 *
 * Recharge has no per-charge pause like Stripe's auto_advance: its own retries are switched off
 * store-wide in its portal (src/connectors/recharge/handoff.ts). So going live hands nothing
 * over; it verifies the hand-off from charge data (no errored charge with a retry_date), that the
 * token still answers, that the plan allows `/charges/{id}/process`, and that recover's webhooks
 * are there, then switches `settings.recharge.mode` — after a confirmation, or `--yes`.
 */
import type { Context } from '../context.js';
import { isTerminalStatus } from '../db/index.js';
import { WorkError } from '../errors.js';
import { rechargeSetup } from '../connectors/recharge/from-store.js';
import { PORTAL_STEPS, probeProcess, scanRechargeRetries } from '../connectors/recharge/handoff.js';
import { SHADOW_DAYS_RECOMMENDED } from '../connectors/recharge/settings.js';
import { rechargeStatus } from '../connectors/recharge/status.js';
import { missingTopics } from '../connectors/recharge/webhook-heal.js';
import type { RechargeClient } from '../connectors/recharge/client.js';
import type { RechargeSettings } from '../connectors/recharge/settings.js';
import { markCheck, type Check } from './checks.js';

/** Errored charges listed by id when Recharge still plans to retry them. */
const SHOWN = 5;

const RECHARGE_RESTORE = [
  "Restore Recharge's own retries (merchant portal), if you want them back:",
  '  1. Settings → Payment → Failed charges: the number of retries you had (Recharge: up to 7).',
  '  2. With Failed Payment Recovery: Retain → Failed Payment Recovery → your recovery strategies on.',
  '  3. "When maximum number of retries are reached": cancel or do nothing, as you want it.',
];

function requireRecharge(ctx: Context) {
  const settings = ctx.db.settings.get();
  if (!settings?.recharge) {
    throw new WorkError(
      `no Recharge store is onboarded in ${ctx.globals.db}; nothing was changed`,
      'run recover onboard recharge first',
    );
  }
  return { settings, ...rechargeSetup(ctx.db, settings, ctx.globals.db) };
}

async function rechargeChecks(client: RechargeClient, rc: RechargeSettings): Promise<Check[]> {
  const checks: Check[] = [];
  try {
    const info = await client.tokenInformation();
    checks.push({ name: 'recharge token', ok: true, detail: `answers (${info.scopes.length} scopes)` });
  } catch (e) {
    checks.push({ name: 'recharge token', ok: false, detail: (e as Error).message });
    return checks; // nothing else can be asked without it
  }
  const process = await probeProcess(client);
  checks.push({
    name: 'retry endpoint',
    ok: process,
    detail: process ? 'POST /charges/{id}/process allowed' : "the store's plan refuses /charges/{id}/process",
  });
  if (rc.webhookUrl) {
    const missing = await missingTopics(client, rc.webhookUrl);
    checks.push({
      name: 'webhooks',
      ok: missing.length === 0,
      detail: missing.length ? `missing ${missing.join(', ')} (recover run re-creates them)` : rc.webhookUrl,
    });
  } else checks.push({ name: 'webhooks', ok: true, warnOnly: true, detail: 'none (--no-webhook): found by polling' });
  const signal = await scanRechargeRetries(client);
  const first = signal.retrying.slice(0, SHOWN).map((r) => `${r.chargeId} at ${r.retryDate}`);
  checks.push({
    name: 'portal hand-off',
    ok: signal.retrying.length === 0,
    detail: signal.retrying.length
      ? `Recharge still plans retries of ${signal.retrying.length} of ${signal.scanned} errored charges ` +
        `(${first.join(', ')})`
      : `no retry_date on the ${signal.scanned} errored charges`,
  });
  return checks;
}

export async function runGoLiveRecharge(opts: { yes?: boolean; backToShadow?: boolean }, ctx: Context): Promise<void> {
  const { db, out } = ctx;
  const { settings, rc, client } = requireRecharge(ctx);
  const target = opts.backToShadow ? 'shadow' : 'live';
  const now = ctx.clock.now();
  const st = rechargeStatus(db, settings, now)!;
  const active = [...db.cases.iterate({ accountId: rc.accountId })].filter(
    (c) => c.platform === 'recharge' && !isTerminalStatus(c.status),
  );
  const title = `recover go-live --platform recharge${opts.backToShadow ? ' --back-to-shadow' : ''}`;
  out.line(out.color.bold(`${title}: ${rc.accountId} mode ${rc.mode} → ${target}`));
  const shadow = { days: st.shadowDays, failuresSeen: st.failuresSeen, recommendedDays: SHADOW_DAYS_RECOMMENDED };
  if (target === 'live') {
    out.line(
      `  shadow ingest: ${st.shadowDays} days (≥ ${SHADOW_DAYS_RECOMMENDED} recommended), ` +
        `${st.failuresSeen} failures seen;`,
    );
    out.line(
      `  ${active.length} open cases start being retried for real (/charges/{id}/process, end-of-dunning actions).`,
    );
    if (rc.mode === 'shadow' && st.shadowDays < SHADOW_DAYS_RECOMMENDED) {
      out.warn(`only ${st.shadowDays} days of shadow ingest (≥ ${SHADOW_DAYS_RECOMMENDED} recommended before go-live)`);
    }
  } else {
    out.line('  recover stops charging; attempts are recorded as would-be again.');
    out.warn("Recharge's own retries stay off (its portal): nobody retries these charges until you go live again");
  }
  const checks = target === 'live' ? await rechargeChecks(client, rc) : [];
  if (checks.length) {
    out.table(
      ['check', 'status', 'detail'],
      checks.map((c) => [c.name, markCheck(out.color, c), c.detail]),
    );
  }
  const failing = checks.filter((c) => !c.ok && !c.warnOnly);
  if (failing.length) {
    out.result({ platform: 'recharge', mode: rc.mode, switched: false, shadow, checks });
    if (failing.some((c) => c.name === 'portal hand-off')) for (const l of PORTAL_STEPS) out.line(l);
    throw new WorkError(
      `not switched: ${failing.map((c) => c.name).join(', ')} failed; nothing was changed`,
      'fix it, then run recover go-live --platform recharge again',
    );
  }
  if (rc.mode === target) {
    out.result({ platform: 'recharge', mode: target, switched: false, shadow, checks });
    out.line(`Already in ${target} mode; nothing to change.`);
    return;
  }
  const early = target === 'live' && st.shadowDays < SHADOW_DAYS_RECOMMENDED ? ` after ${st.shadowDays} days` : '';
  const message = `Switch ${rc.accountId} to ${target} mode${early}?`;
  const ok = opts.yes || (await ctx.prompts.confirm({ name: 'goLive', flag: '--yes', message, default: false }));
  if (!ok) {
    out.result({ platform: 'recharge', mode: rc.mode, switched: false, shadow, checks });
    out.line('Not switched; nothing was changed.');
    return;
  }
  const saved = db.settings.require();
  // Going live assigns the arms for the lift unless another platform already did (one clock for both).
  const assigned = target === 'live' && saved.armsAssignedAt === undefined ? { armsAssignedAt: now } : {};
  db.settings.set({ ...saved, ...assigned, recharge: { ...saved.recharge!, mode: target } });
  out.result({ platform: 'recharge', mode: target, switched: true, shadow, checks });
  const daemon = target === 'live' ? 'starts' : 'stops';
  out.line(`${rc.accountId} is now in ${target} mode. A running daemon ${daemon} charging at its next pass.`);
}

/**
 * Offboarding a Recharge store: mode shadow first (a running daemon charges nothing), recover's
 * webhooks deleted (Recharge has no "disabled" webhook; onboarding creates them again), and the
 * portal steps to give Recharge its retries back. Safe to run again: nothing left is found.
 */
export async function runOffboardRecharge(opts: { yes?: boolean }, ctx: Context): Promise<void> {
  const { db, out } = ctx;
  const { rc, client } = requireRecharge(ctx);
  const ours = rc.webhookUrl ? (await client.webhooks()).filter((w) => w.address === rc.webhookUrl) : [];
  out.line(out.color.bold('recover offboard --platform recharge'));
  out.line(`  ${rc.accountId}: mode ${rc.mode} → shadow; ${ours.length} webhooks of recover's deleted at Recharge.`);
  const message = `Stop charging on ${rc.accountId} and delete ${ours.length} webhooks?`;
  const ok = opts.yes || (await ctx.prompts.confirm({ name: 'offboard', flag: '--yes', message, default: false }));
  if (!ok) {
    out.result({ platform: 'recharge', offboarded: false });
    out.line('Nothing was changed.');
    return;
  }
  const saved = db.settings.require();
  if (rc.mode !== 'shadow') db.settings.set({ ...saved, recharge: { ...saved.recharge!, mode: 'shadow' } });
  for (const w of ours) await client.deleteWebhook(w.id);
  out.result({ platform: 'recharge', offboarded: true, webhooksDeleted: ours.length, mode: 'shadow' });
  out.line(`${rc.accountId}: mode shadow; ${ours.length} webhooks deleted.`);
  for (const l of RECHARGE_RESTORE) out.line(l);
}
