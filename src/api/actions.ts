/**
 * The API's other writes: cancel a recovery, a new payment method for a customer, an organic
 * revenue pulse. Each runs in one transaction with its result event and its idempotent answer.
 */
import type { Settings } from '../config/settings.js';
import { isTerminalStatus, type Store } from '../db/index.js';
import { closeCase } from '../daemon/case-ops.js';
import type { PolicyContext } from '../daemon/policy-context.js';
import { ApiError, notFound } from './errors.js';
import { API_ACCOUNT } from './intake.js';
import { replanWithCard } from './setup-sessions.js';
import { buildView, caseIdOf, recoveryId } from './view.js';

export interface Answer {
  status: number;
  body: unknown;
  caseId: number | null;
}
type Remember = (status: number, body: unknown, caseId: number | null) => void;

export function apiCase(store: Store, id: string) {
  const caseId = caseIdOf(id);
  const c = caseId === undefined ? undefined : store.cases.get(caseId);
  if (!c || c.platform !== 'api') throw notFound(`recovery: ${id}`);
  return c;
}

export function cancelRecovery(store: Store, id: string, reason: string | undefined, now: number, remember: Remember) {
  return store.tx((): Answer => {
    const c = apiCase(store, id);
    if (isTerminalStatus(c.status)) {
      const status = buildView(store, c, store.apiRecoveries.get(c.id)).status;
      throw new ApiError(
        400,
        'invalid_request_error',
        'recovery_unexpected_state',
        `recovery ${id} is already ${status}; only a recovery still in progress can be canceled`,
      );
    }
    const why = reason ?? 'canceled by the merchant';
    closeCase(store, c, { at: now, status: 'closed', kind: 'canceled', reason: `Canceled through the API: ${why}.` });
    store.apiRecoveries.setCanceledReason(c.id, why);
    const ended = store.cases.get(c.id)!; // closeCase recorded recovery.canceled
    const view = buildView(store, ended, store.apiRecoveries.get(c.id));
    remember(200, view, c.id);
    return { status: 200, body: view, caseId: c.id };
  });
}

/** A new card: the customer's active API cases are re-planned at once (the Stripe path's card-update rule). */
export function updatePaymentMethod(
  d: { store: Store; policy: PolicyContext; settings: Settings; now: number },
  customerId: string,
  token: string,
  remember: Remember,
) {
  const { store, now } = d;
  return store.tx((): Answer => {
    const cases = store.apiRecoveries
      .listByMerchantCustomer(customerId)
      .map((r) => store.cases.get(r.caseId)!)
      .filter((c) => c.accountId === API_ACCOUNT && !isTerminalStatus(c.status));
    const replanned: string[] = [];
    const card = { paymentMethodId: token, fingerprint: null, brand: null, funding: null, country: null, last4: null };
    for (const c of cases) {
      const next = replanWithCard(d, c, card, now, 'the API (POST /v1/payment-method-updates)');
      replanned.push(`${recoveryId(c.id)} (${next})`);
    }
    const body = {
      object: 'payment_method_update',
      customerId,
      token,
      replanned: replanned.map((s) => s.split(' ')[0]!),
    };
    remember(200, body, null);
    return { status: 200, body, caseId: null };
  });
}

export function addPulse(
  store: Store,
  p: { amount: number; currency: string; at?: string },
  now: number,
  remember: Remember,
): Answer {
  return store.tx(() => {
    const at = p.at ? Date.parse(p.at) : now;
    const id = store.apiRecoveries.addPulse({ amount: p.amount, currency: p.currency, at });
    const body = {
      id: `pulse_${id}`,
      object: 'pulse',
      amount: p.amount,
      currency: p.currency,
      at: new Date(at).toISOString(),
    };
    remember(201, body, null);
    return { status: 201, body, caseId: null };
  });
}
