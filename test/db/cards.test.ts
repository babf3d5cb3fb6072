import { describe, expect, it } from 'vitest';
import { open, T0 } from './helpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('cards and per-card attempt counts', () => {
  it('counts attempts/declines over (now-24h, now] and (now-30d, now], exact at the boundaries', () => {
    const store = open();
    const f = 'fp_visa';
    const log = (at: number, declined: boolean, amount = 1000, currency = 'usd') =>
      store.cards.recordAttempt({ fingerprint: f, at, amount, currency, declined });
    log(T0, true); // at now: counts everywhere
    log(T0 - DAY + 1, true); // 1 ms inside 24 h
    log(T0 - DAY, true); // exactly 24 h old: outside the 24 h window, inside 30 d
    log(T0 - DAY - 1, false, 999); // successful, another amount
    log(T0 - 30 * DAY + 1, true, 1000, 'eur'); // inside 30 d, same amount other currency
    log(T0 - 30 * DAY, true); // exactly 30 d old: outside
    log(T0 + 1, true); // in the future relative to now: not counted
    store.cards.recordAttempt({ fingerprint: 'fp_other', at: T0, amount: 1000, currency: 'usd', declined: true });

    expect(store.cards.attemptCounts(f, T0, 1000, 'usd')).toEqual({
      attempts24h: 2,
      declines24h: 2,
      attempts30d: 5,
      declines30d: 4,
      attemptsSameAmount30d: 3,
      declinesSameAmount30d: 3,
    });
    expect(store.cards.attemptCounts('fp_none', T0, 1000, 'usd')).toEqual({
      attempts24h: 0,
      declines24h: 0,
      attempts30d: 0,
      declines30d: 0,
      attemptsSameAmount30d: 0,
      declinesSameAmount30d: 0,
    });
  });

  it('the same charge or attempt is counted once', () => {
    const store = open();
    const a = { fingerprint: 'fp', at: T0, amount: 500, currency: 'usd', declined: true, chargeId: 'ch_1' };
    expect(store.cards.recordAttempt(a)).toBe(true);
    expect(store.cards.recordAttempt(a)).toBe(false);
    expect(store.cards.attemptCounts('fp', T0, 500, 'usd').attempts24h).toBe(1);
  });

  it('upsert keeps known facts and tracks first/last seen', () => {
    const store = open();
    store.cards.upsert({ fingerprint: 'fp', brand: 'mastercard', funding: 'debit', country: 'DE' }, T0);
    store.cards.upsert({ fingerprint: 'fp', brand: null }, T0 + DAY);
    store.cards.recordAttempt({ fingerprint: 'fp', at: T0 - DAY, amount: 1, currency: 'eur', declined: false });
    expect(store.cards.get('fp')).toEqual({
      fingerprint: 'fp',
      brand: 'mastercard',
      funding: 'debit',
      country: 'DE',
      firstSeen: T0 - DAY,
      lastSeen: T0 + DAY,
    });
  });
});
