/**
 * `card.expiring_soon` (issue 16 §4): Stripe sends no such event for PaymentMethods, so a daily
 * job (kind `card_expiry_scan`, the jobs queue) reads the cards recover knows and records the
 * event `cardExpiryNoticeDays` (default 30) before the end of a card's expiry month, once per
 * card and expiry (dedupe key `card.expiring_soon:card:<fingerprint or pm id>:<yyyy-mm>`).
 *
 * The cards: the payment method of each Stripe Billing case with a subscription that is open or
 * ended within RECENT_MS, one per (account, customer), the newest case's. Hook for the Recovery
 * API (branch `api`): its tokens join through `extraCards` (see scanExpiringCards).
 * No card-update link yet: `gw.checkoutSessions.createSetup` (branch `emupi`) is not merged, so
 * `cardUpdateUrl` is null.
 */
import { DAY_MS } from '../clock.js';
import type { Settings } from '../config/settings.js';
import type { Case, Store } from '../db/index.js';
import type { CallContext, StripeGateway } from '../stripe/index.js';
import { recoveryIdOf } from './events.js';

export const CARD_EXPIRY_JOB = 'card_expiry_scan';
/** Cases ended this long ago (ms) still count their customer's card as known: 60 days. */
const RECENT_MS = 60 * DAY_MS;

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const startOfNextUtcDay = (ms: number) => Date.parse(dayOf(ms)) + DAY_MS;

/** Schedules today's scan unless it exists (the dedupe key is the UTC date); call once per pass. */
export function ensureCardExpiryScan(store: Store, now: number): void {
  store.jobs.schedule({ kind: CARD_EXPIRY_JOB, dedupeKey: `${CARD_EXPIRY_JOB}:${dayOf(now)}`, runAt: now });
}

/** After a scan: tomorrow's, at 00:00 UTC. */
export function scheduleNextCardExpiryScan(store: Store, now: number): void {
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
    if (!c.subscriptionId || !c.paymentMethodId) continue;
    if (c.endedAt !== null && c.endedAt < now - RECENT_MS) continue;
    const key = `${c.accountId} ${c.customerId}`;
    const seen = newest.get(key);
    if (!seen || c.firstFailedAt >= seen.firstFailedAt) newest.set(key, c);
  }
  return [...newest.values()].map((c) => ({
    accountId: c.accountId,
    customerId: c.customerId,
    paymentMethodId: c.paymentMethodId!,
    platform: (c as Partial<{ platform: string }>).platform ?? 'stripe',
    caseId: c.id,
    invoiceId: c.invoiceId,
  }));
}

export interface ScanDeps {
  store: Store;
  gw: StripeGateway;
  settings: Settings;
  now: number;
  ctxFor(accountId: string): CallContext | undefined;
  /** More cards to scan (the Recovery API's tokens, once that lands). */
  extraCards?: (store: Store, now: number) => KnownCard[];
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
  const c = cached(d.store, k.paymentMethodId);
  const inWindow = (x: CardExpiry) => d.now >= expiryEnd(x.expYear, x.expMonth) - noticeMs;
  if (c && d.now - c.readAt < REREAD_MS && !inWindow(c)) return c;
  let pm;
  try {
    pm = await d.gw.paymentMethods.retrieve(k.paymentMethodId, {}, d.ctxFor(k.accountId));
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

/** Reads the known cards (cached) and records the events due; returns counts for the job's result. */
export async function scanExpiringCards(d: ScanDeps): Promise<{ scanned: number; emitted: number; errors: number }> {
  const cards = [...knownCards(d.store, d.now), ...(d.extraCards?.(d.store, d.now) ?? [])];
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
    const inserted = d.store.tx(
      () =>
        d.store.outbox.record({
          type: 'card.expiring_soon',
          dedupeKey: `card.expiring_soon:card:${card.fingerprint ?? k.paymentMethodId}:${month}`,
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
            cardUpdateUrl: null,
          },
        }).inserted,
    );
    if (inserted) emitted++;
  }
  return { scanned: cards.length, emitted, errors };
}
