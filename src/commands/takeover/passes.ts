/**
 * The passes of a takeover, each a pool of workers walking segments (segments.ts):
 *
 * 1. intents: the PaymentIntents created in the dunning window, per account, with their latest
 *    charge expanded: status and last decline are staged for the join (one PaymentIntent per
 *    invoice, however often it was retried — fewer pages than listing the charges). With
 *    --history, the invoice payments of the period are listed alongside (which invoice each
 *    PaymentIntent pays). Neither is resumable by cursor: both are cheap next to the invoices,
 *    and a re-run lists them again.
 * 2. invoices: open, automatically collected invoices per account; each page is read, planned,
 *    applied (Stripe pauses, then one transaction with the cursor), and counted. With
 *    --history, the period's charges are listed alongside into the history table (idempotent:
 *    a re-run inserts only what is new).
 */
import type { Settings } from '../../config/settings.js';
import type { Store } from '../../db/index.js';
import type { Logger } from '../../log.js';
import type { LearnedStats } from '../../policy/index.js';
import type { Invoice, StripeGateway } from '../../stripe/index.js';
import { pauseStripe, recordPage, replanRefused } from './apply.js';
import { planOne, planPage, type PlanEntry } from './plan.js';
import type { PoolControl } from './pool.js';
import { historyRows, INTENT_EXPAND, INVOICE_EXPAND, readInvoices, stageIntents, stageInvoicePayments } from './read.js';
import { advance, createdFilter, SCAN_CURSOR, split, type ScanState, type Segment } from './segments.js';
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
  /** Epoch ms: history charges from here on (--history). */
  historyFrom: number | null;
  /** Written into the metadata of every invoice paused (src/engine/managed.ts). */
  installationId: string;
  /** Every Stripe call goes through this (pool.ts callLimit). */
  call: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Called after every page (progress, the dry-run printer, test hooks). */
  onPage(acct: AccountRun, kind: JobKind, entries: readonly PlanEntry[]): void;
}

export type JobKind = 'intents' | 'invoicePayments' | 'history' | 'invoices';

export interface Job {
  kind: JobKind;
  acct: AccountRun;
  seg: Segment;
}

export function runJob(env: RunEnv, job: Job, ctl: PoolControl<Job>): Promise<void> {
  switch (job.kind) {
    case 'intents':
      return intentsJob(env, job, ctl);
    case 'invoicePayments':
      return invoicePaymentsJob(env, job, ctl);
    case 'history':
      return historyJob(env, job, ctl);
    case 'invoices':
      return invoicesJob(env, job, ctl);
  }
}

/** Splits off half of what is left of `seg` for an idle worker (in-memory bookkeeping only). */
function offerSplit(job: Job, ctl: PoolControl<Job>, persisted: boolean): Job | undefined {
  if (job.seg.done || ctl.idle() === 0) return undefined;
  const lower = split(job.seg);
  if (!lower) return undefined;
  if (persisted) job.acct.scan.segments.push(lower);
  return { ...job, seg: lower };
}

async function intentsJob(env: RunEnv, job: Job, ctl: PoolControl<Job>): Promise<void> {
  const { acct, seg } = job;
  while (!seg.done && !ctl.stopped()) {
    const list = await env.call(() => env.gw.paymentIntents.list(
      { limit: env.pageSize, created: createdFilter(seg), expand: INTENT_EXPAND, ...(seg.after ? { starting_after: seg.after } : {}) },
      { account: acct.stripeAccount },
    ));
    const rows = stageIntents(acct.id, list.data);
    env.store.takeoverStaging.addMany(rows);
    acct.tally.intentsStaged += rows.length;
    const last = list.data.at(-1);
    advance(seg, { lastId: last?.id, lastCreated: last?.created, hasMore: list.has_more });
    acct.tally.intentPages += 1;
    const more = offerSplit(job, ctl, false);
    if (more) ctl.push(more);
    env.onPage(acct, 'intents', []);
  }
}

