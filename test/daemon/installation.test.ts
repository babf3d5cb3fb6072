/**
 * Two copies of one database (a restored backup, a blue/green twin) derive the same idempotency
 * keys; after Stripe's 24 h key window they would charge the same card again. Every invoice
 * recover manages carries its installation id in its metadata; a copy of the database file does
 * not start until adopted, and no installation charges an invoice another one manages.
 */
import { copyFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installation, openStore } from '../../src/db/index.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { HOUR, LATER, oneCustomer, startWorld, stripeApi } from './helpers.js';

const seed = (tag: string) => oneCustomer(tag, LATER('+1d'));

describe('installation id', () => {
  it('stamps managed invoices; a copy of the database refuses to start until adopted', async () => {
    const w = await startWorld({ onboard: ['--control-share', '0'], seed: seed('ins1') });
    await w.advance(2 * HOUR);
    const id = installation(w.store.meta, w.store.path).id;
    expect(id).toMatch(/^inst_[0-9a-f]{32}$/);
    const inv = w.emu.state().invoices.find((i) => i.id === 'in_ins1')!;
    expect(inv.metadata).toMatchObject({ recover_managed: 'true', recover_installation: id });

    await w.daemon.stop();
    const copy = join(dirname(w.db), 'restored.db');
    // A file-level copy of a live database: the main file and its write-ahead log.
    copyFileSync(w.db, copy);
    copyFileSync(`${w.db}-wal`, `${copy}-wal`);
    const store = openStore(copy, { clock: w.clock });
    try {
      const twin = new Daemon({ store, clock: w.clock, apiBase: w.emu.url, http: null, loop: false });
      await expect(twin.start()).rejects.toThrow(new RegExp(`is a copy of installation ${id}`));
      const adopted = new Daemon({ store, clock: w.clock, apiBase: w.emu.url, http: null, loop: false, adopt: true });
      await adopted.start();
      await adopted.stop();
      expect(installation(store.meta, store.path)).toEqual({ id, copied: false });
    } finally {
      store.close();
    }
  });

  it('never charges an invoice another installation manages', async () => {
    const w = await startWorld({ onboard: ['--control-share', '0'], seed: seed('ins2') });
    await w.advance(2 * HOUR);
    const c = w.store.cases.getByInvoice('in_ins2')!;
    expect(w.store.attempts.pendingForCase(c.id)).toBeDefined();
    await stripeApi(w, 'POST', '/v1/invoices/in_ins2', { 'metadata[recover_installation]': 'inst_someoneelse' });
    await w.advanceTo(w.store.attempts.pendingForCase(c.id)!.scheduledAt + HOUR, 6 * HOUR);
    const ours = w.emu
      .state()
      .charges.filter((ch) => ch.invoice === 'in_ins2' && ch.idempotencyKey?.startsWith('recover:'));
    expect(ours).toEqual([]);
    expect(w.store.cases.get(c.id)).toMatchObject({ status: 'closed', closedReason: 'other_installation' });
  });
});
