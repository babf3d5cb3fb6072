/**
 * Runs one claimed attempt: retry-status check on a fresh read → mark started (the point after
 * which a crash means "maybe charged") → `invoices.pay` with the attempt's idempotency key
 * `recover:<account>:<invoice>:<n>` → one transaction with the outcome and the next decision.
 *
 * An attempt that was already started (the daemon died or timed out mid-call) skips the check
 * and calls `pay` again with the SAME key: Stripe replays the first result if the first call
 * went through, and a charge can never happen twice. Transient failures (5xx, timeouts, 429
 * after the gateway's own retries) give the attempt back with started_at kept, for the same.
 */
import type { Settings } from '../config/settings.js';
import { isTerminalStatus, type Attempt, type Case, type Store } from '../db/index.js';
import type { Logger } from '../log.js';
import {
  IdempotencyConflict,
  InvalidRequest,
  isRetryable,
  needsOperator,
  NotFound,
  type CallContext,
  type Invoice,
  type PaymentIntent,
  type StripeGateway,
} from '../stripe/index.js';
import {
  declineOf,
  writeCanceled,
  writeDecline,
  writeError,
  writeShadow,
  writeSkip,
  writeSuccess,
  type OutcomeDeps,
  type Written,
} from './attempt-outcomes.js';
import { backoffDelayMs, OPERATOR_WAIT_MS } from './backoff.js';
import type { PolicyContext } from './policy-context.js';
import { checkRetryable } from './retry-check.js';
import { readInvoice, readLatestCharge } from './stripe-read.js';
import type { AttemptReport } from './types.js';
import { declineFacts } from '../decline.js';

/**
 * Stripe keeps an idempotency key 24 h. An attempt interrupted longer ago than this (clock ms)
 * is not replayed — the key may have expired, and a "replay" could then charge again — but
 * resolved from Stripe's state: the charge the call made, if any.
 */
export const REPLAY_WINDOW_MS = 23 * 3_600_000;

/** Expanded on `pay` so the charge id comes back with the invoice. Constant: a resumed call must send the same parameters. */
const PAY_EXPAND = ['payments.data.payment.payment_intent'];

export interface ExecutorDeps {
  store: Store;
  gw: StripeGateway;
  policy: PolicyContext;
  logger: Logger;
  owner: string;
  leaseMs: number;
  now(): number;
  ctxFor(accountId: string): CallContext | undefined;
  /** Checked just before each charge: the daemon still holds the single-daemon lease. Default: yes. */
  mayCharge?(): boolean;
  /** Ours; an invoice whose metadata names another installation is never charged. */
  installationId?: string;
}

/**
 * An attempt begun in live mode, found while in shadow mode, is given back for this long (clock
 * ms): only a live run may resolve it (with the same key), and the mode changes rarely.
 */
const LIVE_MODE_WAIT_MS = 3_600_000;
/**
 * Resolving from Stripe, a charge created up to this long (clock ms) before our recorded start
 * is still that call's: Stripe's clock and ours may differ by a little, never by a minute.
 */
const CLOCK_SKEW_MS = 60_000;

function chargeIdOf(inv: Invoice): string | null {
  const payments = [...(inv.payments?.data ?? [])].sort((a, b) => a.created - b.created);
  const pi = payments[payments.length - 1]?.payment?.payment_intent;
  if (!pi || typeof pi !== 'object') return null;
  const ch = (pi as PaymentIntent).latest_charge;
  return ch ? (typeof ch === 'string' ? ch : ch.id) : null;
}

export class AttemptExecutor {
  constructor(private readonly d: ExecutorDeps) {}

