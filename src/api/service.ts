/**
 * What the API's HTTP layer calls into, with the daemon's parts it shares: the store, the
 * policy context, the clock, the Stripe gateway of the API's own key, and a wake-up for the
 * daemon's loop when new work is due. `create` is POST /v1/recoveries; a customer-present one
 * is charged here, on-session, within the call (present.ts).
 */
import type { Settings } from '../config/settings.js';
import type { Store } from '../db/index.js';
import type { PolicyContext } from '../daemon/policy-context.js';
import { customerPayments } from '../engine/customer-payments.js';
import type { Logger } from '../log.js';
import { NotFound, type StripeGateway } from '../stripe/index.js';
import type { Answer } from './actions.js';
import { ApiError } from './errors.js';
import { acceptRecovery, API_ACCOUNT, type CardFacts } from './intake.js';
import { chargePresent } from './present.js';
import type { CreateRecoveryBody } from './schemas.js';

export interface RecoveryServiceDeps {
  store: Store;
  policy: PolicyContext;
  logger: Logger;
  settings(): Settings;
  now(): number;
  /** The gateway of the API's Stripe key (`onboard api`); undefined: none saved (no card facts, no charges). */
  gateway(): StripeGateway | undefined;
  /** New work is due: the daemon's loop looks again. */
  wake(): void;
  /** The daemon's owner id and attempt lease (clock ms), for the customer-present charge. */
  owner: string;
  leaseMs: number;
  /** Checked before a customer-present charge: the daemon still holds the single-daemon lease. */
  mayCharge(): boolean;
}

type Remember = (status: number, body: unknown, caseId: number | null) => void;

export class RecoveryService {
  constructor(readonly d: RecoveryServiceDeps) {}

  now(): number {
    return this.d.now();
  }

  wake(): void {
    this.d.wake();
  }

  deps() {
    return { store: this.d.store, policy: this.d.policy, settings: this.d.settings(), now: this.d.now() };
  }

  async create(
    body: CreateRecoveryBody,
    apiKeyId: number,
    idempotencyKey: string,
    remember: Remember,
  ): Promise<Answer> {
    const card = await this.cardOf(body);
    const settings = this.d.settings();
    const now = this.d.now();
    const present = body.customerPresent === true;
    let attemptId: number | undefined;
    const answer = acceptRecovery(this.d.store, {
      body,
      apiKeyId,
      idempotencyKey,
      card,
      settings,
      policy: this.d.policy,
      now,
      customerPayments: customerPayments(this.d.store, API_ACCOUNT, body.paymentMethod.customer, now),
      // A customer-present answer is the charge's outcome: stored once that is known (present.ts).
      remember: present ? () => undefined : remember,
      claimNow: present ? (id) => (attemptId = this.claim(id, now)) : undefined,
    });
    if (attemptId !== undefined) return chargePresent(this, answer.caseId!, attemptId, settings, remember);
    // Not charged now (blocked, shadow mode, known already): the answer as for an absent customer.
    if (present) remember(answer.status, answer.body, answer.caseId);
    this.d.wake();
    return answer;
  }

  /** Leases the case's first attempt, moved to now, for the charge within the call. */
  private claim(attemptId: number, now: number): number | undefined {
    const { store } = this.d;
    if (!this.d.mayCharge() || this.d.settings().mode !== 'live') return undefined;
    // A person is waiting: the first attempt is now, whatever the plan for an absent customer said.
    const caseId = store.attempts.get(attemptId)!.caseId;
    if (!store.attempts.reschedule(caseId, now, now)) return undefined;
    const ok = store.apiRecoveries.claimAttempt(attemptId, this.d.owner, now + this.d.leaseMs, now);
    if (!ok || !store.attempts.markStarted(attemptId, this.d.owner, now)) return undefined;
    store.apiRecoveries.setPresentAttempt(caseId, attemptId);
    return attemptId;
  }

  /** The PaymentMethod's card (for the network caps); a token Stripe does not know is refused. */
  private async cardOf(b: CreateRecoveryBody): Promise<CardFacts | null> {
    const gw = this.d.gateway();
    if (!gw) return null;
    try {
      const pm = await gw.paymentMethods.retrieve(b.paymentMethod.token);
      const owner = typeof pm.customer === 'string' ? pm.customer : (pm.customer?.id ?? null);
      if (owner && owner !== b.paymentMethod.customer) {
        throw new ApiError(
          400,
          'invalid_request_error',
          'payment_method_customer_mismatch',
          `paymentMethod.token ${b.paymentMethod.token} belongs to another customer than ${b.paymentMethod.customer}`,
          'paymentMethod.token',
        );
      }
      const c = pm.card;
      if (!c?.fingerprint) return null;
      const funding =
        c.funding === 'credit' || c.funding === 'debit' || c.funding === 'prepaid' ? c.funding : 'unknown';
      return { fingerprint: c.fingerprint, brand: c.brand ?? 'unknown', funding, country: c.country ?? null };
    } catch (e) {
      if (e instanceof ApiError) throw e;
      if (e instanceof NotFound) {
        throw new ApiError(
          400,
          'invalid_request_error',
          'resource_missing',
          `paymentMethod.token: no such PaymentMethod ${b.paymentMethod.token} at Stripe`,
          'paymentMethod.token',
        );
      }
      // Stripe unavailable: the failed payment is still accepted (durably); only its card facts are missing.
      this.d.logger.warn(
        { err: (e as Error).message },
        'could not read the payment method; accepted without card facts',
      );
      return null;
    }
  }
}
