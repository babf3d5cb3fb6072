/**
 * A plausible synthetic merchant for the report's screenshot and docs transcript (not for exact
 * figures: report.test.ts uses the hand-computed fixture). Deterministic for a given seed.
 * February 2026, 14-day dunning, 20% control under baseline `stripe`, a realistic decline mix,
 * three currencies, customers in several time zones, and three months of imported history.
 */
import { DAY_MS, HOUR_MS } from '../../src/clock.js';
import type { Store } from '../../src/db/index.js';
import { mulberry32 } from '../../src/policy/random.js';
import { localToUtc } from '../../src/policy/local-time.js';
import { addCase, ended, observed, ourAttempt, recovered } from './seed.js';

export const SYN_NOW = Date.UTC(2026, 2, 1, 12);
const START = Date.UTC(2026, 1, 1);

export function seedSynthetic(store: Store, opts: { seed?: number; cases?: number; prefix?: string } = {}): void {
  const px = opts.prefix ?? 'syn';
  const rnd = mulberry32(opts.seed ?? 7);
  const pick = <T>(items: readonly (readonly [T, number])[]): T => {
    let u = rnd() * items.reduce((s, [, w]) => s + w, 0);
    for (const [v, w] of items) if ((u -= w) < 0) return v;
    return items[items.length - 1][0];
  };
  store.settings.set({ env: 'test', scope: 'account', controlBaseline: 'stripe', controlShare: 0.2, dunningDays: 14, baselineWindowDays: 14, armsAssignedAt: START, defaultTimezone: 'UTC', mode: 'live' });
  const n = opts.cases ?? 900;
  store.tx(() => {
    for (let i = 0; i < n; i++) {
      const arm = rnd() < 0.2 ? 'control' : 'treatment';
      const currency = pick([['usd', 80], ['eur', 15], ['jpy', 5]] as const);
      const amount = currency === 'jpy' ? pick([[980, 3], [1980, 2], [4980, 1]] as const) : pick([[900, 3], [1900, 4], [2900, 3], [4900, 2], [9900, 1]] as const);
      const brand = pick([['visa', 55], ['mastercard', 35], ['amex', 10]] as const);
      const tz = pick([['America/New_York', 30], ['America/Los_Angeles', 20], ['Europe/London', 15], ['Europe/Berlin', 15], ['Asia/Tokyo', 5], [null, 15]] as const);
      const code = pick([['insufficient_funds', 45], ['do_not_honor', 20], ['generic_decline', 15], ['expired_card', 10], ['card_declined', 5], ['lost_card', 3], ['stolen_card', 2]] as const);
      const entered = START + Math.floor(rnd() * 28 * DAY_MS);
      const deadline = entered + 14 * DAY_MS;
      const id = addCase(store, {
        invoice: `in_${px}${String(i).padStart(4, '0')}`,
        customer: `cus_${px}${String(i).padStart(4, '0')}`,
        arm,
        amount,
        currency,
        entered,
        deadline,
        brand,
        fingerprint: `fp_${px}${i}`,
        tz,
        opening: code,
        status: code === 'expired_card' ? 'waiting_card_update' : undefined,
      });
      if (code === 'lost_card' || code === 'stolen_card') {
        ended(store, id, 'hard_declined', entered);
        continue;
      }
      // A customer who pays by themselves (new card, other method) at some point.
      const selfPay = rnd() < (code === 'expired_card' ? 0.45 : 0.06) ? entered + Math.floor((0.5 + rnd() * 9) * DAY_MS) : Infinity;
      if (code === 'expired_card') {
        if (selfPay < Math.min(deadline, SYN_NOW)) {
          observed(store, id, 'customer', selfPay, 'succeeded');
          recovered(store, id, selfPay, 'customer', amount);
        } else if (deadline <= SYN_NOW) ended(store, id, 'lost', deadline);
        continue;
      }
      // Treatment: recover's timing (good local hours); control: Stripe's schedule at any hour.
      const offsets = arm === 'treatment' ? [1, 3, 5, 8, 11] : [3, 5, 7, 10, 13];
      const probs = arm === 'treatment' ? [0.27, 0.22, 0.18, 0.14, 0.1] : [0.15, 0.12, 0.1, 0.08, 0.06];
      let done = false;
      for (let k = 0; k < offsets.length && !done; k++) {
        let at = entered + offsets[k] * DAY_MS;
        if (arm === 'treatment') {
          const zone = tz ?? 'UTC';
          const local = new Date(at + 0);
          const hour = pick([[9, 3], [10, 3], [11, 2], [13, 1], [17, 2], [18, 2], [19, 1]] as const);
          at = localToUtc(zone, local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate(), hour, Math.floor(rnd() * 60)) ?? at;
        } else {
          at += Math.floor(rnd() * 24) * HOUR_MS;
        }
        if (selfPay < at) break;
        if (at >= SYN_NOW || at >= deadline) break;
        const ok = rnd() < probs[k];
        if (arm === 'treatment') ourAttempt(store, id, at, ok ? 'succeeded' : 'declined', code);
        else if (ok && rnd() < 0.3) {
          // Stripe's successful retry seen only through invoice.paid
        } else observed(store, id, 'stripe', at, ok ? 'succeeded' : 'declined', code);
        if (ok) {
          recovered(store, id, at, arm === 'treatment' ? 'recover' : 'stripe', amount);
          done = true;
        }
      }
      if (done) continue;
      if (selfPay < Math.min(deadline, SYN_NOW)) {
        observed(store, id, 'customer', selfPay, 'succeeded');
        recovered(store, id, selfPay, 'customer', amount);
      } else if (deadline <= SYN_NOW) ended(store, id, 'lost', deadline);
    }

    // Three months of history before takeover: Stripe recovered about 45%.
    for (let i = 0; i < 300; i++) {
      const failed = Date.UTC(2025, 10, 1) + Math.floor(rnd() * 85 * DAY_MS);
      const amount = pick([[900, 3], [1900, 4], [2900, 3], [4900, 2]] as const);
      const tries = 1 + Math.floor(rnd() * 4);
      for (let k = 0; k < tries; k++) {
        store.history.insert({ id: `ch_${px}h${i}_${k}`, accountId: 'self', invoiceId: `in_${px}h${i}`, amount, currency: 'usd', status: 'failed', created: failed + k * 3 * DAY_MS, declineCode: 'insufficient_funds' });
      }
      if (rnd() < 0.45) store.history.insert({ id: `ch_${px}h${i}_ok`, accountId: 'self', invoiceId: `in_${px}h${i}`, amount, currency: 'usd', status: 'succeeded', created: failed + tries * 3 * DAY_MS });
    }
  });
}
