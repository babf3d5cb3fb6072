/** Money per currency, the period flags, and the text/CSV renderers' edges. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/clock.js';
import { UsageError } from '../../src/errors.js';
import { computeReport, printReport, renderCsv, renderHtml, resolvePeriod } from '../../src/report/index.js';
import { compactAmounts, currencyDecimals, formatAmounts, formatMoney, majorString } from '../../src/report/money.js';
import { formatPeriod } from '../../src/report/period.js';
import { Output } from '../../src/ui/output.js';

describe('money', () => {
  it('formats minor units with the currency’s decimals (Stripe’s zero- and three-decimal lists)', () => {
    expect(formatMoney(123456, 'usd')).toBe('$1,234.56');
    expect(formatMoney(1900, 'eur')).toBe('€19.00');
    expect(formatMoney(3000, 'jpy')).toBe('¥3,000');
    expect(formatMoney(5000, 'krw')).toBe('₩5,000');
    expect(formatMoney(1500, 'bhd')).toBe('BHD 1.500');
    expect(formatMoney(-250, 'gbp')).toBe('-£2.50');
    expect(formatMoney(1234, 'xyz')).toBe('XYZ 12.34');
    expect(formatMoney(1234, 'x1')).toBe('12.34 X1');
    expect(currencyDecimals('JPY')).toBe(0);
    expect(majorString(5, 'usd')).toBe('0.05');
    expect(majorString(-1234, 'usd')).toBe('-12.34');
    expect(majorString(3000, 'jpy')).toBe('3000');
    expect(majorString(1500, 'kwd')).toBe('1.500');
    expect(formatAmounts({ usd: 100, eur: 200 })).toBe('€2.00 + $1.00');
    expect(formatAmounts({})).toBe('—');
    expect(compactAmounts({ usd: 100, eur: 200, jpy: 5 }, 'usd')).toEqual({ text: '$1.00 + 2 more', more: 2 });
    expect(compactAmounts({ eur: 200 }, 'usd')).toEqual({ text: '€2.00', more: 0 });
    expect(compactAmounts({}, 'usd').text).toBe('—');
  });
});

describe('period', () => {
  const now = Date.UTC(2026, 2, 1, 12);
  it('defaults to the 30 days before now; dates, date-times and durations', () => {
    expect(resolvePeriod({ now, timezone: 'UTC' })).toEqual({ since: now - 30 * DAY_MS, until: now });
    expect(resolvePeriod({ now, timezone: 'UTC', since: '7d' })).toEqual({ since: now - 7 * DAY_MS, until: now });
    expect(resolvePeriod({ now, timezone: 'UTC', until: '2026-02-10' })).toEqual({ since: Date.UTC(2026, 1, 11) - 30 * DAY_MS, until: Date.UTC(2026, 1, 11) });
    expect(resolvePeriod({ now, timezone: 'UTC', since: '2026-02-01T08:30:00Z', until: '2026-02-02T00:00:00+01:00' })).toEqual({ since: Date.UTC(2026, 1, 1, 8, 30), until: Date.UTC(2026, 1, 1, 23) });
  });
  it('reads dates in the merchant’s zone', () => {
    // Midnight in New York (UTC-5 in February) is 05:00 UTC.
    expect(resolvePeriod({ now, timezone: 'America/New_York', since: '2026-02-01', until: '2026-02-28' })).toEqual({ since: Date.UTC(2026, 1, 1, 5), until: Date.UTC(2026, 2, 1, 5) });
  });
  it('refuses nonsense and empty periods', () => {
    expect(() => resolvePeriod({ now, timezone: 'UTC', since: 'last week' })).toThrow(UsageError);
    expect(() => resolvePeriod({ now, timezone: 'UTC', since: '30x' })).toThrow(UsageError);
    expect(() => resolvePeriod({ now, timezone: 'UTC', since: '2026-03-01', until: '2026-02-01' })).toThrow(/the period is empty/);
  });
  it('shows whole days with the end included', () => {
    expect(formatPeriod(Date.UTC(2026, 1, 1), Date.UTC(2026, 2, 1), 'UTC')).toBe('2026-02-01 → 2026-02-28');
    expect(formatPeriod(Date.UTC(2026, 1, 1), Date.UTC(2026, 1, 2), 'UTC')).toBe('2026-02-01');
    expect(formatPeriod(Date.UTC(2026, 1, 1, 8), Date.UTC(2026, 1, 2), 'UTC')).toBe('2026-02-01 08:00 → 2026-02-02 00:00');
  });
});

describe('renderers on an empty database', () => {
  const empty = computeReport({
    now: Date.UTC(2026, 2, 1),
    since: Date.UTC(2026, 1, 1),
    until: Date.UTC(2026, 2, 1),
    timezone: 'UTC',
    account: null,
    baseline: null,
    caseGroups: [],
    declineGroups: [],
    brandGroups: [],
    recovered: [],
    retries: [],
    capViolations: { total: 0, byRule: { visa_attempts_30d: 0, mastercard_declines_24h: 0, mastercard_same_amount_30d: 0, after_do_not_retry: 0 }, examples: [], audited: 0 },
    history: [],
  });

  it('says there is nothing to measure instead of dividing by zero', () => {
    expect(empty.headline.recoveryRate).toBeNull();
    expect(empty.lift.status).toBe('no_control');
    expect(empty.lift.baselineLabel).toBe('unknown (not onboarded)');
    expect(empty.preTakeover).toBeNull();
    expect(empty.timeline).toHaveLength(28);
    const html = renderHtml(empty);
    expect(html).toContain('No recovery in this period yet.');
    expect(html).toContain('no control cases');
    expect(renderCsv(empty).split('\n')[0]).toBe('section,key,metric,value,currency');
  });

  it('colours the tables on a terminal, and not under NO_COLOR', () => {
    const run = (env: NodeJS.ProcessEnv) => {
      const stdout = Object.assign(new PassThrough(), { isTTY: true });
      let text = '';
      stdout.on('data', (c: Buffer) => (text += c.toString()));
      printReport(empty, new Output({ stdout, stderr: new PassThrough(), env }));
      return text;
    };
    expect(run({})).toMatch(/\u001b\[/);
    expect(run({ NO_COLOR: '1' })).not.toMatch(/\u001b\[/);
  });

  it('escapes CSV cells and defuses spreadsheet formulas', () => {
    const r = { ...empty, feed: [{ at: 0, atIso: '1970-01-01T00:00:00.000Z', accountId: 'self', invoiceId: 'in_"x",y', customerId: '=cmd()', amount: 100, currency: 'usd', attempt: 1, by: 'recover' as const, how: 'our retry', arm: 'treatment' as const }] };
    const csv = renderCsv(r);
    expect(csv).toContain(`feed,"in_""x"",y",customer,'=cmd(),`);
    expect(csv).toContain(`feed,"in_""x"",y",amount,1.00,usd`);
  });

  it('escapes HTML', () => {
    const r = { ...empty, account: '<script>alert(1)</script>' };
    const html = renderHtml(r);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });
});
