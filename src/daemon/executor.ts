/**
 * Runs one claimed attempt: the platform's check on a fresh read (src/connectors/types.ts) → mark
 * started (the point after which a crash means "maybe charged") → the platform's charge with the
 * attempt's idempotency key `recover:<account>:<invoice>:<n>` → one transaction with the outcome
 * and the next decision. Platform-neutral: the connector of `case.platform` does the calls.
 *
 * An attempt that was already started (the daemon died or timed out mid-call) skips the check
 * and charges again with the SAME key: the platform replays the first result if the first call
 * went through, and a charge can never happen twice. Transient failures (5xx, timeouts, 429
 * after the gateway's own retries) give the attempt back with started_at kept, for the same.
 */
import type { Settings } from '../config/settings.js';
import { settingsForPlatform } from '../connectors/settings.js';
import type { ChargeConnector, ConnectorFor } from '../connectors/types.js';
import { isTerminalStatus, type Attempt, type Case, type Store } from '../db/index.js';
import type { Logger } from '../log.js';
import {
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
import type { AttemptReport } from './types.js';
import { declineFacts } from '../decline.js';

export interface ExecutorDeps {
  store: Store;
  /** The connector of each platform this daemon serves. */
  connectorFor: ConnectorFor;
  policy: PolicyContext;
  logger: Logger;
  owner: string;
  leaseMs: number;
  now(): number;
  /** Checked just before each charge: the daemon still holds the single-daemon lease. Default: yes. */
  mayCharge?(): boolean;
}

/**
 * An attempt begun in live mode, found while in shadow mode, is given back for this long (clock
 * ms): only a live run may resolve it (with the same key), and the mode changes rarely.
 */
const LIVE_MODE_WAIT_MS = 3_600_000;
/**
 * Resolving from the platform, a charge created up to this long (clock ms) before our recorded
 * start is still that call's: the platform's clock and ours may differ by a little, never by a minute.
 */
const CLOCK_SKEW_MS = 60_000;
/** A case of a platform this daemon has no connector for waits this long (clock ms) before it is looked at again. */
const NO_CONNECTOR_WAIT_MS = 3_600_000;

type Report = (c: Case | undefined, o: AttemptReport['outcome'], next: string, code?: string | null) => AttemptReport;

export class AttemptExecutor {
  constructor(private readonly d: ExecutorDeps) {}

  async run(a: Attempt, shared: Settings): Promise<AttemptReport> {
    const { store } = this.d;
    const c = store.cases.get(a.caseId);
    // A Recharge store has its own mode and baseline (src/connectors/settings.ts).
    const settings = c ? settingsForPlatform(shared, c.platform) : shared;
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
    const conn = this.d.connectorFor(c.platform);
    if (!conn) {
      store.attempts.release(a.id, this.d.owner, this.d.now() + NO_CONNECTOR_WAIT_MS);
      this.d.logger.warn({ invoice: c.invoiceId, platform: c.platform }, 'no connector for the platform of this case');
      return report(c, 'released', `waits: this daemon does not serve platform ${c.platform}`);
    }
    let amount: number | undefined;
    if (!resumed) {
      let verdict;
      try {
        verdict = await conn.check(c, a, { newCard: this.newCardSince(c) });
      } catch (e) {
        return this.failed(conn, a, c, e, out, report, false);
      }
      if (!verdict.ok && verdict.kind === 'ask_later') {
        const at = this.d.now() + verdict.retryInMs;
        store.attempts.release(a.id, this.d.owner, at);
        this.d.logger.warn(
          { invoice: c.invoiceId, attempt: a.n, retryAt: new Date(at).toISOString() },
          `attempt not charged: ${verdict.reason}`,
        );
        return report(c, 'released', `ask again at ${new Date(at).toISOString()}`);
      }
      if (!verdict.ok) {
        const w = writeSkip(out, a, c, verdict, this.d.now());
        return this.done(report(c, 'skipped', w.next), w, c);
      }
      amount = verdict.amount;
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
    if (resumed && t - a.startedAt! > conn.replayWindowMs) return this.resolveFromPlatform(conn, a, c, out, report);
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
      result = await conn.charge(c, a, { idempotencyKey: a.idempotencyKey!, amount });
    } catch (e) {
      return this.failed(conn, a, c, e, out, report, true);
    }
    const at = this.d.now();
    if (result.ok) {
      const w = writeSuccess(out, a, c, { at, amount: result.amount, chargeId: result.chargeId });
      return this.done(report(c, 'succeeded', w.next), w, c);
    }
    const w = writeDecline(out, a, c, result.decline, at);
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
   * An attempt interrupted beyond the replay window: the item's latest charge, if made after the
   * call started and not already recorded, is that call's result; no charge means the call never
   * reached the platform, and the policy decides a new attempt (a new number, a new key).
   */
  private async resolveFromPlatform(
    conn: ChargeConnector,
    a: Attempt,
    c: Case,
    out: OutcomeDeps,
    report: Report,
  ): Promise<AttemptReport> {
    let ch;
    try {
      ch = await conn.latestCharge(c);
    } catch (e) {
      return this.failed(conn, a, c, e, out, report, false);
    }
    const ours = ch && ch.at >= a.startedAt! - CLOCK_SKEW_MS && !this.d.store.attempts.getByChargeId(ch.chargeId);
    this.d.logger.warn(
      { invoice: c.invoiceId, attempt: a.n, charge: ours ? ch!.chargeId : null },
      'attempt interrupted beyond the idempotency window: resolved from the platform, not replayed',
    );
    if (ch && ours && ch.succeeded) {
      const w = writeSuccess(out, a, c, { at: ch.at, amount: ch.amount, chargeId: ch.chargeId });
      return this.done(report(c, 'succeeded', w.next), w, c);
    }
    if (ch && ours && ch.decline) {
      const dec = ch.decline;
      const input = {
        ...declineFacts(dec),
        chargeId: ch.chargeId,
        requiresAction: dec.declineCode === 'authentication_required',
      };
      const w = writeDecline(out, a, c, input, ch.at);
      return report(c, 'declined', w.next, dec.declineCode ?? null);
    }
    const where = conn.platform === 'recharge' ? 'Recharge' : 'Stripe';
    const why =
      conn.replayWindowMs > 0
        ? `interrupted more than ${Math.round(conn.replayWindowMs / 3_600_000)} h ago and no charge of it reached ${where}`
        : `interrupted, and no charge of it reached ${where}`;
    const w = writeError(out, a, c, why, this.d.now(), 'redecide');
    return report(c, 'error', w.next);
  }

  /** A payment method arrived after the last decline (see checkRetryable). */
  private newCardSince(c: Case): boolean {
    const last = c.lastFailedAt ?? 0;
    return this.d.store.decisions.listForCase(c.id).some((x) => x.kind === 'card_update' && x.at >= last);
  }

  private failed(
    conn: ChargeConnector,
    a: Attempt,
    c: Case,
    e: unknown,
    out: OutcomeDeps,
    report: Report,
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
    switch (conn.classify(e)) {
      case 'in_flight':
        return giveBack('the same attempt is still in flight at the platform', backoffDelayMs(1));
      case 'retryable':
        return giveBack(`${conn.platform} unavailable`, backoffDelayMs(a.tries + 1));
      case 'operator':
        return giveBack(`${conn.platform} refused the credentials`, OPERATOR_WAIT_MS);
      case 'item_missing':
        return report(c, 'error', writeError(out, a, c, message, now, { close: 'invoice_missing' }).next);
      case 'refused':
        // e.g. the invoice was paid or voided in between; the next read settles the case.
        return report(c, 'error', writeError(out, a, c, message, now, 'redecide').next);
      case 'unknown':
        break;
    }
    this.d.logger.error({ invoice: c.invoiceId, attempt: a.n, err: message, charging }, 'attempt failed unexpectedly');
    return giveBack('unexpected error', backoffDelayMs(a.tries + 1));
  }
}
