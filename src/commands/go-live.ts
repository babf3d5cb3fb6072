/**
 * `recover go-live` (and `--back-to-shadow`): the one guarded step between shadow mode and real
 * charges. Shadow mode leaves Stripe's retries on (auto_advance=true) for every invoice it imports;
 * switching the mode alone would make two systems retry the same invoice. So this command shows what
 * will change, re-checks keys, webhook and the Smart Retries signal, pauses every invoice recover will
 * retry, and only then switches the mode — after a confirmation, or `--yes`.
 *
 * Back to shadow: the invoices recover paused are handed back to Stripe first (recover stops
 * charging, so nobody would retry them otherwise), then the mode switches.
 */
import { randomBytes } from 'node:crypto';
import { WorkError } from '../errors.js';
import type { Context } from '../context.js';
import type { Case } from '../db/index.js';
import { formatMoney } from '../report/money.js';
import { markCheck, runChecks } from './checks.js';
import { casesPaused, casesToPause, handOver, tallyOutcomes, type HandOverResult } from './hand-over.js';

export interface GoLiveOptions {
  yes?: boolean;
  backToShadow?: boolean;
  /** Default: recharge in a database holding only a Recharge store, else stripe. */
  platform?: 'stripe' | 'recharge';
}

/** The platform a go-live/offboard acts on when --platform is not given. */
export function defaultPlatform(ctx: Context): 'stripe' | 'recharge' {
  const onlyRecharge = Boolean(ctx.db.settings.get()?.recharge) && !ctx.db.secrets.get('primary_key');
  return onlyRecharge ? 'recharge' : 'stripe';
}

/** Invoices listed by name before "… and N more". */
const SHOWN = 5;

export async function runGoLive(opts: GoLiveOptions, ctx: Context): Promise<void> {
  if ((opts.platform ?? defaultPlatform(ctx)) === 'recharge') {
    return (await import('./go-live-recharge.js')).runGoLiveRecharge(opts, ctx);
  }
  const { db, out } = ctx;
  const settings = db.settings.require();
  const target = opts.backToShadow ? 'shadow' : 'live';
  const now = () => ctx.clock.now();

  const cases = target === 'live' ? casesToPause(db, settings) : casesPaused(db);
  const retried = [...db.cases.iterate()].filter((c) => c.status === 'in_dunning' && c.platform === 'stripe');
  const next = nextAttempts(ctx, retried);
  const title = `recover go-live${opts.backToShadow ? ' --back-to-shadow' : ''}`;
  out.line(out.color.bold(`${title}: mode ${settings.mode} → ${target}`));
  if (target === 'live') {
    out.line(`  ${retried.length} cases start being retried for real (charges, end-of-dunning actions);`);
    out.line('  the next attempts:');
    for (const n of next) out.line(`    ${n.at}  ${n.invoice}  ${n.amount}`);
    out.line(`  ${cases.length} invoices recover retries are still open to Stripe's retries`);
    out.line('  (auto_advance=true): they are paused first.');
  } else {
    out.line('  recover stops charging; attempts are recorded as would-be again.');
    out.line(`  ${cases.length} invoices recover paused go back to Stripe's retries (auto_advance=true).`);
  }
  for (const c of cases.slice(0, SHOWN)) out.line(`    ${c.invoiceId} (${c.arm}, ${c.status})`);
  if (cases.length > SHOWN) out.line(`    … and ${cases.length - SHOWN} more`);

  const deps = { store: db, settings, apiBase: ctx.apiBase, logger: ctx.logger };
  const checks = target === 'live' ? await runChecks(deps) : [];
  if (checks.length) out.table(['check', 'status', 'detail'], checks.map((c) => [c.name, markCheck(out.color, c), c.detail]));
  const failing = checks.filter((c) => !c.ok && !c.warnOnly && c.name !== 'smart retries');
  if (failing.length) {
    out.result({ mode: settings.mode, switched: false, checks });
    const names = failing.map((c) => c.name).join(', ');
    throw new WorkError(`not switched: ${names} failed; nothing was changed`, 'fix it (recover status shows the same checks), then run recover go-live again');
  }
  if (settings.mode === target && cases.length === 0) {
    out.result({ mode: target, switched: false, checks, handedOver: tallyOutcomes([]) });
    out.line(`Already in ${target} mode; nothing to change.`);
    return;
  }
  const also = cases.length ? ` and ${target === 'live' ? 'pause' : 'resume'} ${cases.length} invoices` : '';
  const message = `Switch to ${target} mode${also}?`;
  const ok = opts.yes || (await ctx.prompts.confirm({ name: 'goLive', flag: '--yes', message, default: false }));
  if (!ok) {
    out.result({ mode: settings.mode, switched: false, checks });
    out.line('Not switched; nothing was changed.');
    return;
  }

  const runId = randomBytes(4).toString('hex');
  const results = await handOver(ctx.stripe, db, cases, { pause: target === 'live', runId, now });
  const tally = tallyOutcomes(results);
  const failed = results.filter((r) => r.outcome === 'failed');
  printOutcome(ctx, results, target);
  if (target === 'live' && failed.length) {
    out.result({ mode: settings.mode, switched: false, checks, handedOver: tally });
    const first = `${failed[0]!.case.invoiceId}: ${failed[0]!.detail}`;
    throw new WorkError(`not switched: Stripe refused to pause ${failed.length} invoices (${first}); those paused are kept`, 'run recover go-live again');
  }
  // Going live assigns the arms for the lift (unless a live takeover already did): cases that fail
  // from now on are the report's like-for-like cohorts; the shadow-era ones are the backlog.
  const saved = db.settings.require();
  const assigned = target === 'live' && saved.armsAssignedAt === undefined ? { armsAssignedAt: now() } : {};
  db.settings.set({ ...saved, mode: target, ...assigned });
  out.result({ mode: target, switched: true, checks, handedOver: tally });
  const daemon = target === 'live' ? 'starts' : 'stops';
  out.line(`Mode is now ${target}. A running daemon ${daemon} charging at its next pass.`);
}

function nextAttempts(ctx: Context, cases: Case[]): Array<{ invoice: string; amount: string; at: string }> {
  const rows: Array<{ invoice: string; amount: string; at: number }> = [];
  for (const c of cases) {
    const a = ctx.db.attempts.pendingForCase(c.id);
    if (a) rows.push({ invoice: c.invoiceId, amount: formatMoney(c.amountDue, c.currency), at: a.scheduledAt });
  }
  return rows.sort((x, y) => x.at - y.at).slice(0, 3).map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
}

function printOutcome(ctx: Context, results: HandOverResult[], target: 'live' | 'shadow'): void {
  const t = tallyOutcomes(results);
  const verb = target === 'live' ? 'paused' : 'handed back';
  const parts = [`${t.changed} invoices ${verb}`];
  if (t.already) parts.push(`${t.already} already paused`);
  if (t.not_open) parts.push(`${t.not_open} no longer open`);
  if (t.merchant_paused) parts.push(`${t.merchant_paused} left paused as you set them`);
  ctx.out.line(`${parts.join(', ')}.`);
  const failed = results.filter((x) => x.outcome === 'failed');
  for (const r of failed.slice(0, SHOWN)) ctx.out.warn(`${r.case.invoiceId}: ${r.detail}`);
}
