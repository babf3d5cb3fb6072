/**
 * The network-cap audit, recounted from the attempts table of a seeded database: each scenario
 * is built so that exactly the attempts named in the comments break a rule.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, HOUR_MS } from '../../src/clock.js';
import { openStore, type Store } from '../../src/db/index.js';
import { buildReport } from '../../src/report/index.js';
import { tempDb } from '../helpers/env.js';
import { addCase, observed, ourAttempt } from './seed.js';

const FEB = (d: number, h = 0) => Date.UTC(2026, 1, d, h);
const NOW = Date.UTC(2026, 2, 1, 12);
const PERIOD = { since: FEB(1), until: Date.UTC(2026, 2, 1) };

function store(): Store {
  const s = openStore(tempDb(), { clock: new FakeClock(NOW) });
  s.settings.set({ env: 'test', scope: 'account' });
  return s;
}
const caps = (s: Store) => buildReport(s, { now: NOW, period: PERIOD }).headline.networkCapViolations;

describe('network-cap audit', () => {
  it('Visa: the 16th attempt on a card in 30 days', () => {
    const s = store();
    // Stripe's opening decline + 15 of ours every 12 h: our 15th is the card's 16th attempt.
    const id = addCase(s, { arm: 'treatment', amount: 1000, currency: 'usd', entered: FEB(1), brand: 'visa', fingerprint: 'fp_V', opening: 'insufficient_funds' });
    const ids: number[] = [];
    for (let k = 1; k <= 15; k++) ids.push(ourAttempt(s, id, FEB(1) + k * 12 * HOUR_MS, 'declined'));
    const c = caps(s);
    expect(c.total).toBe(1);
    expect(c.byRule.visa_attempts_30d).toBe(1);
    expect(c.audited).toBe(15);
    expect(c.examples).toEqual([{ rule: 'visa_attempts_30d', attemptId: ids[14], caseId: id, fingerprint: 'fp_V', brand: 'visa', at: FEB(1) + 15 * 12 * HOUR_MS, count: 16, limit: 15 }]);
  });

  it('Mastercard: the 11th decline in 24 h (a success does not count as a decline)', () => {
    const s = store();
    const id = addCase(s, { arm: 'treatment', amount: 1000, currency: 'usd', entered: FEB(10), brand: 'mastercard', fingerprint: 'fp_M', opening: 'insufficient_funds' });
    for (let k = 1; k <= 10; k++) ourAttempt(s, id, FEB(10) + k * HOUR_MS, 'declined'); // the 10th is the 11th decline
    ourAttempt(s, id, FEB(10) + 11 * HOUR_MS, 'succeeded');
    const c = caps(s);
    expect(c.byRule).toEqual({ visa_attempts_30d: 0, mastercard_declines_24h: 1, mastercard_same_amount_30d: 0, after_do_not_retry: 0 });
    expect(c.examples[0]).toMatchObject({ rule: 'mastercard_declines_24h', count: 11, limit: 10, at: FEB(10) + 10 * HOUR_MS });
  });

  it('Mastercard: the 36th attempt for the same amount in 30 days, across invoices', () => {
    const s = store();
    // 4 invoices of the same amount on one card, 9 attempts each (opening + 8 of ours), 18 h apart.
    let t = FEB(1);
    for (let i = 0; i < 4; i++) {
      const id = addCase(s, { arm: 'treatment', amount: 2900, currency: 'usd', entered: t, brand: 'mastercard', fingerprint: 'fp_S', opening: 'insufficient_funds' });
      for (let k = 0; k < 8; k++) ourAttempt(s, id, (t += 18 * HOUR_MS), 'declined');
      t += 18 * HOUR_MS;
    }
    // Another amount on the same card does not count towards it.
    const other = addCase(s, { arm: 'treatment', amount: 1000, currency: 'usd', entered: FEB(2), brand: 'mastercard', fingerprint: 'fp_S', opening: 'insufficient_funds' });
    ourAttempt(s, other, FEB(2, 6), 'declined');
    const c = caps(s);
    expect(c.byRule.mastercard_same_amount_30d).toBe(1);
    expect(c.total).toBe(1);
    expect(c.examples[0]).toMatchObject({ count: 36, limit: 35 });
  });

  it('any brand: an attempt after a decline that bans the card', () => {
    const s = store();
    const id = addCase(s, { arm: 'treatment', amount: 1000, currency: 'usd', entered: FEB(3), brand: 'amex', fingerprint: 'fp_B' });
    observed(s, id, 'stripe', FEB(3), 'declined', 'generic_decline', { adviceCode: 'do_not_try_again' });
    ourAttempt(s, id, FEB(5), 'declined');
    expect(caps(s).byRule.after_do_not_retry).toBe(1);
  });

  it("only our attempts are judged; Stripe's count in the windows but are not ours to answer for", () => {
    const s = store();
    const id = addCase(s, { arm: 'control', amount: 1000, currency: 'usd', entered: FEB(1), brand: 'visa', fingerprint: 'fp_X', opening: 'insufficient_funds' });
    for (let k = 1; k <= 16; k++) observed(s, id, 'stripe', FEB(1) + k * HOUR_MS, 'declined');
    const c = caps(s);
    expect(c.total).toBe(0);
    expect(c.audited).toBe(0);
  });

  it('counts attempts on the card they were made with (card_attempts), not the case’s current card', () => {
    const s = store();
    // 10 attempts on the old card, then the customer's new card: 6 more. 17 on one card would break
    // Visa's 15; split as they really were (10 | opening + 6), nothing is broken.
    const id = addCase(s, { arm: 'treatment', amount: 1000, currency: 'usd', entered: FEB(1), brand: 'visa', fingerprint: 'fp_old', opening: 'insufficient_funds' });
    for (let k = 1; k <= 10; k++) {
      const at = FEB(1) + k * 12 * HOUR_MS;
      const a = ourAttempt(s, id, at, 'declined');
      s.cards.recordAttempt({ fingerprint: 'fp_old', at, amount: 1000, currency: 'usd', declined: true, attemptId: a });
    }
    s.cases.update(id, { cardFingerprint: 'fp_new' });
    for (let k = 1; k <= 6; k++) {
      const at = FEB(8) + k * 12 * HOUR_MS;
      const a = ourAttempt(s, id, at, 'declined');
      s.cards.recordAttempt({ fingerprint: 'fp_new', at, amount: 1000, currency: 'usd', declined: true, attemptId: a });
    }
    const c = caps(s);
    expect(c.audited).toBe(16);
    expect(c.total).toBe(0);
  });

  it('windows include the 30 days before the period', () => {
    const s = store();
    // 14 attempts in late January, 2 of ours on February 1: the second is the 16th in 30 days.
    const id = addCase(s, { arm: 'treatment', amount: 1000, currency: 'usd', entered: Date.UTC(2026, 0, 20), brand: 'visa', fingerprint: 'fp_J', opening: 'insufficient_funds' });
    for (let k = 1; k <= 13; k++) ourAttempt(s, id, Date.UTC(2026, 0, 20) + k * 12 * HOUR_MS, 'declined');
    ourAttempt(s, id, FEB(1, 1), 'declined');
    ourAttempt(s, id, FEB(1, 2), 'declined');
    const c = caps(s);
    expect(c.audited).toBe(2); // only February's attempts are judged (the case entered in January)
    expect(c.total).toBe(1);
    expect(c.examples[0]).toMatchObject({ at: FEB(1, 2), count: 16 });
  });
});
