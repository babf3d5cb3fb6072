/**
 * Learned statistics: Beta-Binomial success/failure counts under opaque string keys, kept by the
 * daemon in SQLite (learned_stats) and by the simulator in memory. Key scheme, one outcome
 * incrementing four keys:
 *   cat:<category>                 every retry in the category (normaliser)
 *   cat:<category>|n:<1..6>        by attempt number on the card (6 = 6 or more)
 *   cat:<category>|how:<dow><hh>   by local hour of week, e.g. cat:funds|how:fri09
 *   cat:<category>|dom:<dd>        by local day of month, e.g. cat:funds|dom:15
 *   cat:<category>|since:<h>h      by time since the decline reacted to (recovery-curve.ts), e.g. cat:funds|since:48h
 *   first:<category>|<early|planned>  first retries after the decline, by arm (first-retry.ts)
 *   cal:<category>|sf:<d>d|p:<decile>  by time since the failure and the estimate (calibration.ts)
 *   pay:<schedule id>              population mix of pay schedules (pay-cycle.ts), when the
 *                                  customer's belief was confident
 * <category> is a StatCategory (funds, velocity, issuer, technical, new_card, other).
 */
import type { StatCategory } from './decline-codes.js';
import { calibrationKey } from './calibration.js';
import { localParts } from './local-time.js';
import { payMixKey } from './pay-cycle.js';
import type { LearnedStats, OutcomeContext, StatCounts } from './types.js';

const DOW_KEY = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** Buckets of time since the decline (recovery-curve.ts), lower edges in hours: 0–6 h … 7 d or more. */
export const SINCE_EDGES_H = [0, 6, 24, 48, 96, 168] as const;

export function sinceBucket(sinceMs: number): number {
  const h = Math.max(0, sinceMs) / 3_600_000;
  let b = 0;
  while (b + 1 < SINCE_EDGES_H.length && h >= SINCE_EDGES_H[b + 1]) b++;
  return b;
}
export const MAX_ATTEMPT_KEY = 6;

export const statKey = {
  category: (c: StatCategory) => `cat:${c}`,
  attempt: (c: StatCategory, n: number) => `cat:${c}|n:${Math.min(Math.max(1, n), MAX_ATTEMPT_KEY)}`,
  hourOfWeek: (c: StatCategory, weekday: number, hour: number) => `cat:${c}|how:${DOW_KEY[weekday]}${String(hour).padStart(2, '0')}`,
  dayOfMonth: (c: StatCategory, day: number) => `cat:${c}|dom:${String(day).padStart(2, '0')}`,
  firstRetry: (c: StatCategory, arm: 'early' | 'planned') => `first:${c}|${arm}`,
  since: (c: StatCategory, sinceMs: number) => `cat:${c}|since:${SINCE_EDGES_H[sinceBucket(sinceMs)]}h`,
};

/** The keys one attempt's outcome increments (the daemon does `successes+1` or `failures+1` on each). */
export function statKeysFor(ctx: OutcomeContext): string[] {
  const p = localParts(ctx.timezone, ctx.at);
  const mix = ctx.paySchedule ? [payMixKey(ctx.paySchedule)] : [];
  const since = ctx.declineAt !== undefined ? [statKey.since(ctx.category, ctx.at - ctx.declineAt)] : [];
  const cal = ctx.calibration
    ? [calibrationKey(ctx.category, ctx.at - ctx.calibration.failedAt, ctx.calibration.estimate)]
    : [];
  const first = ctx.firstRetry ? [statKey.firstRetry(ctx.category, ctx.firstRetry)] : [];
  return [
    ...mix,
    ...first,
    ...cal,
    ...since,
    statKey.category(ctx.category),
    statKey.attempt(ctx.category, ctx.attemptNumber),
    statKey.hourOfWeek(ctx.category, p.weekday, p.hour),
    statKey.dayOfMonth(ctx.category, p.day),
  ];
}

/** In-memory update (the simulator, tests): increments every key of the outcome. */
export function learn(stats: Map<string, StatCounts>, ctx: OutcomeContext, success: boolean): void {
  for (const key of statKeysFor(ctx)) {
    const c = stats.get(key);
    if (c) {
      if (success) c.successes += 1;
      else c.failures += 1;
    } else {
      stats.set(key, { successes: success ? 1 : 0, failures: success ? 0 : 1 });
    }
  }
}

/** Beta(α, β) posterior for a prior mean `m` worth `k` pseudo-observations plus the key's counts. */
export function posterior(stats: LearnedStats, key: string, priorMean: number, k: number): { alpha: number; beta: number; mean: number; n: number } {
  const c = stats.get(key);
  const s = c?.successes ?? 0;
  const f = c?.failures ?? 0;
  const m = Math.min(0.99, Math.max(0.001, priorMean));
  const alpha = s + k * m;
  const beta = f + k * (1 - m);
  return { alpha, beta, mean: alpha / (alpha + beta), n: s + f };
}

/** How many outcomes the merchant has contributed to a category. */
export function observations(stats: LearnedStats, c: StatCategory): number {
  const x = stats.get(statKey.category(c));
  return x ? x.successes + x.failures : 0;
}
