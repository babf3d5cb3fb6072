/**
 * Baseline schedules with the same `decide` signature, for the control group and the simulator:
 * - fixed:a,b,c  a days after the failure, then b days after the previous attempt, then c …
 *                (Stripe's "custom retry schedule"); fixed:3,5,7 is the control baseline.
 * - daily:N      one retry every 24 h, N retries.
 * - smart-like   8 tries over 14 days at 10:00 customer-local time, and a prompt retry when a new
 *                payment method arrives: a stand-in for Stripe Smart Retries' recommended default
 *                ("8 tries within 2 weeks"); it is not Stripe's model.
 * Baselines are blind to timing, but hard declines and every network cap still apply to them, as
 * they do to any strategy. Unlike recover they do retry "needs card update" declines on schedule
 * (Stripe retries e.g. expired cards hoping for an account-updater refresh), except where the card
 * network forbids it (Visa category 1).
 */
import { DAY_MS, HOUR_MS } from '../clock.js';
import { earliestAllowed } from './caps.js';
import { classifyDecline } from './classify.js';
import { isPaid, isoDay, lastAttemptAt, lastDecline, newCardPending, retriesSoFar, nextInvoiceAttempt } from './history.js';
import { formatLocal, localParts, localToUtc, resolveTimezone } from './local-time.js';
import type { Decision, Policy, PolicyInput } from './types.js';

function guard(input: PolicyInput, label: string): Decision | null {
  const c = input.case;
  if (isPaid(input)) return { action: 'stop', kind: 'dunning_over', reason: 'The invoice is paid; nothing left to do.' };
  if (input.now >= c.dunningDeadline) return { action: 'stop', kind: 'dunning_over', reason: `Dunning ended at ${isoDay(c.dunningDeadline)}; no further attempts.` };
  if (newCardPending(input)) return null; // a new card is not bound by the old card's decline
  const decline = lastDecline(input);
  if (!decline) return null;
  const cls = classifyDecline({ ...decline, brand: input.card.brand });
  if (cls.category === 'hard') return { action: 'stop', kind: 'hard_decline', reason: `${cls.explanation} ${label} stops too: hard declines are never retried.` };
  if (cls.bansCard) return { action: 'stop', kind: 'network_cap', reason: `${cls.explanation} ${label} stops: the card network forbids another attempt on this card.` };
  return null;
}

/** Schedule at `desired`, or later if a network cap or an issuer wait requires it. */
function place(input: PolicyInput, desired: number, label: string, why: string): Decision {
  const c = input.case;
  const tz = resolveTimezone(input.customer.timezone, input.settings.defaultTimezone);
  const decline = lastDecline(input);
  const pending = newCardPending(input);
  const wait = !pending && decline ? (classifyDecline({ ...decline, brand: input.card.brand }).retryNotBeforeMs ?? 0) : 0;
  const from = Math.max(desired, input.now, decline && !pending ? decline.at + wait : -Infinity);
  const caps = earliestAllowed(input.card, c.amount, c.currency, from, input.now);
  if (caps.notBefore === null) return { action: 'stop', kind: 'network_cap', reason: `${label}: ${caps.reason}; no further attempts on this card.` };
  const at = caps.notBefore;
  if (at >= c.dunningDeadline)
    return caps.rule
      ? { action: 'stop', kind: 'network_cap', reason: `${label}: ${caps.reason}, so the next attempt cannot happen before the dunning deadline.` }
      : { action: 'stop', kind: 'dunning_over', reason: `${label}: the next scheduled attempt would fall after the dunning deadline (${isoDay(c.dunningDeadline)}).` };
  const attemptNumber = retriesSoFar(input) + 1;
  let reason = `${label}: attempt ${nextInvoiceAttempt(input)} on this invoice (retry ${attemptNumber}), ${why}, at ${formatLocal(tz, at)} ${tz}.`;
  if (at > desired && caps.rule) reason += ` Moved later by a network limit: ${caps.reason}.`;
  else if (at > desired && wait > 0) reason += ' Moved later: the issuer/network asked to wait.';
  return { action: 'retry', at, attemptNumber, reason };
}

export function fixedPolicy(days: readonly number[], label = `fixed:${days.join(',')}`): Policy {
  return {
    name: `fixed:${days.join(',')}`,
    decide(input) {
      const stop = guard(input, label);
      if (stop) return stop;
      const k = retriesSoFar(input);
      if (k >= days.length) return { action: 'stop', kind: 'dunning_over', reason: `${label}: all ${days.length} scheduled retries are done.` };
      const prev = lastAttemptAt(input);
      const why = k === 0 ? `${days[0]} days after the failure` : `${days[k]} days after the previous attempt`;
      return place(input, prev + days[k] * DAY_MS, label, `${why} (${k + 1} of ${days.length})`);
    },
  };
}

export function dailyPolicy(n: number): Policy {
  const label = `daily:${n}`;
  return {
    name: label,
    decide(input) {
      const stop = guard(input, label);
      if (stop) return stop;
      const k = retriesSoFar(input);
      if (k >= n) return { action: 'stop', kind: 'dunning_over', reason: `${label}: all ${n} daily retries are done.` };
      return place(input, lastAttemptAt(input) + DAY_MS, label, `24 h after the previous attempt (${k + 1} of ${n})`);
    },
  };
}

/** Days after the first failure of smart-like's 8 tries. */
export const SMART_LIKE_OFFSETS_DAYS = [1, 2, 3, 5, 7, 9, 11, 14] as const;
const SMART_LIKE_LOCAL_HOUR = 10;

export function smartLikePolicy(): Policy {
  const label = 'smart-like';
  const tries = SMART_LIKE_OFFSETS_DAYS.length;
  return {
    name: label,
    decide(input) {
      const stop = guard(input, label);
      if (stop) return stop;
      const k = retriesSoFar(input);
      if (k >= tries) return { action: 'stop', kind: 'dunning_over', reason: `${label}: all ${tries} tries are done.` };
      if (newCardPending(input))
        return place(input, Math.max(input.now, (input.cardUpdatedAt ?? input.now) + HOUR_MS), label, `prompt retry on the new payment method (${k + 1} of ${tries})`);
      const tz = resolveTimezone(input.customer.timezone, input.settings.defaultTimezone);
      const day = localParts(tz, input.case.failedAt + SMART_LIKE_OFFSETS_DAYS[k] * DAY_MS);
      const at10 = localToUtc(tz, day.year, day.month, day.day, SMART_LIKE_LOCAL_HOUR) ?? input.case.failedAt + SMART_LIKE_OFFSETS_DAYS[k] * DAY_MS;
      const desired = Math.max(at10, lastAttemptAt(input) + 12 * HOUR_MS);
      return place(input, desired, label, `day ${SMART_LIKE_OFFSETS_DAYS[k]} of 14 at 10:00 local (${k + 1} of ${tries})`);
    },
  };
}
