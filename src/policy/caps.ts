/**
 * Card-network retry limits: hard caps that no strategy may exceed, counted per card
 * (fingerprint) across all of its invoices. Every policy, the baselines included, asks here
 * before scheduling, and the daemon's executor asks again just before charging.
 *
 * - Visa: at most 15 attempts on a card in any 30 days (Visa's excessive-reattempt rule allows
 *   15 reattempts after a decline; we count every attempt, the first one included, which is
 *   stricter; Visa has announced 20, we keep 15), and never an attempt after a category-1 decline.
 * - Mastercard: at most 10 declines on a card in any 24 h, at most 35 attempts on a card for the
 *   same amount in any 30 days, MAC 03/21 stop for good, MAC 24–30 (and 02) impose a minimum wait.
 * - Other brands (Amex, Discover, …) publish no such rule; we apply the stricter of both as our
 *   own safety cap.
 * A new attempt is allowed only if the attempt itself, should it decline, keeps every count
 * within its limit.
 */
import { DAY_MS, HOUR_MS } from '../clock.js';
import { isMastercard, isVisa } from './advice-codes.js';
import { classifyDecline, type Classification } from './classify.js';
import type { CardFacts, CardHistoryEntry } from './types.js';

export const NETWORK_CAPS = {
  visa: { maxAttemptsPer30d: 15 },
  mastercard: { maxDeclinesPer24h: 10, maxSameAmountAttemptsPer30d: 35 },
  other: { maxAttemptsPer30d: 15, maxDeclinesPer24h: 10 },
} as const;

const WINDOW_30D = 30 * DAY_MS;
const WINDOW_24H = 24 * HOUR_MS;

export interface CardBan {
  at: number;
  rule: string;
  reason: string;
}

// Each past decline's classification, by the entry (a record of a past charge, never changed once
// made): the caps re-read a card's whole history at every decision (issue 18's profile). A pure
// cache; the brand is checked as it comes from the card, not the entry.
const classified = new WeakMap<CardHistoryEntry, { brand: string; c: Classification }>();

function classifyEntry(e: CardHistoryEntry, brand: string): Classification {
  const hit = classified.get(e);
  if (hit && hit.brand === brand) return hit.c;
  const c = classifyDecline({ ...e, brand });
  classified.set(e, { brand, c });
  return c;
}

/** A "never again" on this card from any of its past declines, or null. Needs `card.history`. */
export function cardBan(card: CardFacts): CardBan | null {
  for (const e of card.history ?? []) {
    if (!e.declined) continue;
    const c = classifyEntry(e, card.brand);
    if (c.bansCard) return { at: e.at, rule: 'card_banned', reason: c.explanation };
  }
  return null;
}

export interface CapVerdict {
  /** Earliest instant ≥ `from` at which an attempt is within every cap; null = never. */
  notBefore: number | null;
  /** The binding rule when notBefore > from (or null), e.g. `visa_15_in_30d`. */
  rule?: string;
  reason: string;
}

/** The earliest time at or after `from` when an attempt of `amount` on this card is allowed. */
export function earliestAllowed(card: CardFacts, amount: number, currency: string | undefined, from: number, now: number): CapVerdict {
  const ban = cardBan(card);
  if (ban) return { notBefore: null, rule: ban.rule, reason: ban.reason };
  const limits: Array<{ at: number; rule: string; reason: string }> = [];
  const brand = isVisa(card.brand) ? 'visa' : isMastercard(card.brand) ? 'mastercard' : 'other';
  const maxAttempts30d = brand === 'mastercard' ? undefined : NETWORK_CAPS[brand].maxAttemptsPer30d;
  const maxDeclines24h = brand === 'visa' ? undefined : NETWORK_CAPS[brand].maxDeclinesPer24h;
  const maxSameAmount30d = brand === 'mastercard' ? NETWORK_CAPS.mastercard.maxSameAmountAttemptsPer30d : undefined;
  const label = brand === 'other' ? `${card.brand || 'card'} (recover's own safety cap)` : brand === 'visa' ? 'Visa' : 'Mastercard';

  if (card.history) {
    const recent = [...card.history].sort((a, b) => b.at - a.at); // newest first
    const freeAt = (entries: CardHistoryEntry[], max: number, window: number): number | undefined =>
      // allowed once fewer than `max` entries remain inside the window
      entries.length >= max ? entries[max - 1].at + window : undefined;
    if (maxAttempts30d !== undefined) {
      const t = freeAt(recent, maxAttempts30d, WINDOW_30D);
      if (t !== undefined) limits.push({ at: t, rule: `${brand}_attempts_30d`, reason: `${label} allows at most ${maxAttempts30d} attempts per card in 30 days` });
    }
    if (maxDeclines24h !== undefined) {
      const t = freeAt(recent.filter((e) => e.declined), maxDeclines24h, WINDOW_24H);
      if (t !== undefined) limits.push({ at: t, rule: `${brand}_declines_24h`, reason: `${label} allows at most ${maxDeclines24h} declines per card in 24 hours` });
    }
    if (maxSameAmount30d !== undefined) {
      const same = recent.filter((e) => e.amount === amount && (!currency || !e.currency || e.currency === currency));
      const t = freeAt(same, maxSameAmount30d, WINDOW_30D);
      if (t !== undefined) limits.push({ at: t, rule: 'mastercard_same_amount_30d', reason: `Mastercard allows at most ${maxSameAmount30d} attempts per card and amount in 30 days` });
    }
    for (const e of recent) {
      if (!e.declined) continue;
      const wait = classifyEntry(e, card.brand).retryNotBeforeMs;
      if (wait !== undefined) limits.push({ at: e.at + wait, rule: 'retry_after', reason: `a decline on this card at ${new Date(e.at).toISOString()} asked to wait ${Math.round(wait / HOUR_MS)} h` });
    }
  } else {
    // Counts only: we cannot tell when the window frees up, so assume the latest possible time.
    if (maxAttempts30d !== undefined && card.attempts30d >= maxAttempts30d)
      limits.push({ at: now + WINDOW_30D, rule: `${brand}_attempts_30d`, reason: `${label} allows at most ${maxAttempts30d} attempts per card in 30 days` });
    if (maxDeclines24h !== undefined && card.declines24h >= maxDeclines24h)
      limits.push({ at: now + WINDOW_24H, rule: `${brand}_declines_24h`, reason: `${label} allows at most ${maxDeclines24h} declines per card in 24 hours` });
    if (maxSameAmount30d !== undefined && card.sameAmountAttempts30d >= maxSameAmount30d)
      limits.push({ at: now + WINDOW_30D, rule: 'mastercard_same_amount_30d', reason: `Mastercard allows at most ${maxSameAmount30d} attempts per card and amount in 30 days` });
  }

  let binding: { at: number; rule: string; reason: string } | undefined;
  for (const l of limits) if (l.at > from && (!binding || l.at > binding.at)) binding = l;
  if (!binding) return { notBefore: from, reason: 'within every network limit' };
  return { notBefore: binding.at, rule: binding.rule, reason: binding.reason };
}
