/**
 * The reconciler, on a cron schedule (default hourly, on the daemon's clock): catches whatever
 * a lost webhook would have told us.
 * 1. Re-lists recent events (`/v1/events`, from a per-account cursor with 10 min of overlap)
 *    into the inbox — duplicates are ignored by event id — and processes them.
 * 2. Re-lists open, automatically collected invoices of the dunning window and opens a case for
 *    any failed one recover does not know (the same intake as webhooks and takeover).
 * 3. Re-reads active cases whose invoice is no longer open and settles them (paid, void…).
 */
import { CronExpressionParser } from 'cron-parser';
import { DAY_MS } from '../clock.js';
import { WEBHOOK_EVENTS } from '../config/events.js';
import type { Settings } from '../config/settings.js';
import { badValue } from '../errors.js';
import { ACTIVE_CASE_STATUSES, type Account, type Case, type Store } from '../db/index.js';
import { recoverRetries } from '../engine/decision.js';
import type { Logger } from '../log.js';
import { PermissionMissing, type CallContext, type StripeGateway } from '../stripe/index.js';
import { closeCase, recordRecovery } from './case-ops.js';
import { eventFacts } from './event-facts.js';
import type { IntakeOutcome } from './intake.js';
import type { SkipReason } from '../engine/intake.js';
import { readInvoice } from './stripe-read.js';
import type { ReconcileReport, RecoveryReport } from './types.js';

export const DEFAULT_RECONCILE_CRON = '0 * * * *';
/** How far back the very first reconcile looks for events, ms. */
const FIRST_LOOKBACK_MS = DAY_MS;
/** Overlap with the previous run's newest event, seconds (events of the same second, clock skew). */
const OVERLAP_SEC = 600;
const LAST_RUN = 'reconcile:last_at';

export function parseCron(expr: string): string {
  try {
    CronExpressionParser.parse(expr, { tz: 'UTC' });
    if (expr.trim().split(/\s+/).length !== 5) throw new Error('need 5 fields');
  } catch {
    throw badValue('--reconcile', expr, 'a 5-field cron expression such as "0 * * * *"');
  }
  return expr;
}

export interface ReconcilerDeps {
  store: Store;
  gw: StripeGateway;
  logger: Logger;
  cron: string;
  now(): number;
  ctxFor(accountId: string): CallContext | undefined;
  intake(invoiceId: string, accountId: string, source: 'reconciler'): Promise<IntakeOutcome>;
  recovered(r: RecoveryReport): void;
}

/**
 * Skip reasons only a settings change can undo: the first failure of an invoice is fixed and time
 * only moves on (past the window), and an invoice's billing reason never changes.
 */
const FINAL_SKIPS: ReadonlySet<SkipReason> = new Set(['past_dunning_window', 'subscription_create']);

export class Reconciler {
  private warnedEvents = false;
  /**
   * Open invoices intake skipped for a final reason, by account then invoice id, for the settings
   * in `finalSkipsFor`. Each re-listing would otherwise read every one again (2 Stripe calls and a
   * policy context apiece; issue 18: 14,000 of the 30-day demo's 18,000 reconciler intakes). Only
   * invoices the last complete listing of their account still saw open are kept.
   */
  private finalSkips = new Map<string, Set<string>>();
  private finalSkipsFor = '';
  /** The first cron occurrence after the last run `last`, epoch ms. */
  private dueAfter: { last: number; at: number } | undefined;

  constructor(private readonly d: ReconcilerDeps) {}

  lastRunAt(): number | null {
    const v = this.d.store.meta.get(LAST_RUN);
    return v ? Number(v) : null;
  }

  /**
   * Due when it never ran, or a cron occurrence passed since the last run (also after downtime):
   * the first occurrence after the last run (strictly after, as cron-parser's next() gives it) is
   * before now. Computed once per last run, not at every pass (issue 18: 2,000 passes in the demo).
   */
  isDue(now: number): boolean {
    const last = this.lastRunAt();
    if (last === null) return true;
    if (this.dueAfter?.last !== last) {
      const at = CronExpressionParser.parse(this.d.cron, { currentDate: new Date(last), tz: 'UTC' })
        .next()
        .getTime();
      this.dueAfter = { last, at };
    }
    return this.dueAfter.at < now;
  }

