/** Facts derived from a case's attempt history, shared by recover and the baselines. */
import type { DeclineFacts, PolicyInput } from './types.js';

/** The decline to react to: the explicit one, else the last failed attempt. */
export function lastDecline(input: PolicyInput): DeclineFacts | undefined {
  if (input.lastDecline) return input.lastDecline;
  for (let i = input.attempts.length - 1; i >= 0; i--) {
    const a = input.attempts[i];
    if (a.outcome === 'failed') return a;
  }
  return undefined;
}

/** Time of the latest attempt (the first failure if none since). */
export function lastAttemptAt(input: PolicyInput): number {
  let t = input.case.failedAt;
  for (const a of input.attempts) if (a.at > t) t = a.at;
  const d = input.lastDecline?.at;
  return d !== undefined && d > t ? d : t;
}

export function isPaid(input: PolicyInput): boolean {
  return input.attempts.some((a) => a.outcome === 'succeeded');
}

/** Retries made after the first failure (the first failure itself is attempt 0). */
/**
 * The number the next attempt has on the invoice, the one numbering recover shows everywhere:
 * attempt 1 is the invoice's first payment (Stripe's, the failure that opened dunning), and every
 * attempt since — Stripe's and recover's — counts, as card networks count them.
 */
export function nextInvoiceAttempt(input: PolicyInput): number {
  return input.attempts.length + 1;
}

export function retriesSoFar(input: PolicyInput): number {
  let n = 0;
  for (const a of input.attempts) if (a.at > input.case.failedAt) n++;
  return n;
}

/** A new payment method arrived after the latest attempt and has not been tried yet. */
export function newCardPending(input: PolicyInput): boolean {
  const u = input.cardUpdatedAt;
  return u !== undefined && u > lastAttemptAt(input);
}

/** Retries on the current card: those after the last card change (or after the first failure). */
export function retriesOnCurrentCard(input: PolicyInput): number {
  const u = input.cardUpdatedAt;
  const changed = u !== undefined && u > input.case.failedAt;
  let n = 0;
  for (const a of input.attempts) if (changed ? a.at >= u : a.at > input.case.failedAt) n++;
  return n;
}

export function pct(p: number): string {
  return `${Math.round(p * 100)}%`;
}

export function isoDay(ts: number): string {
  return new Date(ts).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}
