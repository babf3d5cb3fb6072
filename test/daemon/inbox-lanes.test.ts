/**
 * The inbox runs events of different customers concurrently (issue 18), keeping every order it
 * had: one customer's events in Stripe's order (created, then arrival) and never two at once; an
 * event of no known customer alone. Real emulator with latency (each Stripe read waits), real
 * SQLite, real handlers; the overlap is read from the inbox's typed `inFlight` report, not timed.
 * Emulator behaviour used as is: invoice.payment_failed and charge.failed per failed renewal
 * (Stripe's event types, node_modules/stripe/types/EventTypes.d.ts).
 */
import { describe, expect, it } from 'vitest';
import type { SeedInput } from '../../src/emulator/index.js';
import { customerOf } from '../../src/daemon/event-facts.js';
import { Lanes } from '../../src/daemon/lanes.js';
import type { ProcessedReport } from '../../src/daemon/types.js';
import { HOUR, oneCustomer, SOFT, startWorld } from './helpers.js';

const TAGS = ['il1', 'il2', 'il3', 'il4', 'il5', 'il6'];
const seed: SeedInput = {
  account: { customers: TAGS.flatMap((t) => oneCustomer(t, SOFT).account!.customers!) },
};

describe('inbox lanes', () => {
  it('events of different customers overlap; each customer keeps Stripe order', async () => {
    const w = await startWorld({ onboard: ['--control-share', '0'], seed, daemon: { loop: false } });
    // Every renewal fails an hour after the start; the receiver stores the webhooks, unprocessed.
    await w.emu.setTime(w.emu.now() + 2 * HOUR);
    w.clock.set(w.emu.now());
    await w.emu.flushWebhooks();
    const stored = w.store.events.listUnprocessed(1000);
    expect(stored.length).toBeGreaterThanOrEqual(TAGS.length);
    w.emu.setFaults({ latencyMs: 30 });
    const reports: ProcessedReport[] = [];
    const off = w.daemon.on('processed', (r) => void reports.push(r));
    await w.daemon.pass({ reconcile: 'never' });
    off();

    // The events stored before the pass are all done (the pauses' own webhooks may come in meanwhile).
    for (const ev of stored) expect(w.store.events.get(ev.id)?.processedAt, ev.type).not.toBeNull();
    for (const t of TAGS) expect(w.store.cases.getByInvoice(`in_${t}`)?.status).toBe('in_dunning');
    expect(Math.max(...reports.map((r) => r.inFlight ?? 0))).toBeGreaterThan(1);
    // Per customer, the reports come in Stripe's order of the stored events.
    const byCustomer = new Map<string, string[]>();
    const sorted = [...stored].sort((x, y) => x.created - y.created || x.receivedAt - y.receivedAt || x.seq - y.seq);
    for (const ev of sorted) {
      const cus = customerOf(JSON.parse(ev.raw).data.object)!;
      byCustomer.set(cus, [...(byCustomer.get(cus) ?? []), ev.id]);
    }
    const reported = new Set(reports.map((r) => r.id));
    for (const [cus, ids] of byCustomer) {
      const order = reports.map((r) => r.id).filter((id) => ids.includes(id));
      expect(order, cus).toEqual(ids.filter((id) => reported.has(id)));
    }
  });

  it('one key runs strictly one at a time, in order; a barrier runs alone; the limit holds', async () => {
    const lanes = new Lanes(2);
    const log: string[] = [];
    let running = 0;
    let peak = 0;
    const gates = new Map<string, () => void>();
    const task = (name: string) => async () => {
      running++;
      peak = Math.max(peak, running);
      log.push(`+${name}`);
      await new Promise<void>((resolve) => gates.set(name, resolve));
      log.push(`-${name}`);
      running--;
    };
    const open = async (name: string) => {
      while (!gates.has(name)) await new Promise((r) => setImmediate(r));
      gates.get(name)!();
    };
    await lanes.submit('a', task('a1'));
    await lanes.submit('a', task('a2'));
    await lanes.submit('b', task('b1'));
    const c = lanes.submit('c', task('c1')); // waits: two keys busy
    await open('b1');
    await c;
    const barrier = lanes.submit(null, task('x'));
    await open('a1');
    await open('a2');
    await open('c1');
    await open('x');
    await barrier;
    await lanes.idle();
    expect(log.indexOf('-a1')).toBeLessThan(log.indexOf('+a2'));
    expect(log.indexOf('+c1')).toBeGreaterThan(log.indexOf('-b1'));
    expect(log.slice(-2)).toEqual(['+x', '-x']);
    expect(peak).toBe(2);
    expect(lanes.inFlight).toBe(0);
  });

  it('a task error is thrown by idle() after the other lanes settle', async () => {
    const lanes = new Lanes(4);
    let other = false;
    await lanes.submit('a', async () => {
      throw new Error('boom');
    });
    await lanes.submit('b', async () => {
      await new Promise((r) => setImmediate(r));
      other = true;
    });
    await expect(lanes.idle()).rejects.toThrow('boom');
    expect(other).toBe(true);
  });
});
