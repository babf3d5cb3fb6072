/**
 * Fuzz: thousands of random (seeded) histories through every built-in policy. The invariants are
 * checked with code written here, independent of src/policy: cron matching by cron-parser itself,
 * caps recounted from the card history, hard declines from a separate list.
 */
import { describe, expect, it } from 'vitest';
import { CronExpressionParser } from 'cron-parser';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../src/clock.js';
import {
  DECLINE_CODES,
  decide,
  makePolicy,
  mulberry32,
  type AttemptRecord,
  type CardHistoryEntry,
  type Decision,
  type PolicyInput,
} from '../../src/policy/index.js';

const CODES = Object.keys(DECLINE_CODES);
const HARD = new Set(['lost_card', 'stolen_card', 'pickup_card', 'fraudulent', 'revocation_of_authorization', 'revocation_of_all_authorizations', 'stop_payment_order', 'do_not_try_again', 'merchant_blacklist', 'testmode_decline']);
const NEEDS_UPDATE = new Set(['expired_card', 'incorrect_number', 'incorrect_cvc', 'authentication_required', 'card_not_supported', 'invalid_account']);
const VISA_NEVER = new Set(['pickup_card', 'lost_card', 'stolen_card', 'incorrect_number', 'invalid_number', 'invalid_account', 'transaction_not_allowed', 'not_permitted', 'service_not_allowed', 'card_not_supported', 'currency_not_supported', 'stop_payment_order', 'revocation_of_authorization', 'revocation_of_all_authorizations', 'do_not_try_again']);
const MAC_WAIT: Record<string, number> = { '24': HOUR_MS, '25': DAY_MS, '26': 2 * DAY_MS, '27': 4 * DAY_MS, '28': 6 * DAY_MS, '29': 8 * DAY_MS, '30': 10 * DAY_MS };
const WINDOWS = [['0 8-20 * * *'], ['0 9-17 * * 1-5'], ['30 7-9 * * *', '0 18-21 * * *'], ['0 10 1,15 * *', '0 8-12 * * 5'], ['0 6-22 L * *', '0 12 * * 0']];
const ZONES = ['America/Chicago', 'Europe/Berlin', 'Asia/Tokyo', 'Australia/Sydney', 'America/Sao_Paulo', 'Pacific/Auckland', 'UTC', 'Not/AZone'];
const BRANDS = ['visa', 'mastercard', 'amex', 'discover'];
const POLICIES = ['recover', 'fixed:3,5,7', 'fixed:1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1', 'daily:30', 'smart-like'];

function randomInput(r: () => number): { input: PolicyInput; policy: string } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const brand = pick(BRANDS);
  const failedAt = Date.UTC(2026, 0, 1) + Math.floor(r() * 400) * DAY_MS + Math.floor(r() * 24 * 60) * MINUTE_MS;
  const dunningDays = 1 + Math.floor(r() * 40);
  const deadline = failedAt + dunningDays * DAY_MS;
  const amount = pick([900, 2900, 4900]);
  const codes = (): Partial<AttemptRecord> => ({
    declineCode: r() < 0.5 ? pick(['insufficient_funds', 'generic_decline', 'do_not_honor', 'processing_error']) : pick(CODES),
    ...(r() < 0.15 ? { adviceCode: pick(['try_again_later', 'do_not_try_again', 'confirm_card_data']) } : {}),
    ...(r() < 0.25 ? { networkAdviceCode: pick(['01', '02', '03', '21', '24', '25', '26', '27', '28', '29', '30', '1', '3']) } : {}),
  });
  const attempts: AttemptRecord[] = [{ at: failedAt, outcome: 'failed', by: 'stripe', ...codes() }];
  let t = failedAt;
  const n = Math.floor(r() * 9);
  for (let i = 0; i < n; i++) {
    t += Math.floor(r() * 4 * DAY_MS);
    if (t >= deadline) break;
    attempts.push({ at: t, outcome: 'failed', by: 'recover', ...codes() });
  }
  const now = Math.min(t + Math.floor(r() * 3 * DAY_MS), deadline + (r() < 0.05 ? DAY_MS : -MINUTE_MS));
  const cardUpdatedAt = r() < 0.2 ? t + Math.floor((now - t) * r()) : undefined;
  const own = attempts.filter((a) => cardUpdatedAt === undefined || a.at >= cardUpdatedAt);
  const history: CardHistoryEntry[] = own.map((a) => ({ at: a.at, amount, currency: 'usd', declined: true, declineCode: a.declineCode, adviceCode: a.adviceCode, networkAdviceCode: a.networkAdviceCode }));
  const others = r() < 0.5 ? Math.floor(r() * 40) : 0;
  for (let i = 0; i < others; i++) {
    const c = codes();
    history.push({ at: now - Math.floor(r() * 30 * DAY_MS), amount: r() < 0.5 ? amount : 900, currency: 'usd', declined: r() < 0.8, declineCode: r() < 0.9 ? 'insufficient_funds' : c.declineCode, ...(r() < 0.05 ? { networkAdviceCode: c.networkAdviceCode } : {}) });
  }
  const recent = history.filter((e) => e.at > now - 30 * DAY_MS && e.at <= now).sort((a, b) => a.at - b.at);
  const stats = new Map<string, { successes: number; failures: number }>();
  if (r() < 0.5) for (const k of ['cat:funds', 'cat:funds|n:1', 'cat:issuer|how:fri09', 'cat:funds|dom:15']) stats.set(k, { successes: Math.floor(r() * 50), failures: Math.floor(r() * 200) });
  const input: PolicyInput = {
    case: { id: 'in_fuzz', customerId: 'cus_fuzz', amount, currency: 'usd', failedAt, invoiceCreatedAt: failedAt - HOUR_MS, dunningDeadline: deadline, arm: r() < 0.15 ? 'control' : 'treatment' },
    attempts,
    card: {
      brand,
      funding: 'debit',
      fingerprint: 'fp',
      attempts24h: recent.filter((e) => e.at > now - DAY_MS).length,
      attempts30d: recent.length,
      declines24h: recent.filter((e) => e.declined && e.at > now - DAY_MS).length,
      sameAmountAttempts30d: recent.filter((e) => e.amount === amount).length,
      history: recent,
    },
    customer: r() < 0.8 ? { timezone: pick(ZONES) } : {},
    ...(cardUpdatedAt !== undefined ? { cardUpdatedAt } : {}),
    settings: { windows: pick(WINDOWS), dunningDays, defaultTimezone: 'America/New_York', controlBaseline: pick(['stripe', 'fixed:3,5,7']) },
    stats,
    now,
    random: mulberry32(Math.floor(r() * 2 ** 32)),
  };
  return { input, policy: pick(POLICIES) };
}

