/**
 * Card-update links (issue 16 §2, §4): Checkout Sessions in setup mode created with the Recovery
 * API's Stripe key, recorded (migration 009) and polled by the daemon until Stripe says `complete`
 * or `expired`. An API-only merchant has no Stripe webhook endpoint pointing at recover, so the
 * poll is how recover learns of the new card; a Billing merchant's `checkout.session.completed`
 * (when its endpoint sends one) only brings the poll forward (src/daemon/handlers/setup-session.ts).
 *
 * Cadence: every POLL_FAST_MS (60 s) during a session's first FAST_FOR_MS (1 h: the customer is on
 * the page now, or just opened the email), then every POLL_SLOW_MS (15 min) until it expires
 * (Stripe: at most 24 h after creation, Sessions.d.ts `expires_at`). One job of kind
 * SETUP_POLL_JOB on the daemon's jobs queue, at the end of a minute, polls every session due by
 * then and schedules the next one (so a poll comes 60 to 120 s after the last).
 *
 * A completed session is a new payment method exactly as `POST /v1/payment-method-updates` is:
 * the customer's open cases are re-planned at once and `card.updated` is recorded in the same
 * transaction. The row's open → complete update makes that happen once per session.
 */
import type { Settings } from '../config/settings.js';
import type { Case, SetupSession, SetupSessionPurpose, Store } from '../db/index.js';
import { isTerminalStatus } from '../db/index.js';
import { describeDecision, redecide } from '../daemon/case-ops.js';
import type { StripeObject } from '../daemon/event-facts.js';
import { cardOf, type CardFacts } from '../daemon/handlers/card-update.js';
import type { PolicyContext } from '../daemon/policy-context.js';
import { recoverRetries } from '../engine/decision.js';
import type { Logger } from '../log.js';
import { recordCardUpdated } from '../outbox/events.js';
import type { StripeGateway } from '../stripe/index.js';
import { API_ACCOUNT } from './intake.js';

export const SETUP_POLL_JOB = 'setup_session_poll';
/** Poll cadence, ms: every minute during a session's first hour, then every 15 minutes. */
const POLL_FAST_MS = 60_000;
const POLL_SLOW_MS = 15 * 60_000;
const FAST_FOR_MS = 3_600_000;
/** Sessions read per poll job (one Stripe GET each); the rest go to the next minute's job. */
const POLL_BATCH = 100;
/** A session still unreadable this long (ms) after its expires_at is marked expired: 1 h. */
const UNREADABLE_GRACE_MS = 3_600_000;

/** The new card, as the session's SetupIntent's PaymentMethod gives it. */
type NewCard = CardFacts;

const nextPoll = (s: Pick<SetupSession, 'createdAt'>, now: number) =>
  now + (now - s.createdAt < FAST_FOR_MS ? POLL_FAST_MS : POLL_SLOW_MS);

/**
 * The poll job for the sessions due at `at`: one job per minute, run at the minute's end (so every
 * session due within that minute is due when it runs, and the next job is always a later minute).
 */
function schedulePoll(store: Store, at: number): void {
  const minute = Math.ceil(at / 60_000);
  store.jobs.schedule({ kind: SETUP_POLL_JOB, dedupeKey: `${SETUP_POLL_JOB}:${minute}`, runAt: minute * 60_000 });
}

/** A poll now (a webhook said a session completed): its own job, keyed by the instant. */
export function pollNow(store: Store, now: number): void {
  store.jobs.schedule({ kind: SETUP_POLL_JOB, dedupeKey: `${SETUP_POLL_JOB}:at:${now}`, runAt: now });
}

interface LinkRequest {
  platform: 'stripe' | 'api';
  accountId: string;
  /** The Stripe customer the new card is saved to. */
  customer: string;
  currency: string;
  purpose: SetupSessionPurpose;
  /** The cases the new card serves (re-planned on completion with the customer's other open cases). */
  caseIds: number[];
  /** Seconds the link stays valid (Stripe: 30 min to 24 h). */
  ttlSec: number;
  metadata: Record<string, string>;
}

/**
 * A card-update link: a setup session for the customer, recorded with its first poll scheduled.
 * Null without a return URL (`cardUpdateReturnUrl`) or when Stripe refuses (e.g. a customer of
 * another account than the key's): the caller sends no link then.
 */
export async function createCardUpdateLink(
  d: { store: Store; gw: StripeGateway; settings: Settings; now: number; logger: Logger },
  r: LinkRequest,
): Promise<string | null> {
  const returnUrl = d.settings.cardUpdateReturnUrl;
  if (!returnUrl) return null;
  let session;
  try {
    session = await d.gw.checkoutSessions.createSetup({
      customer: r.customer,
      currency: r.currency,
      successUrl: returnUrl,
      expiresAt: Math.floor(d.now / 1000) + r.ttlSec,
      metadata: r.metadata,
    });
  } catch (e) {
    d.logger.warn({ err: (e as Error).message, customer: r.customer }, 'could not create the card-update link');
    return null;
  }
  const first = d.now + POLL_FAST_MS;
  d.store.tx(() => {
    d.store.setupSessions.insert({
      id: session.id,
      platform: r.platform,
      accountId: r.accountId,
      customer: r.customer,
      purpose: r.purpose,
      caseIds: r.caseIds,
      expiresAt: session.expires_at * 1000,
      nextPollAt: first,
    });
    schedulePoll(d.store, first);
  });
  return session.url ?? null;
}

interface PollDeps {
  store: Store;
  /** The Recovery API's gateway (the key that created the sessions); undefined: none saved. */
  gw: StripeGateway | undefined;
  policy: PolicyContext;
  settings: Settings;
  now: number;
  logger: Logger;
}

