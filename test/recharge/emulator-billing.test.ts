/**
 * Charges on the Recharge emulator's clock, held to Recharge's help centre:
 * - retries: "the day after the first failed attempt … every six days for six more attempts", configurable, and at
 *   max retries the order is "Closed max retries reached" and by default the subscription cancelled
 *   (support.rechargepayments.com/hc/en-us/articles/360030618053-Managing-max-retry-order-errors);
 * - a card update sets error_type CARD_UPDATED_NOW_PENDING_NEXT_ATTEMPT, the retry date to the next day (16:00 PST)
 *   and the attempts to one (support.rechargepayments.com/hc/en-us/articles/360006361593,
 *   support.getrecharge.com/hc/en-us/articles/360008682094);
 * - charge fields charge_attempts, error, error_type: storefront.getrecharge.com/client/docs/types/interfaces/Charge.
 */
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../src/clock.js';
import { nextDayAt1600Pst } from '../../src/emulators/recharge/billing.js';
import { startRechargeEmulator } from '../../src/emulators/recharge/index.js';
import { control, emulator, raw } from './helpers.js';

const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);

async function failing(o: Parameters<typeof emulator>[0] = {}) {
  const emu = await emulator({ clockStart: T0, ...o });
  const made = await control(emu, 'customers', {
    email: 'late@example.com',
    behaviour: { type: 'decline', error_type: 'INSUFFICIENT_FUNDS' },
    price: '25.00',
  });
  return {
    emu,
    chargeId: made.body.charge.id as number,
    subId: made.body.subscription.id as number,
    customerId: made.body.customer.id as number,
  };
}