/** Every rule violation an attempt at `at` would commit, recomputed from scratch. */
function violations(input: PolicyInput, at: number, newCard: boolean): string[] {
  const out: string[] = [];
  const brand = input.card.brand;
  const h = input.card.history ?? [];
  const inWindow = (ms: number) => h.filter((e) => e.at > at - ms && e.at <= at);
  if (brand !== 'mastercard' && inWindow(30 * DAY_MS).length + 1 > 15) out.push('attempts in 30 days');
  if (brand !== 'visa' && inWindow(DAY_MS).filter((e) => e.declined).length + 1 > 10) out.push('declines in 24 h');
  if (brand === 'mastercard' && inWindow(30 * DAY_MS).filter((e) => e.amount === input.case.amount).length + 1 > 35) out.push('same amount in 30 days');
  for (const e of h) {
    if (!e.declined) continue;
    const mac = e.networkAdviceCode?.padStart(2, '0');
    if (brand === 'visa' && e.declineCode && VISA_NEVER.has(e.declineCode)) out.push('after Visa category 1');
    if (brand === 'mastercard' && (mac === '03' || mac === '21')) out.push('after MAC 03/21');
    if (brand === 'mastercard' && mac && MAC_WAIT[mac] && at < e.at + MAC_WAIT[mac]) out.push(`sooner than MAC ${mac}`);
    if (e.adviceCode === 'do_not_try_again') out.push('after do_not_try_again');
  }
  if (!newCard) {
    const last = input.attempts[input.attempts.length - 1];
    if (last.declineCode && HARD.has(last.declineCode)) out.push(`retried hard decline ${last.declineCode}`);
  }
  return out;
}

function inWindows(windows: readonly string[], tz: string, at: number): boolean {
  return windows.some((w) => CronExpressionParser.parse(w, { tz }).includesDate(new Date(at)));
}

describe('fuzz: random histories through every built-in policy', () => {
  it('never exceeds a cap, never schedules outside windows or after the deadline, never retries a hard decline', () => {
    const r = mulberry32(20260106);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 4000; i++) {
      const { input, policy } = randomInput(r);
      const d: Decision = policy === 'recover' ? decide(input) : makePolicy(policy).decide(input);
      counts[d.action] = (counts[d.action] ?? 0) + 1;
      expect(d.reason.length, `empty reason (${policy})`).toBeGreaterThan(10);
      if (d.action !== 'retry') continue;
      const ctx = `${policy} case ${i}: ${d.reason}`;
      expect(d.at, ctx).toBeGreaterThanOrEqual(input.now);
      expect(d.at, ctx).toBeLessThan(input.case.dunningDeadline);
      const newCard = input.cardUpdatedAt !== undefined && input.cardUpdatedAt > input.attempts[input.attempts.length - 1].at;
      expect(violations(input, d.at, newCard), ctx).toEqual([]);
      if (policy === 'recover' && input.case.arm === 'treatment') {
        const tz = input.customer.timezone && input.customer.timezone !== 'Not/AZone' ? input.customer.timezone : input.settings.defaultTimezone;
        expect(inWindows(input.settings.windows, tz, d.at), `${ctx} at ${new Date(d.at).toISOString()} ${tz}`).toBe(true);
        const last = input.attempts[input.attempts.length - 1];
        if (!newCard && last.declineCode && NEEDS_UPDATE.has(last.declineCode)) throw new Error(`blind retry of ${last.declineCode}: ${ctx}`);
      }
    }
    // The fuzz must exercise every kind of outcome.
    expect(counts.retry).toBeGreaterThan(500);
    expect(counts.stop).toBeGreaterThan(200);
    expect(counts.wait).toBeGreaterThan(100);
  });
});
