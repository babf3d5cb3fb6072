import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { DAY_MS } from '../../src/clock.js';
import { PAY_LIBRARY, decide, payBelief, statKeysFor } from '../../src/policy/index.js';
import type { CustomerPayment, Decision } from '../../src/policy/index.js';
import { FAILED_AT, makeInput } from './input.js';

const TZ = 'America/Chicago';
const UNTIL = FAILED_AT + 30 * DAY_MS;
const at = (iso: string) => DateTime.fromISO(iso, { zone: TZ }).toMillis();
const ok = (iso: string): CustomerPayment => ({ at: at(iso), succeeded: true });
const short = (iso: string): CustomerPayment => ({ at: at(iso), succeeded: false, declineCode: 'insufficient_funds' });

function retry(d: Decision): Extract<Decision, { action: 'retry' }> {
  if (d.action !== 'retry') throw new Error(`expected retry, got ${d.action}: ${d.reason}`);
  return d;
}

/** Paid every other Tuesday (13 Jan 2026 is a payday); short in between and the day before. */
function biweeklyTuesday(): CustomerPayment[] {
  const out: CustomerPayment[] = [];
  for (let k = 12; k >= 1; k--) {
    const payday = DateTime.fromISO('2026-01-13T10:00', { zone: TZ }).minus({ weeks: 2 * k });
    for (const days of [7, 4, 1]) out.push(short(payday.minus({ days }).toISO()!));
    out.push({ at: payday.toMillis(), succeeded: true });
  }
  return out;
}

describe('pay-cycle belief', () => {
  it('the library spans weekly/biweekly on every weekday, dates with three weekend rules, and none', () => {
    expect(PAY_LIBRARY.filter((s) => s.family === 'weekly')).toHaveLength(5);
    expect(PAY_LIBRARY.filter((s) => s.family === 'biweekly')).toHaveLength(10);
    const semi = PAY_LIBRARY.filter((s) => s.family === 'semimonthly').map((s) => s.label);
    expect(semi).toContain('paid around the 1st and the 15th, moved to the business day before weekends');
    expect(semi).toContain('paid around the 1st and the 15th, moved to the business day after weekends');
    expect(semi).toContain('paid around the 1st and the 15th, on the date even at weekends');
    expect(PAY_LIBRARY.filter((s) => s.family === 'none')).toHaveLength(1);
    expect(new Set(PAY_LIBRARY.map((s) => s.id)).size).toBe(PAY_LIBRARY.length);
  });

  it('learns a biweekly Tuesday payer from their history and retries on that payday, naming the belief', () => {
    const input = makeInput();
    const payments = biweeklyTuesday();
    const belief = payBelief({ charges: payments, tz: TZ, stats: new Map(), now: FAILED_AT, until: UNTIL });
    expect(belief.top.label).toMatch(/^paid every other Tuesday/);
    expect(belief.topP).toBeGreaterThan(0.9);
    expect(belief.multiplier(at('2026-01-13T09:00'))).toBeGreaterThan(2 * belief.multiplier(at('2026-01-09T09:00')));
    const d = retry(decide({ ...input, customer: { ...input.customer, payments } }));
    const local = DateTime.fromMillis(d.at, { zone: TZ });
    expect(local.toISODate()! >= '2026-01-13' && local.toISODate()! <= '2026-01-15').toBe(true);
    expect(d.reason).toMatch(/Pay-cycle belief from 49 charges of this customer: paid every other Tuesday \((odd|even) weeks\): \d+%/);
    expect(d.learnAs?.paySchedule).toBe(belief.top.id);
    expect(statKeysFor(d.learnAs!)).toContain(`pay:${belief.top.id}`);
  });

  it('tells the weekend rule apart: 1st and 15th moved to the Monday after', () => {
    const payments = [
      ...['07-01', '07-15', '08-01', '08-15', '09-01', '09-15', '10-01', '10-15'].map((d) => ok(`2025-${d}T11:00`)),
      short('2025-10-31T11:00'), // Friday before Saturday 1 Nov: not paid yet
      short('2025-11-01T11:00'), // and not on the Saturday itself
      ok('2025-11-03T11:00'),
      short('2025-11-14T11:00'), // Friday before Saturday 15 Nov
      short('2025-11-15T11:00'),
      ok('2025-11-17T11:00'),
      ok('2025-12-01T11:00'),
      ok('2025-12-15T11:00'),
    ];
    const b = payBelief({ charges: payments, tz: TZ, stats: new Map(), now: FAILED_AT, until: UNTIL });
    expect(b.top.label).toBe('paid around the 1st and the 15th, moved to the business day after weekends');
    expect(b.topP).toBeGreaterThan(0.5);
  });

  it('without data the belief is the population mix: no clear pattern, and no day is singled out much', () => {
    const b = payBelief({ charges: [], tz: TZ, stats: new Map(), now: FAILED_AT, until: FAILED_AT + 30 * DAY_MS });
    expect(b.topP).toBeLessThan(0.3);
    const ms = Array.from({ length: 28 }, (_, i) => b.multiplier(FAILED_AT + i * DAY_MS));
    const mean = ms.reduce((a, x) => a + x, 0) / ms.length;
    expect(mean).toBeGreaterThan(0.8);
    expect(mean).toBeLessThan(1.25);
    expect(Math.max(...ms)).toBeLessThan(2);
  });

  it("the population's mix is learned from the pay:<id> counts", () => {
    const stats = new Map([['pay:w2', { successes: 300, failures: 300 }]]);
    const b = payBelief({ charges: [], tz: TZ, stats, now: FAILED_AT, until: FAILED_AT + 30 * DAY_MS });
    expect(b.top.id).toBe('w2');
    expect(b.top.label).toBe('paid weekly on Tuesdays');
    expect(b.topP).toBeGreaterThan(0.8);
  });

  it('declines that say nothing about money (issuer, expired card) do not move the belief', () => {
    const none = payBelief({ charges: [], tz: TZ, stats: new Map(), now: FAILED_AT, until: FAILED_AT + DAY_MS });
    const issuer = payBelief({
      charges: [
        { at: at('2026-01-02T10:00'), succeeded: false, declineCode: 'do_not_honor' },
        { at: at('2026-01-03T10:00'), succeeded: false, declineCode: 'expired_card' },
      ],
      tz: TZ,
      stats: new Map(),
      now: FAILED_AT,
      until: FAILED_AT + DAY_MS,
    });
    expect(issuer.observations).toBe(0);
    expect(issuer.topP).toBeCloseTo(none.topP, 10);
  });
});