  async run(a: Attempt, settings: Settings): Promise<AttemptReport> {
    const { store } = this.d;
    const c = store.cases.get(a.caseId);
    const resumed = a.startedAt !== null;
    const out: OutcomeDeps = { store, policy: this.d.policy, owner: this.d.owner, settings };
    const report = (
      c0: Case | undefined,
      outcome: AttemptReport['outcome'],
      next: string,
      declineCode: string | null = null,
    ): AttemptReport => ({
      caseId: a.caseId,
      invoiceId: c0?.invoiceId ?? '?',
      accountId: c0?.accountId ?? '?',
      n: a.n,
      outcome,
      declineCode,
      next,
      resumed,
    });
    if (!c || (isTerminalStatus(c.status) && !resumed)) {
      writeCanceled(out, a, this.d.now(), 'the case ended before the attempt ran');
      return report(c, 'canceled', 'none (case ended)');
    }
    const ctx = this.d.ctxFor(c.accountId);
    if (!resumed) {
      let inv: Invoice;
      try {
        inv = await readInvoice(this.d.gw, c.invoiceId, ctx);
      } catch (e) {
        return this.failed(a, c, e, out, report, false);
      }
      const verdict = checkRetryable(c, inv, { newCard: this.newCardSince(c), installationId: this.d.installationId });
      if (!verdict.ok) {
        const w = writeSkip(out, a, c, verdict, this.d.now());
        return this.done(report(c, 'skipped', w.next), w, c);
      }
      if (settings.mode === 'shadow') return report(c, 'shadow', writeShadow(out, a, c, this.d.now()).next);
    } else if (settings.mode === 'shadow') {
      // Started in live mode, then switched to shadow: only a live run may resolve it (same key).
      store.attempts.release(a.id, this.d.owner, this.d.now() + LIVE_MODE_WAIT_MS);
      this.d.logger.warn(
        { invoice: c.invoiceId, attempt: a.n },
        'an attempt interrupted in live mode waits for live mode to be resolved',
      );
      return report(c, 'released', 'waits for live mode');
    }
    const t = this.d.now();
    if (resumed && t - a.startedAt! > REPLAY_WINDOW_MS) return this.resolveFromStripe(a, c, out, report);
    if (this.d.mayCharge && !this.d.mayCharge()) {
      store.attempts.release(a.id, this.d.owner);
      return report(c, 'released', 'this daemon no longer holds the database lock');
    }
    store.attempts.renew(a.id, this.d.owner, t + this.d.leaseMs);
    if (!store.attempts.markStarted(a.id, this.d.owner, t))
      return report(c, 'released', 'lease lost to another daemon');
    this.d.logger.debug({ invoice: c.invoiceId, attempt: a.n, resumed }, 'charging');
    this.onCharging?.({ caseId: c.id, invoiceId: c.invoiceId, n: a.n, resumed });
    let result;
    try {
      result = await this.d.gw.invoices.pay(
        c.invoiceId,
        { idempotencyKey: a.idempotencyKey!, expand: PAY_EXPAND },
        ctx,
      );
    } catch (e) {
      return this.failed(a, c, e, out, report, true);
    }
    const at = this.d.now();
    if (result.ok) {
      const inv = result.invoice;
      const w = writeSuccess(out, a, c, { at, amount: inv.amount_paid || c.amountDue, chargeId: chargeIdOf(inv) });
      return this.done(report(c, 'succeeded', w.next), w, c);
    }
    const w = writeDecline(out, a, c, declineOf(result.decline), at);
    return report(c, 'declined', w.next, store.attempts.get(a.id)?.declineCode ?? null);
  }

  private done(r: AttemptReport, w: Written, c: Case): AttemptReport {
    if (w.recovered)
      this.onRecovered?.({
        caseId: c.id,
        invoiceId: c.invoiceId,
        by: w.recovered.by,
        amount: w.recovered.amount,
        currency: c.currency,
      });
    return r;
  }

  /** Set by the daemon. */
  onCharging?: (r: { caseId: number; invoiceId: string; n: number; resumed: boolean }) => void;
  /** Set by the daemon. */
  onRecovered?: (r: {
    caseId: number;
    invoiceId: string;
    by: 'recover' | 'customer' | 'stripe';
    amount: number;
    currency: string;
  }) => void;

