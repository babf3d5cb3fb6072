/**
 * Never twice without an idempotency key: Recharge's `POST /charges/{id}/process` takes none
 * (docs.rechargepayments.com/docs/charges), so an attempt whose answer was lost is never sent
 * again. Here a real HTTP interposer forwards recover's first process call to the emulator (the
 * charge goes through) and loses the answer (502); the daemon gives the attempt back with its
 * start kept, and on the next pass resolves it from the charge's state (status success,
 * charge_attempts moved) instead of processing again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { interpose } from '../helpers/interpose.js';
import { DAY, HOUR, customer, rechargeWorld, run, stopAll, TOKEN } from './daemon-helpers.js';

afterEach(stopAll);

describe('an interrupted Recharge attempt', () => {
  it('is resolved from the charge, never processed a second time', async () => {
    let emuUrl = '';
    let lost = 0;
    const w = await rechargeWorld({
      apiBase: async (url) => {
        emuUrl = url;
        const proxy = await interpose(url, async (req) => {
          if (req.method !== 'POST' || !/^\/charges\/[1-9]\d*\/process$/.test(req.path) || lost > 0) return;
          lost++;
          const headers = { 'X-Recharge-Access-Token': TOKEN, 'X-Recharge-Version': '2021-11' };
          await fetch(`${url}${req.path}`, { method: 'POST', headers }); // it reaches Recharge…
          throw new Error('answer lost'); // …and the answer never comes back (502)
        });
        return proxy.url;
      },
    });
    expect(emuUrl).toBe(w.emu.url);
    await customer(w.emu, 'late@example.com', {
      type: 'decline_until',
      error_type: 'INSUFFICIENT_FUNDS',
      until_ms: w.emu.now() + 2 * HOUR,
    });
    const up = await w.start();
    const s = up.store.settings.require();
    up.store.settings.set({ ...s, recharge: { ...s.recharge!, mode: 'live' } });
    await run({ emu: w.emu, daemon: up.daemon, clock: up.clock }, 6 * DAY, 6 * HOUR);

    expect(lost).toBe(1);
    // One real process call (onboarding's plan check on id 0 aside), though the daemon ran the attempt twice.
    expect((w.emu.requests().byRoute['POST /charges/:id/process'] ?? 0) - 1).toBe(1);
    const [c] = [...up.store.cases.iterate({ enteredSince: 0, enteredUntil: Number.MAX_SAFE_INTEGER })];
    expect(c).toMatchObject({ status: 'recovered', recoveredBy: 'recover', recoveredAmount: 2450 });
    const ours = up.store.attempts.listForCase(c!.id).filter((a) => a.by === 'recover' && a.outcome !== 'shadow');
    expect(ours).toHaveLength(1);
    // Started once: the resumed attempt went straight to the charge's state, without a second start.
    expect(ours[0]).toMatchObject({ outcome: 'succeeded', tries: 1 });
    expect(up.log.text()).toContain('resolved from the platform, not replayed');
  }, 60_000);
});
