/**
 * The Recharge side of the charge seam (src/connectors/types.ts): a case is a charge in `error`;
 * `check` re-reads the charge and its subscription; `charge` is `POST /charges/{id}/process`.
 *
 * Never twice, without an idempotency key (Recharge takes none):
 * 1. the executor claims the attempt's lease in a transaction and writes `started_at` before the
 *    call (as for Stripe);
 * 2. `charge` re-reads the charge immediately before the POST and sends it only while the charge
 *    is `error` with no retry of Recharge's own planned (`retry_date` null);
 * 3. `replayWindowMs` is 0: an attempt found started (a crash or a timeout mid-POST) is never
 *    sent again but resolved from the charge's state by the executor (`latestCharge`): each
 *    attempt on a charge is told apart by `charge_attempts` (`rc_<charge>_a<n>`), so a success or
 *    a new decline after the start is that call's, and an unchanged count means it never arrived.
 * Recharge's own retries are off (portal hand-off, verified at onboarding from charge data), and
 * when a charge shows a planned retry anyway (after a card update Recharge retries the next day)
 * recover stands aside until that retry has run, then reads the result: never both.
 */
import type { Attempt, Case } from '../../db/index.js';
import type { ChargeConnector, ChargeOutcome, ErrorClass, LatestCharge, RetryVerdict } from '../types.js';
import type { RechargeClient } from './client.js';
import { RechargeError, RechargeUnavailable } from './errors.js';
import type { RechargeCharge } from './types.js';
import { declineCodeOf, isPaymentErrorType } from './webhooks.js';
import { minorFromDecimal } from '../../money.js';

/** After Recharge's own planned retry time, wait this long (ms) for its result before reading again. */
export const STAND_ASIDE_MARGIN_MS = 3_600_000;

export class ChargeMovedError extends Error {
  override readonly name = 'ChargeMovedError';
}

/** One id per attempt on a charge: Recharge keeps one charge id across its retries. */
export function attemptChargeId(chargeId: string | number, attempts: number): string {
  return `rc_${chargeId}_a${attempts}`;
}

function amountOf(ch: RechargeCharge): number {
  return minorFromDecimal(ch.total_price, ch.currency.toLowerCase());
}

function declineOf(ch: RechargeCharge): ChargeOutcome & { ok: false } {
  const declineCode = declineCodeOf(ch.error_type) ?? 'generic_decline';
  return {
    ok: false,
    decline: {
      declineCode,
      adviceCode: null,
      networkAdviceCode: null,
      networkDeclineCode: null,
      chargeId: attemptChargeId(ch.id, ch.charge_attempts),
      requiresAction: false,
    },
  };
}

export interface RechargeConnectorDeps {
  client: RechargeClient;
  now(): number;
}

export function rechargeConnector(d: RechargeConnectorDeps): ChargeConnector {
  const read = (c: Case) => d.client.getCharge(Number(c.invoiceId));
  /** The charge's state as a verdict, or null when it may be processed. */
  function verdictOf(c: Case, ch: RechargeCharge): Exclude<RetryVerdict, { ok: true }> | null {
    if (ch.status === 'success') {
      return { ok: false, kind: 'paid', reason: `charge ${ch.id} is paid`, amountPaid: amountOf(ch) };
    }
    if (ch.status !== 'error') {
      return { ok: false, kind: 'not_open', reason: `charge ${ch.id} is ${ch.status}`, status: ch.status };
    }
    if (!isPaymentErrorType(ch.error_type)) {
      const reason = `charge ${ch.id} failed for ${ch.error_type}, not a payment error`;
      return { ok: false, kind: 'not_open', reason, status: 'error' };
    }
    const due = amountOf(ch);
    if (due !== c.amountDue) {
      return {
        ok: false,
        kind: 'amount_changed',
        reason: `charge ${ch.id} now totals ${ch.total_price}`,
        amountDue: due,
      };
    }
    const retryAt = ch.retry_date ? Date.parse(ch.retry_date) : NaN;
    if (!Number.isNaN(retryAt)) {
      const wait = Math.max(0, retryAt - d.now()) + STAND_ASIDE_MARGIN_MS;
      const reason = `Recharge plans its own retry of charge ${ch.id} at ${ch.retry_date}: recover stands aside`;
      return { ok: false, kind: 'ask_later', reason, retryInMs: wait };
    }
    return null;
  }
  return {
    platform: 'recharge',
    replayWindowMs: 0,
    async check(c: Case): Promise<RetryVerdict> {
      const ch = await read(c);
      const v = verdictOf(c, ch);
      if (v) return v;
      if (c.subscriptionId) {
        const sub = await d.client.getSubscription(Number(c.subscriptionId));
        if (sub.status !== 'active') {
          return { ok: false, kind: 'subscription_gone', reason: `subscription ${sub.id} is ${sub.status}` };
        }
      }
      return { ok: true };
    },
    async charge(c: Case, _a: Attempt): Promise<ChargeOutcome> {
      // The re-read right before the POST (rule 2): between check and here the charge may have moved.
      const before = await read(c);
      const v = verdictOf(c, before);
      if (v) throw new ChargeMovedError(`not processed: ${v.reason}`);
      const after = await d.client.processCharge(before.id);
      if (after.status === 'success') {
        return { ok: true, amount: amountOf(after), chargeId: attemptChargeId(after.id, after.charge_attempts) };
      }
      if (after.status === 'error') return declineOf(after);
      // queued/pending: the processor has not answered yet; the executor resolves it from state later.
      throw new RechargeUnavailable(
        `charge ${after.id} is ${after.status} after process`,
        { statusCode: 200, method: 'POST', path: '/charges/:id/process', attempts: 1 },
        true,
      );
    },
    async latestCharge(c: Case): Promise<LatestCharge | null> {
      const ch = await read(c);
      if (ch.status !== 'success' && ch.status !== 'error') return null;
      const d0 = ch.status === 'error' ? declineOf(ch).decline : null;
      return {
        chargeId: attemptChargeId(ch.id, ch.charge_attempts),
        at: Date.parse(ch.processed_at ?? ch.updated_at),
        amount: amountOf(ch),
        succeeded: ch.status === 'success',
        decline: d0 && {
          declineCode: d0.declineCode,
          adviceCode: null,
          networkAdviceCode: null,
          networkDeclineCode: null,
        },
      };
    },
    classify: classifyRechargeError,
  };
}

export function classifyRechargeError(e: unknown): ErrorClass {
  if (e instanceof ChargeMovedError) return 'refused';
  if (!(e instanceof RechargeError)) return 'unknown';
  if (e.retryable) return 'retryable';
  if (e.needsOperator) return 'operator';
  if (e.kind === 'not_found') return 'item_missing';
  if (e.kind === 'invalid_request') return 'refused';
  return 'unknown';
}
