/**
 * Money through the daemon and `explain` in Stripe's zero- and three-decimal currencies.
 * Source: Stripe's docs, docs.stripe.com/currencies#zero-decimal ("¥500 … amount=500") and
 * #three-decimal (BHD, JOD, KWD, OMR, TND: amounts in thousandths, "5.124 KWD … 5124").
 */
import { money as planMoney } from '../../src/commands/takeover/print.js';
import { describe, expect, it } from 'vitest';
import type { SeedInput } from '../../src/emulator/index.js';
import { currencyDecimals, formatMinor, majorString } from '../../src/money.js';
import { runCli } from '../helpers/cli.js';
import { DAY, HOUR, startWorld } from './helpers.js';

const customer = (n: string, currency: string, amount: number) => ({
  id: `cus_${n}`,
  timezone: 'Asia/Tokyo',
  country: 'JP',
  currency,
  payment_methods: [
    {
      id: `pm_${n}`,
      brand: 'visa',
      behaviour: { type: 'schedule', decline: { decline_code: 'insufficient_funds' }, succeed_after: '+2d' },
    },
  ],
  subscriptions: [
    {
      id: `sub_${n}`,
      price: amount,
      currency,
      invoices: [{ id: `in_${n}`, amount, currency, created: '+10m' }],
    },
  ],
});
const seed = {
  start: '2026-01-05T00:00:00Z',
  account: { customers: [customer('jpy1', 'jpy', 3000), customer('bhd1', 'bhd', 1500)] },
} as SeedInput;

describe('money in minor units of each currency', () => {
  it('formats zero-, two- and three-decimal currencies', () => {
    expect([currencyDecimals('JPY'), currencyDecimals('usd'), currencyDecimals('kwd')]).toEqual([0, 2, 3]);
    expect(formatMinor(3000, 'jpy')).toBe('3000 JPY');
    expect(formatMinor(5000, 'usd')).toBe('50.00 USD');
    expect(formatMinor(5124, 'kwd')).toBe('5.124 KWD');
    expect(majorString(-5, 'bhd')).toBe('-0.005');
    // The takeover's --dry-run plan prints the same form (its own table printed BHD 1.500 as "15.00 bhd").
    expect(planMoney(1500, 'bhd')).toBe('1.500 BHD');
  });

  it('a ¥3,000 and a BHD 1.500 invoice: the daemon records and explain shows them in their own units', async () => {
    const w = await startWorld({ onboard: ['--control-share', '0'], seed });
    await w.advance(2 * HOUR);
    const mid = await runCli(['--db', w.db, 'explain', 'in_jpy1'], { overrides: { clock: w.clock } });
    expect(mid.code, mid.stderr).toBe(0);
    expect(mid.stdout).toContain('in_jpy1 — 3000 JPY — in_dunning');
    // explain wraps long lines between words (80 columns when piped): match across the breaks.
    expect(mid.stdout.replace(/\n +/g, ' ')).toMatch(/Stripe's attempt 1: declined 3000 JPY \(insufficient_funds/);
    await w.advance(6 * DAY);
    for (const [invoice, shown] of [
      ['in_jpy1', '3000 JPY'],
      ['in_bhd1', '1.500 BHD'],
    ]) {
      const c = w.store.cases.getByInvoice(invoice)!;
      expect(c.status).toBe('recovered');
      const paid = w.store.decisions.listForCase(c.id).find((d) => d.reason.startsWith('Invoice paid'));
      expect(paid?.reason).toContain(`Invoice paid (${shown})`);
      const x = await runCli(['--db', w.db, '--json', 'explain', invoice], { overrides: { clock: w.clock } });
      const timeline = JSON.parse(x.stdout).timeline as Array<{ text: string }>;
      const succeeded = new RegExp(`recover attempt \\d+: succeeded ${shown.replace('.', '\\.')}`);
      expect(timeline.some((e) => succeeded.test(e.text))).toBe(true);
    }
  });
});
