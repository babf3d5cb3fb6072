/**
 * The daemon down for 3 emulated days: Recharge retries each delivery 20 times over 48 hours and
 * then deletes the webhook (docs.getrecharge.com/docs/webhooks-overview; the emulator's rule,
 * src/emulators/recharge/README.md). On restart the daemon re-lists its webhooks, re-creates the
 * missing ones, and backfills the failures it never heard of by polling the charges in `error`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/db/index.js';
import { RECOVER_TOPICS } from '../../src/connectors/recharge/types.js';
import { DAY, HOUR, customer, rechargeWorld, run, stopAll } from './daemon-helpers.js';

afterEach(stopAll);

function casesOf(store: Store) {
  return [...store.cases.iterate({ enteredSince: 0, enteredUntil: Number.MAX_SAFE_INTEGER })];
}

describe('webhooks deleted while the daemon is down', () => {
  it('re-creates them and backfills the missed failures', async () => {
    const w = await rechargeWorld();
    const decline = { type: 'decline', error_type: 'CARD_DECLINED' };
    const first = await customer(w.emu, 'before@example.com', decline);
    let up = await w.start();
    await run({ emu: w.emu, daemon: up.daemon, clock: up.clock }, 2 * HOUR, HOUR);
    expect(casesOf(up.store).map((c) => [c.invoiceId, c.source])).toEqual([[String(first.charge.id), 'webhook']]);
    await up.stop();

    // Down: four renewals fail over the next days; their deliveries find nobody.
    const missed = [];
    for (const [i, inMs] of [6 * HOUR, 1 * DAY, 2 * DAY, 2.5 * DAY].entries()) {
      missed.push(await customer(w.emu, `down${i}@example.com`, decline, inMs));
    }
    await run({ emu: w.emu }, 3 * DAY, 3 * HOUR);
    // Only the webhooks whose deliveries failed are deleted: here charge/failed's.
    const state = w.emu.state() as { webhooks: Array<{ topic: string }>; deleted_webhooks: Array<{ topic: string }> };
    expect(state.deleted_webhooks.map((h) => h.topic)).toEqual(['charge/failed']);
    expect(state.webhooks.map((h) => h.topic)).not.toContain('charge/failed');

    up = await w.start();
    const healed = new Promise((r) => up.daemon.once('rechargeHealed', r));
    await up.daemon.settle();
    expect(await healed).toMatchObject({ created: ['charge/failed'], backfilled: 4 });
    const after = w.emu.state() as { webhooks: Array<{ topic: string; address: string }> };
    expect(after.webhooks.map((h) => h.topic).sort()).toEqual([...RECOVER_TOPICS].sort());
    const cases = casesOf(up.store);
    for (const m of missed) {
      expect(cases.find((c) => c.invoiceId === String(m.charge.id))?.source).toBe('reconciler');
    }
    // And webhooks flow again: a failure after the restart opens its case by webhook.
    const late = await customer(w.emu, 'after@example.com', decline);
    await run({ emu: w.emu, daemon: up.daemon, clock: up.clock }, 2 * HOUR, HOUR);
    expect(casesOf(up.store).find((c) => c.invoiceId === String(late.charge.id))?.source).toBe('webhook');
    expect(casesOf(up.store)).toHaveLength(6);
  }, 60_000);
});
