/**
 * The two passes of a takeover, each a pool of workers walking segments (segments.ts):
 *
 * 1. charges: the charges of the dunning window (and of --history's period), per account; the
 *    last failed charge of each PaymentIntent is staged for the join (and, with --history,
 *    every settled charge goes into the history table). Not resumable by cursor — it is cheap
 *    next to the invoices, and is simply listed again by a re-run.
 * 2. invoices: open, automatically collected invoices per account; each page is read, planned,
 *    applied (Stripe pauses, then one transaction with the cursor), and counted.
 */
import type { Settings } from '../../config/settings.js';
import type { Store } from '../../db/index.js';
import type { Logger } from '../../log.js';
import type { LearnedStats } from '../../policy/index.js';
import type { StripeGateway } from '../../stripe/index.js';
import { pauseStripe, recordPage } from './apply.js';
import { planPage, type PlanEntry } from './plan.js';
import type { PoolControl } from './pool.js';
import { INVOICE_EXPAND, readInvoices, splitCharges } from './read.js';
import { advance, allDone, createdFilter, SCAN_CURSOR, split, type ScanState, type Segment } from './segments.js';
import { countPage, type Tally } from './tally.js';

export interface AccountRun {
  id: string;
  /** Stripe-Account header value; undefined for the keys' own account. */
  stripeAccount: string | undefined;
  scan: ScanState;
  /** True when `scan` was loaded from an interrupted run. */
  resumed: boolean;
  tally: Tally;
}

export interface RunEnv {
  store: Store;
  gw: StripeGateway;
  settings: Settings;
  stats: LearnedStats;
  logger: Logger;
  now: () => number;
  dryRun: boolean;
  pauseStripe: boolean;
  pageSize: number;
  /** Epoch ms: failed charges from here on are staged; history charges from `historyFrom`. */
  declinesFrom: number;
  historyFrom: number | null;
  /** Called after every page (progress, the dry-run printer, test hooks). */
  onPage(acct: AccountRun, kind: 'charges' | 'invoices', entries: readonly PlanEntry[]): void;
}

export interface Job {
  acct: AccountRun;
  seg: Segment;
}

/** Splits off half of what is left of `seg` for an idle worker (in-memory bookkeeping only). */
function offerSplit(acct: AccountRun, seg: Segment, ctl: PoolControl<Job>, persisted: boolean): Job | undefined {
  if (seg.done || ctl.idle() === 0) return undefined;
  const lower = split(seg);
  if (!lower) return undefined;
  if (persisted) acct.scan.segments.push(lower);
  return { acct, seg: lower };
}

export async function chargesJob(env: RunEnv, { acct, seg }: Job, ctl: PoolControl<Job>): Promise<void> {
  while (!seg.done && !ctl.stopped()) {
    const list = await env.gw.charges.list(
      { limit: env.pageSize, created: createdFilter(seg), ...(seg.after ? { starting_after: seg.after } : {}) },
      { account: acct.stripeAccount },
    );
    const { declines, history } = splitCharges(acct.id, list.data, env.declinesFrom, env.historyFrom);
    env.store.takeoverStaging.addMany(declines);
    acct.tally.declinesStaged += declines.length;
    acct.tally.historySeen += history.length;
    if (!env.dryRun && history.length) {
      env.store.tx(() => {
        for (const h of history) if (env.store.history.insert(h)) acct.tally.historyImported += 1;
      });
    }
    const last = list.data.at(-1);
    advance(seg, { lastId: last?.id, lastCreated: last?.created, hasMore: list.has_more });
    acct.tally.chargePages += 1;
    const more = offerSplit(acct, seg, ctl, false);
    if (more) ctl.push(more);
    env.onPage(acct, 'charges', []);
  }
}

export async function invoicesJob(env: RunEnv, { acct, seg }: Job, ctl: PoolControl<Job>): Promise<void> {
  const { store, gw } = env;
  while (!seg.done && !ctl.stopped()) {
    const list = await gw.invoices.list(
      {
        status: 'open',
        collection_method: 'charge_automatically',
        limit: env.pageSize,
        created: createdFilter(seg),
        ...(seg.after ? { starting_after: seg.after } : {}),
        expand: INVOICE_EXPAND,
      },
      { account: acct.stripeAccount },
    );
    const now = env.now();
    const items = planPage(readInvoices(store, acct.id, list.data, now), { settings: env.settings, stats: env.stats, now, pauseStripe: env.pauseStripe });
    const last = list.data.at(-1);
    const page = { lastId: last?.id, lastCreated: last?.created, hasMore: list.has_more };
    let more: Job | undefined;
    if (env.dryRun) {
      advance(seg, page);
      more = offerSplit(acct, seg, ctl, false);
      countPage(acct.tally, items, new Set(items.filter((p) => p.pause).map((p) => p.entry.invoice)), new Map());
    } else {
      const { paused, failed } = await pauseStripe(gw, items, { stripeAccount: acct.stripeAccount, runId: acct.scan.runId });
      for (const [id, why] of failed) env.logger.warn({ account: acct.id, invoice: id, err: why }, 'Stripe refused to pause this invoice; its case is kept unpaused');
      store.tx(() => {
        recordPage(store, items, paused, env.settings, now);
        advance(seg, page);
        more = offerSplit(acct, seg, ctl, true);
        if (allDone(acct.scan)) store.cursors.delete(acct.id, SCAN_CURSOR);
        else store.cursors.set(acct.id, SCAN_CURSOR, JSON.stringify(acct.scan));
      });
      countPage(acct.tally, items, paused, failed);
      env.logger.debug({ account: acct.id, pages: acct.tally.invoicePages, invoices: items.length, after: seg.after }, 'takeover page committed');
    }
    if (more) ctl.push(more);
    env.onPage(acct, 'invoices', items.map((p) => p.entry));
  }
}
