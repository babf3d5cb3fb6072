/**
 * Pausing an invoice that changed under us. Stripe does not let `auto_advance` change on an
 * invoice that is no longer open — "auto_advance cannot be changed on a paid, void or
 * uncollectible invoice" (see the emulator's test of it) — so a customer paying between recover's
 * read and its pause gets a 400. recover then reads the invoice again and acts on what it is now:
 * a paid invoice is not taken over, in takeover and in the daemon alike.
 */
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/index.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { driveTo } from '../helpers/drive.js';
import { HOUR, startWorld } from '../daemon/helpers.js';
import type { SeedInput } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';
import { LEAST_KEY, emulator, tempDb } from '../helpers/env.js';
import { interpose, type Before } from '../helpers/interpose.js';

const FULL = 'sk_test_daemon0000000000000001'; // the merchant's other tools: full access

const seed: SeedInput = {
  account: {
    customers: [{
      id: 'cus_cu1', payment_methods: [{ id: 'pm_cu1', behaviour: { type: 'decline', decline_code: 'insufficient_funds' } }],
      subscriptions: [{ id: 'sub_cu1', price: 4200, invoices: [{ id: 'in_cu1', amount: 4200, created: '-2d', attempts: [{ at: '-2d' }] }] }],
    }],
  },
};

/** Just before recover's pause reaches Stripe, the customer pays the invoice out of band. */
function payFirst(api: string, invoice: string): Before {
  return async ({ method, path, body }) => {
    if (method !== 'POST' || path !== `/v1/invoices/${invoice}` || !body.includes('auto_advance')) return;
    const r = await fetch(`${api}/v1/invoices/${invoice}/pay`, {
      method: 'POST', body: 'paid_out_of_band=true',
      headers: { Authorization: `Bearer ${FULL}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    if (r.status !== 200) throw new Error(`pay failed: ${r.status}`);
  };
}

describe('an invoice paid while recover pauses it', () => {
  it('takeover reads it again and does not take it over', async () => {
    const emu = await emulator({ seed });
    const db = tempDb();
    const onboard = await runCli(['--db', db, '--stripe-api-base', emu.url, 'onboard', 'stripe', '--env', 'test', '--scope', 'account',
      '--primary-key', LEAST_KEY, '--webhook-url', 'https://pay.example.com/stripe/webhook', '--control-baseline', 'stripe',
      '--control-share', '0', '--mode', 'live', '--yes']);
    expect(onboard.code, onboard.stderr).toBe(0);
    const proxy = await interpose(emu.url, payFirst(emu.url, 'in_cu1'));
    const r = await runCli(['--db', db, '--stripe-api-base', proxy.url, '--json', 'takeover', '--clock', 'emulator']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { total: { imported: number; skipped: Record<string, number> } };
    expect(json.total.imported).toBe(0);
    expect(json.total.skipped).toEqual({ paid: 1 });
    const store = openStore(db);
    try {
      expect(store.cases.getByInvoice('in_cu1')).toBeUndefined();
    } finally {
      store.close();
    }
    const updates = emu.state().requests.log.filter((q) => q.method === 'POST' && q.path === '/v1/invoices/in_cu1');
    expect(updates.map((q) => q.status)).toEqual([400]);
  });
});

describe('an invoice paid while the daemon pauses it', () => {
  it('the daemon reads it again and opens no case', async () => {
    const w = await startWorld({ onboard: ['--control-share', '0'], seed: {
      account: { customers: [{ id: 'cus_cu2', payment_methods: [{ id: 'pm_cu2', behaviour: { type: 'decline', decline_code: 'insufficient_funds' } }],
        subscriptions: [{ id: 'sub_cu2', price: 4200, invoices: [{ id: 'in_cu2', amount: 4200, created: '+10m' }] }] }] },
    } });
    await w.daemon.stop();
    const proxy = await interpose(w.emu.url, payFirst(w.emu.url, 'in_cu2'));
    const d = new Daemon({ store: w.store, clock: w.clock, apiBase: proxy.url, http: { host: '127.0.0.1', port: w.port }, loop: false, logger: w.log.logger });
    await d.start();
    try {
      const opened = d.waitFor('processed', (r) => r.type === 'invoice.payment_failed');
      await driveTo({ daemon: d, emulator: w.emu, clock: w.clock, maxStepMs: HOUR }, w.clock.now() + 2 * HOUR);
      expect((await opened)[0].result).toBe('not taken: paid meanwhile');
      expect(w.store.cases.getByInvoice('in_cu2')).toBeUndefined();
      const updates = w.emu.state().requests.log.filter((q) => q.method === 'POST' && q.path === '/v1/invoices/in_cu2');
      expect(updates.map((q) => q.status)).toEqual([400]);
    } finally {
      await d.stop();
    }
  });
});
