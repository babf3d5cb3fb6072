/**
 * Shadow mode records what live mode would do, with the same spacing: one card that always
 * declines with insufficient_funds, 14 days in each mode, Smart Retries off (so Stripe's own
 * retries, which shadow mode leaves on, do not change the case under test). Before the fix, shadow mode counted each
 * would-be attempt's gap from the last real decline (already past), so the attempts piled onto
 * one instant and used up the case's budget at once.
 */
import { describe, expect, it } from 'vitest';
import type { SeedInput } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';
import { DAY, HOUR, startWorld } from '../daemon/helpers.js';

const START = Date.UTC(2026, 0, 5, 12);

function seed(tag: string): SeedInput {
  return {
    start: START,
    account: {
      customers: [{
        id: `cus_${tag}`, timezone: 'America/Chicago', country: 'US',
        payment_methods: [{ id: `pm_${tag}`, brand: 'visa', behaviour: { type: 'decline', decline_code: 'insufficient_funds' } as never }],
        subscriptions: [{ id: `sub_${tag}`, price: 3000, invoices: [{ id: `in_${tag}`, amount: 3000, created: '+10m' }] }],
      }],
    },
  };
}

async function attemptTimes(shadow: boolean): Promise<number[]> {
  const w = await startWorld({
    onboard: ['--control-share', '0', '--dunning-days', '30', '--windows', '* * * * *'],
    seed: seed('sp1'), daemon: { shadow }, smartRetries: false,
  });
  await w.advance(14 * DAY, HOUR);
  const c = w.store.cases.getByInvoice('in_sp1')!;
  const done = w.store.attempts.listForCase(c.id).filter((a) => a.by === 'recover' && a.finishedAt !== null);
  await w.daemon.stop();
  return done.map((a) => a.finishedAt!).sort((a, b) => a - b);
}

describe('shadow mode spacing', () => {
  it('would-be attempts are spaced like live ones (funds declines: at least 20 h apart), not piled onto one instant', async () => {
    const live = await attemptTimes(false);
    const shadow = await attemptTimes(true);
    expect(live.length).toBeGreaterThanOrEqual(2);
    // The same decisions at the same times (the policy's random source is seeded by case, attempt
    // count and time, so equal histories give equal choices). Before the fix: 4 attempts at one instant.
    expect(shadow).toEqual(live);
    // src/policy/priors.ts MIN_GAP_MS.funds: 20 h between attempts after an insufficient_funds decline.
    for (let i = 1; i < shadow.length; i++) expect(shadow[i]! - shadow[i - 1]!, `gap ${i}`).toBeGreaterThanOrEqual(20 * HOUR);
  });

  it('a running daemon logs the switch made by go-live and its first live attempt; the invoice is paused first', async () => {
    const w = await startWorld({ onboard: ['--control-share', '0', '--mode', 'shadow'], seed: seed('gl1'), smartRetries: false });
    await w.advance(2 * HOUR);
    expect(w.store.cases.getByInvoice('in_gl1')!.pausedStripe).toBe(false);
    const r = await runCli(['--db', w.db, '--stripe-api-base', w.emu.url, 'go-live', '--yes'], { overrides: { clock: w.clock } });
    expect(r.code, r.stderr).toBe(0);
    expect(w.emu.state().invoices.find((i) => i.id === 'in_gl1')).toMatchObject({ auto_advance: false });
    await w.advance(10 * DAY);
    const msgs = w.log.lines().map((l) => l.msg);
    expect(msgs).toContain('switched to live mode: attempts now charge');
    expect(msgs).toContain('first live attempt: recover is charging');
    expect(msgs.indexOf('switched to live mode: attempts now charge')).toBeLessThan(msgs.indexOf('first live attempt: recover is charging'));
  });
});
