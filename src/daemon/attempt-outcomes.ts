/**
 * Writing an attempt's outcome: each function is ONE transaction holding the attempt's finish,
 * the case's new facts, card counters, learned statistics and the next decision with its
 * reason. A crash before it commits leaves the attempt started-but-unfinished, which a restart
 * resolves by calling Stripe again with the same idempotency key.
 */
import type { Settings } from '../config/settings.js';
import type { Attempt, Case, Store } from '../db/index.js';
import { recoverRetries } from '../engine/decision.js';
import type { CardDeclined } from '../stripe/index.js';
import { closeCase, describeDecision, formatMoney, recordRecovery, redecide } from './case-ops.js';
import { learnContextFor, type PolicyContext } from './policy-context.js';
import type { RetryVerdict } from './retry-check.js';
import { declineFacts, lastDeclineOf, type DeclineFacts } from '../decline.js';

export interface OutcomeDeps {
  store: Store;
  policy: PolicyContext;
  owner: string;
  settings: Settings;
}

/** What happened, for the log line and the daemon's `attempt` event. `recovered` is set when the case was recovered now. */
export interface Written {
  finished: boolean;
  next: string;
  recovered?: { by: 'recover' | 'customer' | 'stripe'; amount: number };
}

/** Stripe's decline code, as the policy reads it (`card_declined` is only the coarse code). */
export function declineCodeOf(e: CardDeclined): string | null {
  return e.declineCode ?? (e.code && e.code !== 'card_declined' ? e.code : null);
}

export function writeSuccess(
  d: OutcomeDeps,
  a: Attempt,
  c: Case,
  o: { at: number; amount: number; chargeId: string | null },
): Written {
  let remember: (() => void) | undefined;
  const w = d.store.tx((): Written => {
    if (
      !d.store.attempts.finish(a.id, d.owner, {
        outcome: 'succeeded',
        at: o.at,
        chargeId: o.chargeId,
        amount: o.amount,
        currency: c.currency,
      })
    ) {
      return { finished: false, next: 'already finished elsewhere' };
    }
    if (c.cardFingerprint) {
      d.store.cards.recordAttempt({
        fingerprint: c.cardFingerprint,
        at: o.at,
        amount: o.amount,
        currency: c.currency,
        declined: false,
        chargeId: o.chargeId,
        attemptId: a.id,
      });
    }
    const learnAs = learnContextFor(d.store, a);
    if (learnAs) remember = d.policy.learn({ ...learnAs, at: o.at }, true);
    const fresh = d.store.cases.get(c.id)!;
    const now = recordRecovery(d.store, fresh, { at: o.at, by: 'recover', amount: o.amount });
    return { finished: true, next: 'recovered', recovered: now ? { by: 'recover', amount: o.amount } : undefined };
  });
  remember?.();
  return w;
}

/** A decline as the executor learned it: from the `pay` answer, or read back from the charge. */
export interface DeclineInput extends DeclineFacts {
  chargeId: string | null;
  requiresAction: boolean;
}

export function declineOf(e: CardDeclined): DeclineInput {
  return {
    ...declineFacts(e),
    declineCode: declineCodeOf(e),
    chargeId: e.chargeId ?? null,
    requiresAction: e.requiresAction,
  };
}

export function writeDecline(d: OutcomeDeps, a: Attempt, c: Case, dec: DeclineInput, at: number): Written {
  let remember: (() => void) | undefined;
  const w = d.store.tx((): Written => {
    const codes = { ...declineFacts(dec), chargeId: dec.chargeId };
    if (
      !d.store.attempts.finish(a.id, d.owner, {
        outcome: 'declined',
        at,
        amount: c.amountDue,
        currency: c.currency,
        ...codes,
      })
    ) {
      return { finished: false, next: 'already finished elsewhere' };
    }
    d.store.cases.update(c.id, {
      lastFailedAt: at,
      ...lastDeclineOf(codes),
      lastChargeId: codes.chargeId,
    });
    if (c.cardFingerprint) {
      d.store.cards.recordAttempt({
        fingerprint: c.cardFingerprint,
        at,
        amount: c.amountDue,
        currency: c.currency,
        declined: true,
        declineCode: codes.declineCode,
        networkAdviceCode: codes.networkAdviceCode,
        chargeId: codes.chargeId,
        attemptId: a.id,
      });
    }
    const learnAs = learnContextFor(d.store, a);
    if (learnAs) remember = d.policy.learn({ ...learnAs, at }, false);
    if (dec.requiresAction) {
      waitForCustomer(
        d.store,
        c,
        at,
        `Attempt ${a.n} needs the customer to authenticate (3D Secure); no off-session retry until they do or a new card arrives.`,
      );
      return { finished: true, next: 'wait: needs_customer_action' };
    }
    return { finished: true, next: describeDecision(redecide(d.store, d.policy, c.id, d.settings, at)) };
  });
  remember?.();
  return w;
}

export function waitForCustomer(store: Store, c: Case, at: number, reason: string): void {
  store.cases.setStatus(c.id, 'needs_customer_action', {
    at,
    onlyFrom: ['in_dunning', 'waiting_card_update', 'needs_customer_action'],
  });
  store.attempts.cancelPending(c.id, at, 'needs customer action');
  store.decisions.add({ caseId: c.id, at, action: 'wait', kind: 'needs_customer_action', reason });
}

