import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { DAY_MS, HOUR_MS } from '../../src/clock.js';
import { BUDGET, LEGACY_FEATURES, decide, learn, makePolicy, makeRecoverDecide, type Decision } from '../../src/policy/index.js';
import { retryCeiling } from '../../src/policy/effort.js';
import { FAILED_AT, failed, makeInput } from './input.js';

function retry(d: Decision): Extract<Decision, { action: 'retry' }> {
  if (d.action !== 'retry') throw new Error(`expected retry, got ${d.action}: ${d.reason}`);
  return d;
}

describe('decide: recover (treatment)', () => {
  it('retries insufficient funds inside the window, in the customer-local morning of a likely payday, and says why', () => {
    const d = retry(decide(makeInput()));
    const local = DateTime.fromMillis(d.at, { zone: 'America/Chicago' });
    expect(local.hour).toBeGreaterThanOrEqual(8);
    expect(local.hour).toBeLessThanOrEqual(20);
    expect(local.minute).toBe(0);
    expect(d.at).toBeGreaterThan(FAILED_AT + 20 * HOUR_MS);
    // A likely payday: a Friday, or the 1st / 15th / last business day.
    expect(local.weekday === 5 || [1, 15].includes(local.day) || local.day >= 28).toBe(true);
    expect(local.hour).toBeLessThan(12);
    expect(d.attemptNumber).toBe(1);
    expect(d.reason).toMatch(
      /^insufficient_funds \(soft\)\. Attempt 2 on this invoice \(retry 1\): worth trying while the next attempt's estimated success × 29\.00 USD due beats its cost \(0\.25 USD\), at most 8\. Chose \w{3} \d+ Jan \d\d:00 America\/Chicago: \d+% estimated success \(.*morning\) vs \d+% at the earliest allowed time \(Wed 7 Jan 08:00\)\./,
    );
    expect(d.reason).toContain('Pay-cycle belief from 1 charge of this customer: no clear pattern yet');
    expect(d.estimate).toBeGreaterThan(0);
    expect(d.learnAs).toMatchObject({ category: 'funds', attemptNumber: 1, timezone: 'America/Chicago' });
  });

  it('is deterministic for the same input and seed', () => {
    expect(decide(makeInput({ seed: 3 }))).toEqual(decide(makeInput({ seed: 3 })));
  });

  it('explores in a bounded way: a near-best slot close to the greedy choice, and says so', () => {
    const greedy = retry(decide(makeInput({ declineCode: 'generic_decline' })));
    const input = makeInput({ declineCode: 'generic_decline' });
    let calls = 0;
    input.random = () => (calls++ === 0 ? 0 : ((calls * 0.618034) % 1)); // explore on the first draw
    const explored = retry(decide(input));
    expect(Math.abs(explored.at - greedy.at)).toBeLessThanOrEqual(36 * HOUR_MS);
    expect(explored.estimate!).toBeGreaterThanOrEqual(0.6 * greedy.estimate! * 0.9);
    if (explored.at !== greedy.at) expect(explored.reason).toContain('Exploring');
  });

  it.each(['lost_card', 'stolen_card', 'pickup_card', 'fraudulent', 'revocation_of_authorization', 'do_not_try_again'])('%s stops at once', (code) => {
    const d = decide(makeInput({ declineCode: code }));
    expect(d).toMatchObject({ action: 'stop', kind: 'hard_decline' });
  });

  it('advice do_not_try_again and Mastercard MAC 03/21 stop', () => {
    expect(decide(makeInput({ declineCode: 'generic_decline', adviceCode: 'do_not_try_again' }))).toMatchObject({ action: 'stop', kind: 'hard_decline' });
    expect(decide(makeInput({ declineCode: 'do_not_honor', brand: 'mastercard', networkAdviceCode: '21' }))).toMatchObject({ action: 'stop', kind: 'hard_decline' });
  });

  it.each(['expired_card', 'incorrect_number', 'authentication_required'])('%s waits for a card update (no blind retries)', (code) => {
    const d = decide(makeInput({ declineCode: code }));
    expect(d).toMatchObject({ action: 'wait', kind: 'needs_card_update' });
    expect(d.reason).toContain('No blind retries');
  });

  it('a new payment method is retried promptly, at the next window slot', () => {
    const updated = FAILED_AT + 2 * DAY_MS + 5 * HOUR_MS; // Thu 8 Jan 14:00 Chicago
    const d = retry(decide(makeInput({ declineCode: 'expired_card', cardUpdatedAt: updated, now: updated })));
    expect(d.at).toBe(updated + HOUR_MS);
    expect(d.reason).toMatch(/^A new payment method arrived/);
    expect(d.learnAs?.category).toBe('new_card');
  });

  it('a new payment method arriving at night is retried at the window opening', () => {
    const updated = Date.UTC(2026, 0, 9, 5); // 23:00 Chicago
    const d = retry(decide(makeInput({ declineCode: 'lost_card', cardUpdatedAt: updated, now: updated })));
    expect(DateTime.fromMillis(d.at, { zone: 'America/Chicago' }).toFormat('ccc HH:mm')).toBe('Fri 08:00');
  });

  it('honours a Mastercard "retry after" code', () => {
    const d = retry(decide(makeInput({ declineCode: 'insufficient_funds', brand: 'mastercard', networkAdviceCode: '28' })));
    expect(d.at).toBeGreaterThanOrEqual(FAILED_AT + 6 * DAY_MS);
    expect(d.reason).toContain('as the issuer/network advised');
  });

  it('retries a technical error within hours, the same day', () => {
    const d = retry(decide(makeInput({ declineCode: 'processing_error' })));
    expect(d.at).toBeGreaterThanOrEqual(FAILED_AT + HOUR_MS);
    expect(d.at).toBeLessThanOrEqual(FAILED_AT + 12 * HOUR_MS);
  });

  it('spreads attempts: the first retry of a 30-day dunning is not spent in the first day', () => {
    const d = retry(decide(makeInput({ declineCode: 'generic_decline' })));
    expect(d.at).toBeGreaterThan(FAILED_AT + 20 * HOUR_MS);
    expect(d.at).toBeLessThan(FAILED_AT + 10 * DAY_MS);
  });

  it('recover-v1 (fixed budgets) stops blind retries when the budget for the decline kind is used up', () => {
    const attempts = Array.from({ length: BUDGET.funds }, (_, i) => failed(FAILED_AT + (i + 1) * 3 * DAY_MS));
    const d = makeRecoverDecide(LEGACY_FEATURES)(makeInput({ attempts }));
    expect(d).toMatchObject({ action: 'wait', kind: 'needs_card_update' });
    expect(d.reason).toContain(`All ${BUDGET.funds} retries`);
    expect(retry(makeRecoverDecide(LEGACY_FEATURES)(makeInput())).reason).toMatch(/^insufficient_funds \(soft\)\. Attempt 2 on this invoice \(retry 1 of at most 5\)\. Chose .*\(payday.*morning\)/);
  });

  it('value-aware stopping: a small invoice stops sooner than a large one, and says what the attempt was worth', () => {
    const retriesUntilStop = (amount: number) => {
      const attempts = [];
      for (let i = 0; i < 12; i++) {
        const d = decide(makeInput({ amount, attempts, declineCode: 'generic_decline' }));
        if (d.action !== 'retry') return { n: i, reason: d.reason };
        attempts.push(failed(d.at, 'generic_decline'));
      }
      return { n: 12, reason: '' };
    };
    const small = retriesUntilStop(300);
    const large = retriesUntilStop(49_900);
    expect(small.n).toBeLessThan(large.n);
    expect(small.n).toBeGreaterThan(0);
    expect(small.reason).toMatch(/estimated success × 3\.00 USD due is worth less than an attempt costs \(0\.25 USD\)/);
    // The ceiling holds (network caps come on top): $499 due is 1,996 attempt costs → 8 + 3.
    expect(large.n).toBeLessThanOrEqual(11);
  });

  it('the safety ceiling on blind retries per card grows with the amount due: 8 for $29, 17 for $10,000', () => {
    const after = (n: number, amount: number, name = 'recover') => {
      const attempts = Array.from({ length: n }, (_, i) => failed(FAILED_AT + (i + 1) * 3 * DAY_MS));
      return makePolicy(name).decide(makeInput({ attempts, amount, dunningDays: 60, now: attempts[n - 1].at }));
    };
    const small = after(8, 2900);
    expect(small).toMatchObject({ action: 'wait', kind: 'needs_card_update' });
    expect(small.reason).toContain('All 8 retries recover allows on this card for this kind of decline are used (a safety ceiling)');
    // $10,000 = 40,000 attempt costs of 25 ¢: 1.5 more per doubling above 400 (6.6 doublings), at most 20.
    const large = retry(after(8, 1_000_000));
    expect(large.reason).toContain('at most 17, raised from 8 for the amount due');
    expect(after(17, 1_000_000).reason).toContain('All 17 retries recover allows on this card for this kind of decline are used (a safety ceiling, raised from 8 for the amount due)');
    // The ablation keeps 8 for every amount.
    expect(after(8, 1_000_000, 'recover-no-amount-ceiling')).toMatchObject({ action: 'wait', kind: 'needs_card_update' });
    expect([2900, 9900, 20_000, 40_000, 99_000, 499_000, 1_000_000].map((a) => retryCeiling(a, 25))).toEqual([8, 8, 9, 11, 12, 16, 17]);
    expect(retryCeiling(100_000_000, 25)).toBe(20);
  });

  it('never schedules at or after the dunning deadline', () => {
    const now = FAILED_AT + 30 * DAY_MS - 2 * HOUR_MS;
    const d = decide(makeInput({ attempts: [failed(now - 21 * HOUR_MS)], now }));
    expect(d.action === 'retry' ? d.at : 0).toBeLessThan(FAILED_AT + 30 * DAY_MS);
    expect(decide(makeInput({ now: FAILED_AT + 30 * DAY_MS }))).toMatchObject({ action: 'stop', kind: 'dunning_over' });
  });

  it('a full Visa card (15 attempts in 30 days across invoices) is held back or stopped', () => {
    const other = Array.from({ length: 14 }, (_, i) => ({ at: FAILED_AT - (i + 1) * HOUR_MS, amount: 900, currency: 'usd', declined: true, declineCode: 'insufficient_funds' }));
    const d = decide(makeInput({ otherCardHistory: other }));
    if (d.action === 'retry') {
      expect(d.at).toBeGreaterThanOrEqual(other[other.length - 1].at + 30 * DAY_MS);
      expect(d.reason).toContain('network limit');
    } else expect(d).toMatchObject({ action: 'stop', kind: 'network_cap' });
  });

  it('a category-1 decline of another invoice on the same Visa card stops this one', () => {
    const other = [{ at: FAILED_AT - DAY_MS, amount: 900, currency: 'usd', declined: true, declineCode: 'stolen_card' }];
    expect(decide(makeInput({ otherCardHistory: other }))).toMatchObject({ action: 'stop', kind: 'network_cap' });
  });

  it("learns: the merchant's own outcomes move the estimate", () => {
    const input = makeInput({ declineCode: 'generic_decline' });
    const before = retry(decide(input)).estimate!;
    const stats = new Map<string, { successes: number; failures: number }>();
    for (let i = 0; i < 400; i++) learn(stats, { category: 'issuer', attemptNumber: 1, at: FAILED_AT + i * HOUR_MS, timezone: 'America/Chicago' }, i % 10 < 8);
    const after = retry(decide({ ...input, stats })).estimate!;
    expect(after).toBeGreaterThan(before * 2);
    expect(retry(decide({ ...input, stats })).reason).toContain('400 of your own outcomes');
  });

  it('uses the default timezone when the customer has none, and says so', () => {
    const input = makeInput();
    input.customer = {};
    input.settings = { ...input.settings, defaultTimezone: 'Europe/Berlin' };
    expect(retry(decide(input)).reason).toContain('Europe/Berlin (default; customer timezone unknown)');
  });
});

