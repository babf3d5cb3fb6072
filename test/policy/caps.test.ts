import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../src/clock.js';
import { cardBan, earliestAllowed, NETWORK_CAPS, type CardFacts, type CardHistoryEntry } from '../../src/policy/index.js';

const NOW = Date.UTC(2026, 1, 1, 12);

function card(brand: string, history: CardHistoryEntry[] | undefined, counts: Partial<CardFacts> = {}): CardFacts {
  return {
    brand,
    funding: 'debit',
    fingerprint: 'fp',
    attempts24h: 0,
    attempts30d: 0,
    declines24h: 0,
    sameAmountAttempts30d: 0,
    ...(history ? { history } : {}),
    ...counts,
  };
}

/** n declined attempts ending `lastAgo` before NOW, spaced `gap` apart (oldest first). */
function declines(n: number, gap: number, lastAgo = HOUR_MS, amount = 2900, code = 'insufficient_funds'): CardHistoryEntry[] {
  return Array.from({ length: n }, (_, i) => ({ at: NOW - lastAgo - (n - 1 - i) * gap, amount, currency: 'usd', declined: true, declineCode: code }));
}

describe('network caps', () => {
  it('publishes the limits', () => {
    expect(NETWORK_CAPS.visa.maxAttemptsPer30d).toBe(15);
    expect(NETWORK_CAPS.mastercard.maxDeclinesPer24h).toBe(10);
    expect(NETWORK_CAPS.mastercard.maxSameAmountAttemptsPer30d).toBe(35);
  });

  describe('Visa: at most 15 attempts per card in 30 days', () => {
    it('allows the 15th attempt', () => {
      const h = declines(14, DAY_MS);
      expect(earliestAllowed(card('visa', h), 2900, 'usd', NOW, NOW).notBefore).toBe(NOW);
    });
    it('blocks the 16th until the oldest attempt leaves the window', () => {
      const h = declines(15, DAY_MS);
      const v = earliestAllowed(card('visa', h), 2900, 'usd', NOW, NOW);
      expect(v.rule).toBe('visa_attempts_30d');
      expect(v.notBefore).toBe(h[0].at + 30 * DAY_MS);
    });
    it('counts attempts of every invoice and amount on the card', () => {
      const h = [...declines(8, DAY_MS, HOUR_MS, 900), ...declines(7, DAY_MS, 2 * HOUR_MS, 4900)];
      expect(earliestAllowed(card('visa', h), 2900, 'usd', NOW, NOW).notBefore).toBeGreaterThan(NOW);
    });
    it('with counts only, a full window blocks for 30 days', () => {
      expect(earliestAllowed(card('visa', undefined, { attempts30d: 15 }), 2900, 'usd', NOW, NOW).notBefore).toBe(NOW + 30 * DAY_MS);
      expect(earliestAllowed(card('visa', undefined, { attempts30d: 14 }), 2900, 'usd', NOW, NOW).notBefore).toBe(NOW);
    });
    it('never after a category-1 decline', () => {
      const c = card('visa', declines(1, DAY_MS, DAY_MS, 2900, 'stolen_card'));
      expect(earliestAllowed(c, 2900, 'usd', NOW, NOW).notBefore).toBeNull();
      expect(cardBan(c)).not.toBeNull();
      expect(cardBan(card('visa', declines(1, DAY_MS, DAY_MS, 2900, 'insufficient_funds')))).toBeNull();
    });
  });

  describe('Mastercard', () => {
    it('at most 10 declines per card in 24 hours', () => {
      expect(earliestAllowed(card('mastercard', declines(9, HOUR_MS)), 2900, 'usd', NOW, NOW).notBefore).toBe(NOW);
      const h = declines(10, HOUR_MS);
      const v = earliestAllowed(card('mastercard', h), 2900, 'usd', NOW, NOW);
      expect(v.rule).toBe('mastercard_declines_24h');
      expect(v.notBefore).toBe(h[0].at + 24 * HOUR_MS);
    });
    it('approved attempts do not count towards the 24 h decline limit', () => {
      const h = declines(12, HOUR_MS).map((e, i) => ({ ...e, declined: i < 9 }));
      expect(earliestAllowed(card('mastercard', h), 2900, 'usd', NOW, NOW).notBefore).toBe(NOW);
    });
    it('at most 35 attempts per card and amount in 30 days', () => {
      const same = declines(35, 19 * HOUR_MS, 2 * DAY_MS);
      const v = earliestAllowed(card('mastercard', same), 2900, 'usd', NOW, NOW);
      expect(v.rule).toBe('mastercard_same_amount_30d');
      expect(v.notBefore).toBe(same[0].at + 30 * DAY_MS);
      expect(earliestAllowed(card('mastercard', same), 4900, 'usd', NOW, NOW).notBefore).toBe(NOW);
    });
    it('counts only: declines24h and same-amount counts bind', () => {
      expect(earliestAllowed(card('mastercard', undefined, { declines24h: 10 }), 2900, 'usd', NOW, NOW).notBefore).toBe(NOW + DAY_MS);
      expect(earliestAllowed(card('mastercard', undefined, { sameAmountAttempts30d: 35 }), 2900, 'usd', NOW, NOW).notBefore).toBe(NOW + 30 * DAY_MS);
    });
    it.each(['03', '21'])('MAC %s bans the card', (mac) => {
      const h = [{ at: NOW - DAY_MS, amount: 2900, currency: 'usd', declined: true, declineCode: 'do_not_honor', networkAdviceCode: mac }];
      expect(earliestAllowed(card('mastercard', h), 2900, 'usd', NOW, NOW).notBefore).toBeNull();
    });
    it.each([
      ['24', HOUR_MS],
      ['25', DAY_MS],
      ['26', 2 * DAY_MS],
      ['27', 4 * DAY_MS],
      ['28', 6 * DAY_MS],
      ['29', 8 * DAY_MS],
      ['30', 10 * DAY_MS],
    ])('MAC %s: no attempt sooner than its wait after the decline', (mac, wait) => {
      const at = NOW - 30 * 60_000;
      const h = [{ at, amount: 2900, currency: 'usd', declined: true, declineCode: 'insufficient_funds', networkAdviceCode: mac }];
      expect(earliestAllowed(card('mastercard', h), 2900, 'usd', NOW, NOW).notBefore).toBe(at + wait);
    });
  });

  describe('other brands: our own safety cap', () => {
    it('15 attempts in 30 days and 10 declines in 24 h', () => {
      expect(earliestAllowed(card('amex', declines(15, DAY_MS)), 2900, 'usd', NOW, NOW).rule).toBe('other_attempts_30d');
      expect(earliestAllowed(card('discover', declines(10, HOUR_MS)), 2900, 'usd', NOW, NOW).rule).toBe('other_declines_24h');
    });
  });

  it('Stripe do-not-retry block bans the card', () => {
    const h = [{ at: NOW - DAY_MS, amount: 2900, currency: 'usd', declined: true, declineCode: 'generic_decline', outcomeReason: 'previously_declined_do_not_retry' }];
    expect(earliestAllowed(card('visa', h), 2900, 'usd', NOW, NOW).notBefore).toBeNull();
  });
});