/** One poll job: reads every session due, applies completions and expiries, schedules the next job. */
export async function pollSetupSessions(d: PollDeps): Promise<string> {
  const { store, now } = d;
  const due = store.setupSessions.dueForPoll(now, POLL_BATCH);
  let completed = 0;
  let expired = 0;
  let errors = 0;
  for (const s of due) {
    if (!d.gw) break;
    let cs;
    try {
      cs = await d.gw.checkoutSessions.retrieve(s.id, { expand: ['setup_intent.payment_method'] });
    } catch (e) {
      errors++;
      d.logger.warn({ err: (e as Error).message, session: s.id }, 'could not read a card-update session');
      // Unreadable long after Stripe expired it anyway (a revoked key, say): stop asking.
      if (now > s.expiresAt + UNREADABLE_GRACE_MS) store.tx(() => store.setupSessions.expire(s.id, now));
      else store.tx(() => store.setupSessions.polled(s.id, nextPoll(s, now)));
      continue;
    }
    const si = cs.setup_intent;
    const pm = si && typeof si !== 'string' ? si.payment_method : null;
    if (cs.status === 'complete' && pm) {
      const card = cardOf(typeof pm === 'string' ? { id: pm } : (pm as unknown as StripeObject))!;
      if (completeSetupSession(d, s.id, card, now)) completed++;
    } else if (cs.status === 'expired') {
      if (store.tx(() => store.setupSessions.expire(s.id, now))) expired++;
    } else {
      store.tx(() => store.setupSessions.polled(s.id, nextPoll(s, now)));
    }
  }
  const next = store.setupSessions.nextPollAt();
  // now + 1: a session left due (beyond POLL_BATCH) goes to the next minute's job, not this one's.
  if (next !== null && d.gw) store.tx(() => schedulePoll(store, Math.max(next, now + 1)));
  return `${due.length} card-update session(s) read: ${completed} complete, ${expired} expired, ${errors} unreadable`;
}

/**
 * The cases a new card of a Stripe customer re-plans. The API path: every open case charging that
 * customer (as POST /v1/payment-method-updates; an API case's own customer id is the merchant's);
 * the Billing path: the open ones recover retries (as the payment_method.attached handler).
 */
export function openCasesOf(
  store: Store,
  at: { platform: string; accountId: string },
  stripeCustomer: string,
  settings: Settings,
): Case[] {
  const { accountId } = at;
  if (at.platform === 'api') {
    return store.apiRecoveries
      .listByStripeCustomer(stripeCustomer)
      .map((r) => store.cases.get(r.caseId)!)
      .filter((c) => c.accountId === API_ACCOUNT && !isTerminalStatus(c.status));
  }
  return store.cases
    .listByCustomer(stripeCustomer, { accountId, activeOnly: true })
    .filter((c) => c.platform === 'stripe' && recoverRetries(c.arm, settings));
}

/**
 * A completed session: in one transaction, the row becomes complete (false: it already was, by
 * the poll or a webhook), the customer's open cases take the new card and are re-planned, and
 * `card.updated` is recorded for them and for the cases the link was made for.
 */
function completeSetupSession(
  d: { store: Store; policy: PolicyContext; settings: Settings },
  sessionId: string,
  card: NewCard,
  now: number,
): boolean {
  const { store } = d;
  return store.tx(() => {
    const s = store.setupSessions.get(sessionId);
    if (!s || !store.setupSessions.complete(sessionId, card.paymentMethodId, now)) return false;
    for (const c of openCasesOf(store, s, s.customer, d.settings)) {
      // Already on this card: the Billing path's payment_method.attached got there first.
      if (c.paymentMethodId === card.paymentMethodId) continue;
      replanWithCard(d, c, card, now, `a completed card-update link (${sessionId})`);
    }
    for (const id of s.caseIds) recordCardUpdated(store, id, card, now, sessionId);
    return true;
  });
}

/**
 * A new payment method for an open case (inside the caller's transaction): the case charges it
 * from now on, the policy is asked for a prompt retry, `card.updated` is recorded. Returns the
 * decision in words ("retry at …").
 */
export function replanWithCard(
  d: { store: Store; policy: PolicyContext; settings: Settings },
  c: Case,
  card: NewCard,
  now: number,
  source: string,
): string {
  const { store } = d;
  if (isTerminalStatus(c.status)) return 'none (case ended)';
  if (c.platform === 'api') store.apiRecoveries.setPaymentMethod(c.id, card.paymentMethodId);
  store.cases.update(c.id, {
    paymentMethodId: card.paymentMethodId,
    ...(card.fingerprint ? { cardFingerprint: card.fingerprint } : {}),
    ...(card.brand ? { cardBrand: card.brand } : {}),
    ...(card.funding ? { cardFunding: card.funding } : {}),
    ...(card.country ? { cardCountry: card.country } : {}),
  });
  if (card.fingerprint) {
    const facts = { fingerprint: card.fingerprint, brand: card.brand, funding: card.funding, country: card.country };
    store.cards.upsert(facts, now);
  }
  const pm = `${card.paymentMethodId}${card.last4 ? ` …${card.last4}` : ''}`;
  store.decisions.add({
    caseId: c.id,
    at: now,
    action: 'note',
    kind: 'card_update',
    reason: `A new payment method (${pm}) from ${source}: the policy is asked for a prompt retry.`,
  });
  const next = redecide(store, d.policy, c.id, d.settings, now, { cardUpdatedAt: now });
  recordCardUpdated(store, c.id, card, now, card.paymentMethodId);
  return describeDecision(next);
}