describe('decide: control group', () => {
  it('baseline stripe: recover only observes', () => {
    expect(decide(makeInput({ arm: 'control', baseline: 'stripe' }))).toMatchObject({ action: 'wait', kind: 'observe' });
  });

  it('baseline fixed:3,5,7: 3 days after the failure, then 5, then 7 days after the previous attempt', () => {
    const first = retry(decide(makeInput({ arm: 'control', baseline: 'fixed:3,5,7' })));
    expect(first.at).toBe(FAILED_AT + 3 * DAY_MS);
    expect(first.reason).toMatch(/^Control group \(baseline fixed:3,5,7\)/);
    const a1 = FAILED_AT + 3 * DAY_MS;
    const second = retry(decide(makeInput({ arm: 'control', baseline: 'fixed:3,5,7', attempts: [failed(a1)] })));
    expect(second.at).toBe(a1 + 5 * DAY_MS);
    const a2 = a1 + 5 * DAY_MS;
    const third = retry(decide(makeInput({ arm: 'control', baseline: 'fixed:3,5,7', attempts: [failed(a1), failed(a2)] })));
    expect(third.at).toBe(a2 + 7 * DAY_MS);
    const done = decide(makeInput({ arm: 'control', baseline: 'fixed:3,5,7', attempts: [failed(a1), failed(a2), failed(a2 + 7 * DAY_MS)] }));
    expect(done).toMatchObject({ action: 'stop', kind: 'dunning_over' });
  });

  it('baseline fixed still stops on hard declines and honours the caps', () => {
    expect(decide(makeInput({ arm: 'control', baseline: 'fixed:3,5,7', declineCode: 'stolen_card' }))).toMatchObject({ action: 'stop', kind: 'hard_decline' });
    const d = retry(decide(makeInput({ arm: 'control', baseline: 'fixed:3,5,7', brand: 'mastercard', networkAdviceCode: '28' })));
    expect(d.at).toBe(FAILED_AT + 6 * DAY_MS);
  });
});
