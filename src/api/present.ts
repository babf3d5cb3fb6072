/**
 * The customer-present charge (`customerPresent: true`): a person waits on the merchant's page,
 * so recover charges at once, on-session (no `off_session`), within the HTTP call, and answers
 * the outcome. The attempt was leased and marked started in the intake's transaction; the charge
 * uses the attempt's idempotency key, so a crash mid-call is resumed by the daemon with the same
 * key and can never charge twice. A decline the customer can fix comes back with a Checkout
 * setup link (one hour) and `recommendedAction: "request_card_update"`.
 */
import type { Settings } from '../config/settings.js';
import { declineOf, writeDecline, writeSuccess, type OutcomeDeps } from '../daemon/attempt-outcomes.js';
import type { Answer } from './actions.js';
import { API_ACCOUNT } from './intake.js';
import { createCardUpdateLink } from './setup-sessions.js';
import type { RecoveryService } from './service.js';
import { buildView, customerFixable, recoveryId } from './view.js';

/** How long the card-update link stays valid, seconds (issue 16 §2: one hour; Stripe allows 30 min–24 h). */
export const CARD_UPDATE_TTL_SEC = 3600;

type Remember = (status: number, body: unknown, caseId: number | null) => void;

export async function chargePresent(
  s: RecoveryService,
  caseId: number,
  attemptId: number,
  settings: Settings,
  remember: Remember,
): Promise<Answer> {
  const { store, owner, logger } = s.d;
  const gw = s.d.gateway()!;
  const c = store.cases.get(caseId)!;
  const a = store.attempts.get(attemptId)!;
  const r = store.apiRecoveries.get(caseId)!;
  const out: OutcomeDeps = { store, policy: s.d.policy, owner, settings };
  let res;
  try {
    res = await gw.paymentIntents.create({
      amount: c.amountDue,
      currency: c.currency,
      customer: r.stripeCustomer,
      paymentMethod: c.paymentMethodId ?? r.paymentMethod,
      offSession: false,
      idempotencyKey: a.idempotencyKey!,
      metadata: { recover_recovery: recoveryId(caseId), recover_invoice: c.invoiceId },
    });
  } catch (e) {
    // Stripe unavailable: the attempt stays started and leased; the daemon resumes it with the same key.
    logger.warn({ err: (e as Error).message, recovery: recoveryId(caseId) }, 'customer-present charge failed');
    const view = buildView(store, store.cases.get(caseId)!, r);
    return { status: 202, body: view, caseId };
  }
  const now = s.now();
  let cardUpdateUrl: string | undefined;
  let fixable = false;
  if (res.ok) {
    writeSuccess(out, a, c, { at: now, amount: c.amountDue, chargeId: res.chargeId });
  } else if ('decline' in res) {
    const dec = declineOf(res.decline);
    fixable = customerFixable(dec.declineCode);
    if (fixable) cardUpdateUrl = await cardUpdateLink(s, settings, r.stripeCustomer, c, now);
    writeDecline(out, a, c, dec, now);
  } else {
    // On-session 3D Secure: the customer must authenticate on the merchant's page (Stripe's next_action).
    const dec = { declineCode: 'authentication_required', adviceCode: null, networkAdviceCode: null };
    writeDecline(out, a, c, { ...dec, networkDeclineCode: null, chargeId: null, requiresAction: true }, now);
  }
  return store.tx(() => {
    const ended = store.cases.get(caseId)!;
    const view = { ...buildView(store, ended, r), ...(cardUpdateUrl ? { cardUpdateUrl } : {}) };
    if (fixable) view.recommendedAction = 'request_card_update';
    const status = view.status === 'succeeded' ? 200 : view.status === 'scheduled' ? 202 : 200;
    remember(status, view, caseId);
    return { status, body: view, caseId };
  });
}

/** The link is recorded and polled (setup-sessions.ts): completing it re-plans the customer's cases. */
async function cardUpdateLink(
  s: RecoveryService,
  settings: Settings,
  customer: string,
  c: { id: number; currency: string; invoiceId: string },
  now: number,
): Promise<string | undefined> {
  const d = { store: s.d.store, gw: s.d.gateway()!, settings, now, logger: s.d.logger };
  const url = await createCardUpdateLink(d, {
    platform: 'api',
    accountId: API_ACCOUNT,
    customer,
    currency: c.currency,
    purpose: 'declined',
    caseIds: [c.id],
    ttlSec: CARD_UPDATE_TTL_SEC,
    metadata: { recover_recovery: recoveryId(c.id), recover_invoice: c.invoiceId },
  });
  return url ?? undefined;
}
