/**
 * `card.expiring_soon` (issue 16 §4): Stripe sends no such event for PaymentMethods, so a daily
 * job (kind `card_expiry_scan`, the jobs queue) reads the cards recover knows and records the
 * event `cardExpiryNoticeDays` (default 30) before the end of a card's expiry month, once per
 * card and expiry (dedupe key `card.expiring_soon:card:<fingerprint or pm id>:<yyyy-mm>`).
 *
 * The cards: the payment method of each Stripe Billing case with a subscription, and of each
 * Recovery API case (the token the merchant gave, or the newer one a card update brought), that is
 * open or ended within RECENT_MS, one per (account, customer), the newest case's. API cards are
 * read with the API's Stripe key, Billing cards with the Billing key.
 *
 * The event's `cardUpdateUrl` is a Checkout setup session (src/api/setup-sessions.ts, valid
 * LINK_TTL_SEC, recorded and polled, so completing it re-plans the customer's open cases). It is
 * made with the Recovery API's key, the only key recover asks Checkout Sessions write for: for an
 * API card always; for a Stripe Billing card when an API key is onboarded and the card is on the
 * main account (Stripe refuses a customer of another account; a connected account's customers
 * are not the API key's). Otherwise, or without `cardUpdateReturnUrl`, it is null (docs/api.md).
 */
import { createCardUpdateLink, openCasesOf } from '../api/setup-sessions.js';
import { DAY_MS } from '../clock.js';
import type { Settings } from '../config/settings.js';
import type { Case, Store } from '../db/index.js';
import type { Logger } from '../log.js';
import type { CallContext, StripeGateway } from '../stripe/index.js';
import { recoveryIdOf } from './events.js';

export const CARD_EXPIRY_JOB = 'card_expiry_scan';
/** Cases ended this long ago (ms) still count their customer's card as known: 60 days. */
const RECENT_MS = 60 * DAY_MS;
/** How long an expiring card's update link stays valid, seconds: Stripe's maximum, 24 h (Sessions.d.ts). */
const LINK_TTL_SEC = 24 * 3600;

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const startOfNextUtcDay = (ms: number) => Date.parse(dayOf(ms)) + DAY_MS;

/** Schedules today's scan unless it exists (the dedupe key is the UTC date); call once per pass. */
export function ensureCardExpiryScan(store: Store, now: number): void {
  store.jobs.schedule({ kind: CARD_EXPIRY_JOB, dedupeKey: `${CARD_EXPIRY_JOB}:${dayOf(now)}`, runAt: now });
}

/** After a scan: tomorrow's, at 00:00 UTC. */
function scheduleNextCardExpiryScan(store: Store, now: number): void {
  const at = startOfNextUtcDay(now);
  store.jobs.schedule({ kind: CARD_EXPIRY_JOB, dedupeKey: `${CARD_EXPIRY_JOB}:${dayOf(at)}`, runAt: at });
}

/** A card as the scan reads it (a PaymentMethod's `card`). */
export interface KnownCard {
  accountId: string;
  customerId: string;
  paymentMethodId: string;
  platform: string;
  /** The case it came from, if any (for recoveryId/invoiceId). */
  caseId: number | null;
  invoiceId: string | null;
}

/** First instant after the expiry month ends (UTC), ms: cards work through their expiry month. */
export function expiryEnd(expYear: number, expMonth: number): number {
  return Date.UTC(expYear, expMonth, 1); // month index expMonth = the month after (1-based input)
}

/** The cards to look at: one per customer, from open or recent subscription cases. */
export function knownCards(store: Store, now: number): KnownCard[] {
  const newest = new Map<string, Case>();
  for (const c of store.cases.iterate()) {
    if ((!c.subscriptionId && c.platform !== 'api') || !c.paymentMethodId) continue;
    if (c.endedAt !== null && c.endedAt < now - RECENT_MS) continue;
    const key = `${c.accountId} ${c.customerId}`;
    const seen = newest.get(key);
    if (!seen || c.firstFailedAt >= seen.firstFailedAt) newest.set(key, c);
  }
  return [...newest.values()].map((c) => ({
    accountId: c.accountId,
    customerId: c.customerId,
    paymentMethodId: c.paymentMethodId!,
    platform: c.platform,
    caseId: c.id,
    invoiceId: c.invoiceId,
  }));
}

export interface ScanDeps {
  store: Store;
  /** The Stripe Billing gateway (its cards, with `ctxFor`'s Connect header). */
  gw: StripeGateway;
  /** The Recovery API's gateway (its cards, and every card-update link); undefined: no API key saved. */
  apiGw?: StripeGateway;
  settings: Settings;
  now: number;
  logger: Logger;
  ctxFor(accountId: string): CallContext | undefined;
}

interface CardExpiry {
  expMonth: number;
  expYear: number;
  fingerprint: string | null;
  brand: string | null;
  last4: string | null;
  /** When it was read from Stripe, ms. */
  readAt: number;
}

/**
 * What was read is kept (meta `card_expiry:<pm id>`, JSON; no schema change) so a daily scan does
 * not read every card every day: a card far from expiry is read again after REREAD_MS, one inside
 * the notice window always (Stripe's card updater may have extended it).
 */
const REREAD_MS = 30 * DAY_MS;
const cacheKey = (pm: string) => `card_expiry:${pm}`;

