/**
 * Crash loops still make progress: due attempts run before the reconcile in a pass (a daemon
 * restarted often, or on a slow Stripe, used to spend each life re-listing before any retry), and
 * a reconcile stopped part-way is not recorded as done.
 */
import { describe, expect, it } from 'vitest';
import type { SeedInput } from '../../src/emulator/index.js';
import { HOUR, startWorld } from './helpers.js';

const seed: SeedInput = {
  account: {
    customers: [
      {
        id: 'cus_ro1',
        payment_methods: [{ id: 'pm_ro1', behaviour: { type: 'decline', decline_code: 'insufficient_funds' } }],
        subscriptions: [{ id: 'sub_ro1', price: 2000, invoices: [{ id: 'in_ro1', amount: 2000, created: '+10m' }] }],
      },
    ],
  },
};

describe('pass order and a stopped reconcile', () => {
  it('a due attempt runs before the reconcile; stopping mid-reconcile leaves it due', async () => {
    const w = await startWorld({ onboard: ['--control-share', '0'], seed, daemon: { loop: false } });
    await w.advance(2 * HOUR);
    const c = w.store.cases.getByInvoice('in_ro1')!;
    const due = w.store.attempts.pendingForCase(c.id)!.scheduledAt;
    await w.emu.setTime(due);
    w.clock.set(due);
    const order: string[] = [];
    w.daemon.on('attempt', () => void order.push('attempt'));
    w.daemon.on('reconciled', () => void order.push('reconciled'));
    await w.daemon.pass({ reconcile: 'always' });
    expect(order).toEqual(['attempt', 'reconciled']);

    // A slow Stripe: stop while the reconcile is listing.
    const before = w.store.meta.get('reconcile:last_at');
    w.emu.setFaults({ latencyMs: 300 });
    w.clock.set(due + 2 * HOUR);
    const pass = w.daemon.pass({ reconcile: 'always' });
    const stopping = new Promise((r) => setTimeout(r, 100)).then(() => w.daemon.stop());
    await Promise.allSettled([pass, stopping]);
    expect(order).toEqual(['attempt', 'reconciled']);
    expect(w.store.meta.get('reconcile:last_at')).toBe(before);
  });
});