describe('Recharge emulator: charges over time', () => {
  it('a queued charge is attempted at scheduled_at; a paid one queues the next month', async () => {
    const emu = await emulator({ clockStart: T0 });
    const made = await control(emu, 'customers', { email: 'ok@example.com', price: '19.99', charge_in_ms: HOUR_MS });
    const id = made.body.charge.id;
    await emu.advance(HOUR_MS - 1);
    expect((await raw(emu, `/charges/${id}`)).body.charge.status).toBe('queued');
    await emu.advance(1);
    const paid = (await raw(emu, `/charges/${id}`)).body.charge;
    expect(paid).toMatchObject({ status: 'success', charge_attempts: 1, error_type: null, total_price: '19.99' });
    const next = (await raw(emu, `/charges?status=queued&subscription_id=${made.body.subscription.id}`)).body.charges;
    expect(next).toHaveLength(1);
    expect(Date.parse(next[0].scheduled_at)).toBe(Date.UTC(2027, 0, 1, 10, 0, 0));
  });

  it("Recharge's own retries: 1 day, 6 days × 6; then CLOSED_MAX_RETRIES_REACHED, cancel", async () => {
    const { emu, chargeId, subId } = await failing();
    await emu.advance(HOUR_MS);
    const row = emu.world.charges.get(chargeId)!;
    expect(row.doc).toMatchObject({ status: 'error', error_type: 'INSUFFICIENT_FUNDS', charge_attempts: 1 });
    expect(Date.parse(row.doc.retry_date!)).toBe(T0 + HOUR_MS + DAY_MS);
    const gaps = [1, 6, 6, 6, 6, 6, 6];
    let at = T0 + HOUR_MS;
    for (let i = 0; i < gaps.length; i++) {
      at += gaps[i] * DAY_MS;
      await emu.setTime(at);
      expect(row.doc.charge_attempts).toBe(i + 2);
    }
    expect(row.doc).toMatchObject({ status: 'error', error_type: 'CLOSED_MAX_RETRIES_REACHED', retry_date: null });
    expect(emu.world.subscriptions.get(subId)).toMatchObject({
      status: 'cancelled',
      cancellation_reason: 'Max retries reached',
    });
    await emu.advance(30 * DAY_MS);
    expect(row.doc.charge_attempts).toBe(8);
  });

  it('retries switched off: errored charges carry no retry_date and charge_attempts does not move', async () => {
    const { emu, chargeId } = await failing({ rechargeRetries: false });
    await emu.advance(HOUR_MS);
    const row = emu.world.charges.get(chargeId)!;
    expect(row.doc).toMatchObject({ status: 'error', charge_attempts: 1, retry_date: null });
    await emu.advance(20 * DAY_MS);
    expect(row.doc.charge_attempts).toBe(1);
  });

  it('switching the retries off in "the portal" drops the retries Recharge had planned', async () => {
    const { emu, chargeId } = await failing();
    await emu.advance(HOUR_MS);
    const row = emu.world.charges.get(chargeId)!;
    expect(row.doc.retry_date).not.toBeNull();
    await control(emu, 'settings', { recharge_retries: false });
    expect(row.doc.retry_date).toBeNull();
    await emu.advance(10 * DAY_MS);
    expect(row.doc.charge_attempts).toBe(1);
  });

  it('card update: CARD_UPDATED_NOW_PENDING_NEXT_ATTEMPT, attempts 1, next day 16:00 PST, retries on/off', async () => {
    for (const rechargeRetries of [true, false]) {
      const { emu, chargeId, customerId } = await failing({ rechargeRetries });
      await emu.advance(HOUR_MS);
      const row = emu.world.charges.get(chargeId)!;
      const upd = await control(emu, 'payment_methods', { customer_id: customerId, behaviour: { type: 'succeed' } });
      expect(upd.body.charges_rescheduled).toEqual([chargeId]);
      expect(row.doc).toMatchObject({ error_type: 'CARD_UPDATED_NOW_PENDING_NEXT_ATTEMPT', charge_attempts: 1 });
      // 2026-12-01 10:00 UTC is 02:00 PST on Dec 1: next day 16:00 PST = Dec 3 00:00 UTC.
      expect(Date.parse(row.doc.retry_date!)).toBe(Date.UTC(2026, 11, 3, 0, 0, 0));
      expect(nextDayAt1600Pst(Date.UTC(2026, 11, 1, 23, 0))).toBe(Date.UTC(2026, 11, 3, 0, 0, 0));
      await emu.setTime(Date.UTC(2026, 11, 3, 0, 0, 0));
      expect(row.doc).toMatchObject({ status: 'success', charge_attempts: 2 });
      const pms = (await raw(emu, `/payment_methods?customer_id=${customerId}`)).body.payment_methods;
      expect(pms.filter((p: any) => p.default)).toHaveLength(1);
    }
  });
});

describe('Recharge emulator: the generator', () => {
  it('lays out errored charges before now, the same for the same seed', async () => {
    const a = await startRechargeEmulator({ clockStart: T0, generate: { customers: 200, rngSeed: 11 } });
    const b = await startRechargeEmulator({ clockStart: T0, generate: { customers: 200, rngSeed: 11 } });
    try {
      const view = (e: typeof a) =>
        [...e.world.charges.values()].map((r) => [
          r.doc.status,
          r.doc.error_type,
          r.doc.charge_attempts,
          r.doc.retry_date,
          r.doc.scheduled_at,
        ]);
      expect(view(a)).toEqual(view(b));
      const errored = [...a.world.charges.values()].filter((r) => r.doc.status === 'error');
      expect(a.loaded!.errored).toBe(errored.length);
      expect(errored.length).toBeGreaterThan(10);
      expect(errored.every((r) => Date.parse(r.doc.updated_at) <= T0)).toBe(true);
      expect(errored.some((r) => r.doc.charge_attempts > 1)).toBe(true);
      expect(errored.some((r) => r.doc.retry_date && Date.parse(r.doc.retry_date) > T0)).toBe(true);
      expect([...a.world.charges.values()].some((r) => r.doc.status === 'queued' && r.scheduledMs > T0)).toBe(true);
      expect(a.now()).toBe(T0);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