async function invoicePaymentsJob(env: RunEnv, job: Job, ctl: PoolControl<Job>): Promise<void> {
  const { acct, seg } = job;
  while (!seg.done && !ctl.stopped()) {
    const list = await env.call(() => env.gw.invoicePayments.list(
      { limit: env.pageSize, created: createdFilter(seg), ...(seg.after ? { starting_after: seg.after } : {}) },
      { account: acct.stripeAccount },
    ));
    env.store.takeoverStaging.addIntentInvoices(stageInvoicePayments(acct.id, list.data));
    const last = list.data.at(-1);
    advance(seg, { lastId: last?.id, lastCreated: last?.created, hasMore: list.has_more });
    acct.tally.invoicePaymentPages += 1;
    const more = offerSplit(job, ctl, false);
    if (more) ctl.push(more);
    env.onPage(acct, 'invoicePayments', []);
  }
}

async function historyJob(env: RunEnv, job: Job, ctl: PoolControl<Job>): Promise<void> {
  const { acct, seg } = job;
  while (!seg.done && !ctl.stopped()) {
    const list = await env.call(() => env.gw.charges.list(
      { limit: env.pageSize, created: createdFilter(seg), ...(seg.after ? { starting_after: seg.after } : {}) },
      { account: acct.stripeAccount },
    ));
    const rows = historyRows(acct.id, list.data, env.historyFrom ?? 0, (pi) => env.store.takeoverStaging.invoiceOfIntent(acct.id, pi));
    acct.tally.historySeen += rows.length;
    if (!env.dryRun && rows.length) {
      env.store.tx(() => {
        for (const h of rows) if (env.store.history.insert(h)) acct.tally.historyImported += 1;
      });
    }
    const last = list.data.at(-1);
    advance(seg, { lastId: last?.id, lastCreated: last?.created, hasMore: list.has_more });
    acct.tally.chargePages += 1;
    const more = offerSplit(job, ctl, false);
    if (more) ctl.push(more);
    env.onPage(acct, 'history', []);
  }
}

async function invoicesJob(env: RunEnv, job: Job, ctl: PoolControl<Job>): Promise<void> {
  const { store, gw } = env;
  const { acct, seg } = job;
  while (!seg.done && !ctl.stopped()) {
    const list = await env.call(() => gw.invoices.list(
      {
        status: 'open',
        collection_method: 'charge_automatically',
        limit: env.pageSize,
        created: createdFilter(seg),
        ...(seg.after ? { starting_after: seg.after } : {}),
        expand: INVOICE_EXPAND,
      },
      { account: acct.stripeAccount },
    ));
    const now = env.now();
    const planOpts = { settings: env.settings, stats: env.stats, now, pauseStripe: env.pauseStripe };
    let items = planPage(readInvoices(store, acct.id, list.data, now), planOpts);
    const last = list.data.at(-1);
    const page = { lastId: last?.id, lastCreated: last?.created, hasMore: list.has_more };
    let more: Job | undefined;
    if (env.dryRun) {
      advance(seg, page);
      more = offerSplit(job, ctl, false);
      countPage(acct.tally, items, new Set(items.filter((p) => p.pause).map((p) => p.entry.invoice)), new Map());
    } else {
      const { paused, failed } = await pauseStripe(gw, items, { stripeAccount: acct.stripeAccount, runId: acct.scan.runId, call: env.call, installationId: env.installationId });
      for (const [id, why] of failed) env.logger.info({ account: acct.id, invoice: id, err: why }, 'Stripe refused to pause this invoice: it changed since listed; read again');
      const replan = (inv: Invoice) => planOne(readInvoices(store, acct.id, [inv], now)[0], planOpts);
      items = await replanRefused(gw, items, failed, { stripeAccount: acct.stripeAccount, call: env.call, replan });
      store.tx(() => {
        recordPage(store, items, paused, env.settings, now);
        advance(seg, page);
        more = offerSplit(job, ctl, true);
        // Kept even when this account is done: if another account's pass fails, the re-run must
        // not walk this one again (a second import of every case). runTakeover deletes the
        // scans once the whole run has completed.
        store.cursors.set(acct.id, SCAN_CURSOR, JSON.stringify(acct.scan));
      });
      countPage(acct.tally, items, paused, failed);
      env.logger.debug({ account: acct.id, pages: acct.tally.invoicePages, invoices: items.length, after: seg.after }, 'takeover page committed');
    }
    if (more) ctl.push(more);
    env.onPage(acct, 'invoices', items.map((p) => p.entry));
  }
}