  nextAt(now: number): number {
    const from = Math.max(now, this.lastRunAt() ?? now);
    return CronExpressionParser.parse(this.d.cron, { currentDate: new Date(from), tz: 'UTC' })
      .next()
      .getTime();
  }

  /**
   * One full reconcile; `drain` processes the inbox (events found here included). `stop` is
   * checked between accounts, pages and cases: a stopped run returns `complete: false` and is
   * not recorded as done, so the next pass runs it again (the event cursors it saved stay).
   */
  async run(
    settings: Settings,
    drain: () => Promise<unknown>,
    stop: () => boolean = () => false,
  ): Promise<ReconcileReport> {
    const { store } = this.d;
    const at = this.d.now();
    const r: ReconcileReport = {
      at,
      accounts: 0,
      eventsSeen: 0,
      eventsInserted: 0,
      invoicesSeen: 0,
      casesOpened: 0,
      casesSettled: 0,
      complete: false,
    };
    const accounts = store.accounts.list();
    const skipsFor = `${settings.dunningDays}:${settings.includeSubscriptionCreate}`;
    if (skipsFor !== this.finalSkipsFor) this.finalSkips.clear();
    this.finalSkipsFor = skipsFor;
    const openByAccount = new Map<string, Set<string>>();
    const createdGte = Math.floor((at - (settings.dunningDays + 35) * DAY_MS) / 1000);
    for (const acct of accounts) {
      if (stop()) return r;
      r.accounts++;
      try {
        await this.events(acct, at, r, stop);
      } catch (e) {
        // A key without "Events: read" still gets the invoice re-list below.
        if (!(e instanceof PermissionMissing)) throw e;
        if (!this.warnedEvents)
          this.d.logger.warn(
            { account: acct.id, err: e.message },
            'reconciler cannot list events (add rak_event_read to the key); re-listing open invoices only',
          );
        this.warnedEvents = true;
      }
    }
    await drain();
    for (const acct of accounts) {
      if (stop()) return r;
      openByAccount.set(acct.id, await this.openInvoices(acct, settings, createdGte, r, stop));
    }
    if (stop()) return r;
    await drain();
    for (const status of ACTIVE_CASE_STATUSES) {
      let afterId = 0;
      for (;;) {
        const page = store.cases.listByStatus(status, { afterId, limit: 1000 });
        if (page.length === 0) break;
        afterId = page[page.length - 1].id;
        for (const c of page) {
          if (stop()) return r;
          const open = openByAccount.get(c.accountId);
          if (!open || open.has(c.invoiceId) || c.invoiceCreatedAt < createdGte * 1000) continue;
          if (await this.settle(c, settings)) r.casesSettled++;
        }
      }
    }
    store.meta.set(LAST_RUN, String(at));
    r.complete = true;
    this.d.logger.info({ ...r }, 'reconciled');
    return r;
  }

  private async events(acct: Account, now: number, r: ReconcileReport, stop: () => boolean): Promise<void> {
    const { store, gw } = this.d;
    const key = `reconcile:events:${acct.id}`;
    const cursor = store.meta.get(key);
    const since = cursor ? Number(cursor) - OVERLAP_SEC : Math.floor((now - FIRST_LOOKBACK_MS) / 1000);
    let newest = cursor ? Number(cursor) : since;
    for await (const { page } of gw.events.listAll(
      { created: { gte: since }, types: [...WEBHOOK_EVENTS], limit: 100 },
      this.d.ctxFor(acct.id),
    )) {
      // One transaction per page, not one per event.
      store.tx(() => {
        for (const e of page) {
          r.eventsSeen++;
          newest = Math.max(newest, e.created);
          // Nearly every one came by webhook already: a lookup by id, not a serialisation and an insert.
          if (store.events.get(e.id)) continue;
          const f = eventFacts(e);
          const inserted = store.events.insertIfNew({
            id: f.id,
            type: f.type,
            accountId: f.account ?? (acct.kind === 'connected' ? acct.id : null),
            objectId: f.objectId,
            created: f.created,
            raw: JSON.stringify(e),
          });
          if (inserted) r.eventsInserted++;
        }
      });
      // Events come newest first: the cursor may move only once the whole listing is read.
      if (stop()) return;
    }
    store.meta.set(key, String(newest));
  }