  /**
   * An attempt interrupted beyond the replay window: the invoice's latest charge, if made after
   * the call started and not already recorded, is that call's result; no charge means the call
   * never reached Stripe, and the policy decides a new attempt (a new number, a new key).
   */
  private async resolveFromStripe(
    a: Attempt,
    c: Case,
    out: OutcomeDeps,
    report: (c: Case, o: AttemptReport['outcome'], next: string, code?: string | null) => AttemptReport,
  ): Promise<AttemptReport> {
    let ch;
    try {
      ch = await readLatestCharge(this.d.gw, c.invoiceId, this.d.ctxFor(c.accountId));
    } catch (e) {
      return this.failed(a, c, e, out, report, false);
    }
    const ours = ch && ch.at >= a.startedAt! - CLOCK_SKEW_MS && !this.d.store.attempts.getByChargeId(ch.chargeId);
    this.d.logger.warn(
      { invoice: c.invoiceId, attempt: a.n, charge: ours ? ch!.chargeId : null },
      'attempt interrupted beyond the idempotency window: resolved from Stripe, not replayed',
    );
    if (ch && ours && ch.succeeded) {
      const w = writeSuccess(out, a, c, { at: ch.at, amount: ch.amount, chargeId: ch.chargeId });
      return this.done(report(c, 'succeeded', w.next), w, c);
    }
    if (ch && ours && ch.decline) {
      const dec = ch.decline;
      const w = writeDecline(
        out,
        a,
        c,
        {
          ...declineFacts(dec),
          chargeId: ch.chargeId,
          requiresAction: dec.declineCode === 'authentication_required',
        },
        ch.at,
      );
      return report(c, 'declined', w.next, dec.declineCode ?? null);
    }
    const w = writeError(
      out,
      a,
      c,
      'interrupted more than 23 h ago and no charge of it reached Stripe',
      this.d.now(),
      'redecide',
    );
    return report(c, 'error', w.next);
  }

  /** A payment method arrived after the last decline (see checkRetryable). */
  private newCardSince(c: Case): boolean {
    const last = c.lastFailedAt ?? 0;
    return this.d.store.decisions.listForCase(c.id).some((x) => x.kind === 'card_update' && x.at >= last);
  }

  private failed(
    a: Attempt,
    c: Case,
    e: unknown,
    out: OutcomeDeps,
    report: (c: Case, o: AttemptReport['outcome'], next: string) => AttemptReport,
    charging: boolean,
  ): AttemptReport {
    const now = this.d.now();
    const message = (e as Error).message ?? String(e);
    const giveBack = (why: string, delay: number) => {
      const at = now + delay;
      this.d.store.attempts.release(a.id, this.d.owner, at);
      this.d.logger.warn(
        { invoice: c.invoiceId, attempt: a.n, err: message, retryAt: new Date(at).toISOString() },
        `attempt given back: ${why}`,
      );
      return report(c, 'released', `retry same attempt at ${new Date(at).toISOString()}`);
    };
    if (e instanceof IdempotencyConflict && e.retryable) {
      return giveBack('the same attempt is still in flight at Stripe', backoffDelayMs(1));
    }
    if (isRetryable(e)) return giveBack('Stripe unavailable', backoffDelayMs(a.tries + 1));
    if (needsOperator(e)) return giveBack('Stripe refused the key', OPERATOR_WAIT_MS);
    if (e instanceof NotFound) {
      const w = writeError(out, a, c, message, now, { close: 'invoice_missing' });
      return report(c, 'error', w.next);
    }
    if (e instanceof InvalidRequest) {
      // e.g. the invoice was paid or voided in between; the next read settles the case.
      const w = writeError(out, a, c, message, now, 'redecide');
      return report(c, 'error', w.next);
    }
    this.d.logger.error({ invoice: c.invoiceId, attempt: a.n, err: message, charging }, 'attempt failed unexpectedly');
    return giveBack('unexpected error', backoffDelayMs(a.tries + 1));
  }
}
