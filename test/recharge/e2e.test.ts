/**
 * A Recharge store end to end with a token holding exactly the required scopes: onboard →
 * failures arrive by signed webhook (both signature schemes sent, src/emulators/recharge/README.md)
 * → cases → shadow (no charge) → live → `POST /charges/{id}/process` retries → recovered; every
 * process call is one attempt of recover's (never twice), and a charge Recharge plans to retry
 * itself is left to it (after a card update Recharge retries the next day: README, assumption).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import type { Store } from '../../src/db/index.js';
import { runCli } from '../helpers/cli.js';
import { DAY, HOUR, customer, rechargeWorld, run, stopAll } from './daemon-helpers.js';

afterEach(stopAll);

function goLive(store: Store): void {
  const s = store.settings.require();
  store.settings.set({ ...s, recharge: { ...s.recharge!, mode: 'live' } });
}

function rows(store: Store) {
  const cases = [...store.cases.iterate({ enteredSince: 0, enteredUntil: Number.MAX_SAFE_INTEGER })];
  return cases.map((c) => ({ c, attempts: store.attempts.listForCase(c.id) }));
}

describe('Recharge end to end', () => {
  it('opens cases by webhook, charges nothing in shadow, recovers in live, one process call per attempt', async () => {
    const w = await rechargeWorld();
    const t0 = w.emu.now();
    for (let i = 0; i < 12; i++) {
      await customer(w.emu, `funds${i}@example.com`, {
        type: 'decline_until',
        error_type: 'INSUFFICIENT_FUNDS',
        until_ms: t0 + (2 + (i % 4)) * DAY,
      });
    }
    const never = await customer(w.emu, 'never@example.com', { type: 'decline', error_type: 'CARD_DECLINED' });
    await customer(w.emu, 'payer@example.com', { type: 'succeed' });
    const { daemon, store, clock } = await w.start();
    // Onboarding's plan check called /process once, on a charge id that cannot exist.
    const process = () => (w.emu.requests().byRoute['POST /charges/:id/process'] ?? 0) - 1;
    const world = { emu: w.emu, daemon, clock };

    await run(world, 2 * HOUR, HOUR);
    let all = rows(store);
    expect(all).toHaveLength(13); // 12 + the never-paying one; the payer never failed
    expect(
      all.every(({ c }) => c.platform === 'recharge' && c.source === 'webhook' && c.accountId === 'rc_store'),
    ).toBe(true);
    expect(all.every(({ c }) => c.amountDue === 2450 && c.currency === 'usd')).toBe(true);

    await run(world, 3 * DAY, 12 * HOUR); // shadow: would-be attempts only
    expect(process()).toBe(0);
    expect(rows(store).some(({ attempts }) => attempts.some((a) => a.outcome === 'shadow'))).toBe(true);

    // `status` counts the pre-launch ingest: days in shadow and the failures seen meanwhile.
    const st = await runCli(['--db', w.db, '--json', 'status'], { overrides: { clock: new FakeClock(w.emu.now()) } });
    const status = JSON.parse(st.stdout);
    expect(status.recharge).toMatchObject({ account: 'rc_store', mode: 'shadow', shadowDays: 3, failuresSeen: 13 });
    expect(status.platforms.recharge.in_dunning).toBe(13);
    expect(status.checks.some((c: { name: string }) => /key/i.test(c.name))).toBe(false); // no Stripe to check

    goLive(store);
    await run(world, 10 * DAY, 12 * HOUR);
    all = rows(store);
    const ours = all.flatMap(({ attempts }) =>
      attempts.filter((a) => a.by === 'recover' && (a.outcome === 'succeeded' || a.outcome === 'declined')),
    );
    const processed = process();
    expect(processed).toBeGreaterThan(0);
    expect(processed).toBe(ours.length);
    const recovered = all.filter(({ c }) => c.status === 'recovered');
    expect(recovered.length).toBeGreaterThan(5);
    expect(recovered.every(({ c }) => c.recoveredBy === 'recover')).toBe(true);
    // Each charge id of recover's attempts appears once: Recharge's charge_attempts tells them apart.
    const ids = ours.map((a) => a.chargeId);
    expect(new Set(ids).size).toBe(ids.length);
    const lost = all.find(({ c }) => c.customerId === String(never.customer.id))!;
    expect(lost.c.status).not.toBe('recovered');
    expect(lost.attempts.filter((a) => a.by === 'recover' && a.outcome === 'declined').length).toBeGreaterThan(0);
    expect(w.emu.requests().byRoute['GET /charges/:id']).toBeGreaterThan(0); // re-read before each retry
  }, 120_000);
});