  private async openInvoices(
    acct: Account,
    settings: Settings,
    createdGte: number,
    r: ReconcileReport,
    stop: () => boolean,
  ): Promise<Set<string>> {
    const open = new Set<string>();
    const skipped = this.finalSkips.get(acct.id) ?? new Set<string>();
    let complete = true;
    const params = {
      status: 'open' as const,
      collection_method: 'charge_automatically' as const,
      created: { gte: createdGte },
      limit: 100,
    };
    for await (const { page } of this.d.gw.invoices.listAll(params, this.d.ctxFor(acct.id))) {
      if (stop()) {
        complete = false;
        break;
      }
      for (const inv of page) {
        r.invoicesSeen++;
        open.add(inv.id);
        if (inv.attempt_count < 1 || skipped.has(inv.id)) continue;
        // The listing carries the billing reason: intake would skip this one too (skipReason).
        if (inv.billing_reason === 'subscription_create' && !settings.includeSubscriptionCreate) continue;
        if (this.d.store.cases.getByInvoice(inv.id, acct.id)) continue;
        try {
          const o = await this.d.intake(inv.id, acct.id, 'reconciler');
          this.d.store.tx(() => o.apply());
          if (o.plan.kind === 'new') r.casesOpened++;
          if (o.plan.kind === 'skip' && FINAL_SKIPS.has(o.plan.reason)) skipped.add(inv.id);
        } catch (e) {
          this.d.logger.warn(
            { invoice: inv.id, err: (e as Error).message },
            'reconciler could not open a case; next run retries',
          );
        }
      }
    }
    if (complete) for (const id of skipped) if (!open.has(id)) skipped.delete(id);
    this.finalSkips.set(acct.id, skipped);
    return open;
  }

  /** An active case whose invoice left the open list: read it and end the case accordingly. */
  private async settle(c: Case, settings: Settings): Promise<boolean> {
    const { store } = this.d;
    // An attempt of ours was in flight (a daemon died during the call): it may be what paid the
    // invoice. The executor resolves it first, with the same idempotency key; settling now would
    // book our own recovery as the customer's.
    if (store.attempts.pendingForCase(c.id)?.startedAt != null) return false;
    let inv;
    try {
      inv = await readInvoice(this.d.gw, c.invoiceId, this.d.ctxFor(c.accountId));
    } catch (e) {
      this.d.logger.warn({ invoice: c.invoiceId, err: (e as Error).message }, 'reconciler could not read an invoice');
      return false;
    }
    const at = this.d.now();
    if (inv.status === 'paid') {
      const by = paidByUs(store, c)
        ? 'recover'
        : recoverRetries(c.arm, settings) && c.pausedStripe
          ? 'customer'
          : 'stripe';
      const done = store.tx(() => recordRecovery(store, c, { at, by, amount: inv.amount_paid }));
      if (done)
        this.d.recovered({ caseId: c.id, invoiceId: c.invoiceId, by, amount: inv.amount_paid, currency: c.currency });
      return done;
    }
    if (inv.status === 'void' || inv.status === 'uncollectible') {
      const lost = inv.status === 'uncollectible' && c.status === 'observing';
      return store.tx(() =>
        closeCase(store, c, {
          at,
          status: lost ? 'lost' : 'closed',
          kind: lost ? 'stripe_dunning_over' : `invoice_${inv.status}`,
          reason: `Found by the reconciler: the invoice is ${inv.status}.`,
        }),
      );
    }
    return false;
  }
}

/**
 * Whether the payment that settled the invoice came from one of our attempts: a stored event
 * of the invoice caused by a request with our idempotency key (`recover:<account>:<invoice>:<n>`).
 */
function paidByUs(store: Store, c: Case): boolean {
  const prefix = `recover:${c.accountId}:${c.invoiceId}:`;
  for (const e of store.events.listForObject(c.invoiceId)) {
    if (e.type !== 'invoice.paid' && e.type !== 'invoice.payment_succeeded') continue;
    if (eventFacts(JSON.parse(e.raw)).idempotencyKey?.startsWith(prefix)) return true;
  }
  return false;
}