/** The retry-status check said no: nothing was charged; record why and act on what it found. */
export function writeSkip(
  d: OutcomeDeps,
  a: Attempt,
  c: Case,
  v: Exclude<RetryVerdict, { ok: true } | { kind: 'ask_later' }>,
  at: number,
): Written {
  return d.store.tx((): Written => {
    if (!d.store.attempts.finish(a.id, d.owner, { outcome: 'skipped', at, note: v.reason }))
      return { finished: false, next: 'already finished elsewhere' };
    d.store.decisions.add({
      caseId: c.id,
      at,
      action: 'skip',
      kind: v.kind,
      reason: `Attempt ${a.n} skipped before charging: ${v.reason}.`,
      attemptId: a.id,
    });
    const fresh = d.store.cases.get(c.id)!;
    switch (v.kind) {
      case 'paid': {
        // recover paused Stripe's retries on this invoice, so someone else paid it: the customer.
        const by = recoverRetries(c.arm, d.settings) && c.pausedStripe ? 'customer' : 'stripe';
        const now = recordRecovery(d.store, fresh, { at, by, amount: v.amountPaid });
        return { finished: true, next: 'recovered', recovered: now ? { by, amount: v.amountPaid } : undefined };
      }
      case 'not_open':
        closeCase(d.store, fresh, {
          at,
          status: 'closed',
          kind: `invoice_${v.status}`,
          reason: `The invoice is ${v.status}; dunning stops.`,
        });
        return { finished: true, next: `stop: invoice_${v.status}` };
      case 'subscription_gone':
        closeCase(d.store, fresh, {
          at,
          status: 'closed',
          kind: 'subscription_canceled',
          reason: `Dunning stops: ${v.reason}.`,
        });
        return { finished: true, next: 'stop: subscription_canceled' };
      case 'other_installation':
        // A second copy of this database (or another installation) manages it: never charge it here.
        closeCase(d.store, fresh, {
          at,
          status: 'closed',
          kind: 'other_installation',
          reason: `Dunning stops here: ${v.reason}.`,
        });
        return { finished: true, next: 'stop: other_installation' };
      case 'merchant_declined':
        closeCase(d.store, fresh, {
          at,
          status: 'closed',
          kind: 'merchant_declined',
          reason: `Dunning stops: the merchant's retry-status check said no (${v.reason}).`,
        });
        return { finished: true, next: 'stop: merchant_declined' };
      case 'needs_customer_action':
        waitForCustomer(d.store, fresh, at, `Dunning waits: ${v.reason}.`);
        return { finished: true, next: 'wait: needs_customer_action' };
      case 'amount_changed':
        d.store.cases.update(c.id, { amountDue: v.amountDue });
        return { finished: true, next: describeDecision(redecide(d.store, d.policy, c.id, d.settings, at)) };
    }
  });
}

/** Shadow mode: everything but the charge. The would-be attempt is recorded, and the schedule moves on. */
export function writeShadow(d: OutcomeDeps, a: Attempt, c: Case, at: number): Written {
  return d.store.tx((): Written => {
    const note = `shadow mode: would have charged ${formatMoney(c.amountDue, c.currency)}`;
    if (
      !d.store.attempts.finish(a.id, d.owner, {
        outcome: 'shadow',
        at,
        amount: c.amountDue,
        currency: c.currency,
        note,
      })
    )
      return { finished: false, next: 'already finished elsewhere' };
    d.store.decisions.add({
      caseId: c.id,
      at,
      action: 'note',
      kind: 'shadow',
      attemptId: a.id,
      reason: `Shadow mode: attempt ${a.n} would have charged ${formatMoney(c.amountDue, c.currency)} now; nothing was charged. The next decision assumes it was declined like the last one.`,
    });
    return { finished: true, next: describeDecision(redecide(d.store, d.policy, c.id, d.settings, at)) };
  });
}

/** A non-decline failure that will not be retried under this attempt number (e.g. Stripe refused the request). */
export function writeError(
  d: OutcomeDeps,
  a: Attempt,
  c: Case,
  message: string,
  at: number,
  then: 'redecide' | { close: string },
): Written {
  return d.store.tx((): Written => {
    if (!d.store.attempts.finish(a.id, d.owner, { outcome: 'error', at, note: message.slice(0, 500) }))
      return { finished: false, next: 'already finished elsewhere' };
    d.store.decisions.add({
      caseId: c.id,
      at,
      action: 'note',
      kind: 'attempt_error',
      attemptId: a.id,
      reason: `Attempt ${a.n} failed without a decline: ${message.slice(0, 300)}`,
    });
    const fresh = d.store.cases.get(c.id)!;
    if (then !== 'redecide') {
      closeCase(d.store, fresh, {
        at,
        status: 'closed',
        kind: then.close,
        reason: `Dunning stops: ${message.slice(0, 200)}`,
      });
      return { finished: true, next: `stop: ${then.close}` };
    }
    return { finished: true, next: describeDecision(redecide(d.store, d.policy, c.id, d.settings, at)) };
  });
}

/** The case ended while the attempt waited: nothing to do. */
export function writeCanceled(d: OutcomeDeps, a: Attempt, at: number, why: string): Written {
  return {
    finished: d.store.attempts.finish(a.id, d.owner, { outcome: 'canceled', at, note: why }),
    next: 'none (case ended)',
  };
}