function cached(store: Store, pm: string): CardExpiry | null {
  const raw = store.meta.get(cacheKey(pm));
  if (!raw) return null;
  try {
    return JSON.parse(raw) as CardExpiry;
  } catch {
    return null;
  }
}

async function readCard(d: ScanDeps, k: KnownCard, noticeMs: number): Promise<CardExpiry | null | 'error'> {
  if (k.platform === 'api' && !d.apiGw) return 'error';
  const c = cached(d.store, k.paymentMethodId);
  const inWindow = (x: CardExpiry) => d.now >= expiryEnd(x.expYear, x.expMonth) - noticeMs;
  if (c && d.now - c.readAt < REREAD_MS && !inWindow(c)) return c;
  let pm;
  try {
    pm =
      k.platform === 'api'
        ? await d.apiGw!.paymentMethods.retrieve(k.paymentMethodId)
        : await d.gw.paymentMethods.retrieve(k.paymentMethodId, {}, d.ctxFor(k.accountId));
  } catch {
    return 'error'; // a detached or deleted card: nothing to warn about; tomorrow's scan tries again
  }
  const card = pm.card;
  if (!card?.exp_month || !card.exp_year) return null;
  const read: CardExpiry = {
    expMonth: card.exp_month,
    expYear: card.exp_year,
    fingerprint: card.fingerprint ?? null,
    brand: card.brand ?? null,
    last4: card.last4 ?? null,
    readAt: d.now,
  };
  d.store.meta.set(cacheKey(k.paymentMethodId), JSON.stringify(read));
  return read;
}

/** The card-update link of an expiring card, or null (see the file's comment for when). */
async function linkFor(d: ScanDeps, k: KnownCard): Promise<string | null> {
  if (!d.apiGw) return null;
  if (k.platform !== 'api') {
    const main = d.store.accounts.list().find((a) => a.id === k.accountId);
    if (k.platform !== 'stripe' || main?.kind !== 'main') return null;
  }
  const c = k.caseId === null ? undefined : d.store.cases.get(k.caseId);
  // An API case's customer id is the merchant's; the Stripe customer is in api_recoveries.
  const customer = k.platform === 'api' ? d.store.apiRecoveries.get(k.caseId!)?.stripeCustomer : k.customerId;
  if (!customer) return null;
  const platform = k.platform === 'api' ? 'api' : 'stripe';
  const open = openCasesOf(d.store, { platform, accountId: k.accountId }, customer, d.settings);
  const served = [...new Set([...(k.caseId === null ? [] : [k.caseId]), ...open.map((o) => o.id)])];
  return createCardUpdateLink(
    { store: d.store, gw: d.apiGw, settings: d.settings, now: d.now, logger: d.logger },
    {
      platform,
      accountId: k.accountId,
      customer,
      currency: c?.currency ?? 'usd',
      purpose: 'expiring',
      caseIds: served,
      ttlSec: LINK_TTL_SEC,
      metadata: { recover_card_expiring: k.paymentMethodId, ...(c ? { recover_recovery: recoveryIdOf(c.id) } : {}) },
    },
  );
}

/** Reads the known cards (cached) and records the events due; returns counts for the job's result. */
async function scanExpiringCards(d: ScanDeps): Promise<{ scanned: number; emitted: number; errors: number }> {
  const cards = knownCards(d.store, d.now);
  const noticeMs = d.settings.cardExpiryNoticeDays * DAY_MS;
  let emitted = 0;
  let errors = 0;
  for (const k of cards) {
    const card = await readCard(d, k, noticeMs);
    if (card === 'error') errors++;
    if (card === null || card === 'error') continue;
    const end = expiryEnd(card.expYear, card.expMonth);
    if (d.now < end - noticeMs || d.now >= end) continue;
    const month = `${card.expYear}-${String(card.expMonth).padStart(2, '0')}`;
    const dedupeKey = `card.expiring_soon:card:${card.fingerprint ?? k.paymentMethodId}:${month}`;
    if (d.store.outbox.hasKey(dedupeKey)) continue; // sent already: no second link either
    const cardUpdateUrl = await linkFor(d, k);
    const inserted = d.store.tx(
      () =>
        d.store.outbox.record({
          type: 'card.expiring_soon',
          dedupeKey,
          caseId: k.caseId,
          at: d.now,
          data: {
            customerId: k.customerId,
            platform: k.platform,
            paymentMethodId: k.paymentMethodId,
            brand: card.brand,
            last4: card.last4,
            expMonth: card.expMonth,
            expYear: card.expYear,
            expiresAt: new Date(end).toISOString(),
            recoveryId: k.caseId === null ? null : recoveryIdOf(k.caseId),
            invoiceId: k.invoiceId,
            cardUpdateUrl,
          },
        }).inserted,
    );
    if (inserted) emitted++;
  }
  return { scanned: cards.length, emitted, errors };
}

/** The job (kind CARD_EXPIRY_JOB): the scan, then tomorrow's, scheduled whatever the scan did. */
export async function runCardExpiryScan(d: ScanDeps): Promise<string> {
  try {
    const r = await scanExpiringCards(d);
    return `${r.scanned} cards, ${r.emitted} card.expiring_soon, ${r.errors} unreadable`;
  } finally {
    d.store.tx(() => scheduleNextCardExpiryScan(d.store, d.now));
  }
}
