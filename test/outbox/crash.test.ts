/**
 * At least once across a crash: a daemon killed (SIGKILL) after its POST reached the merchant but
 * before the answer was recorded leaves the message leased and counted as tried; once the lease
 * ends, the next daemon sends it again with the same `webhook-id` and the same bytes, so the
 * merchant dedupes it (Standard Webhooks: "the id … is the same across retries").
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DaemonLease } from '../../src/daemon/lock.js';
import { childModule } from '../helpers/child-build.js';
import { T0, tempDbPath, tempDir } from '../db/helpers.js';
import { rig, verifyReceived } from './helpers.js';

describe('result webhooks across a crash', () => {
  it('a delivery killed between send and record is redelivered with the same id', async () => {
    const dbPath = tempDbPath();
    const r = await rig({ dbPath });
    const { id, messageId } = r.event(9);
    r.server.script('hang'); // the merchant got it; its answer never reaches the dying daemon
    const script = path.join(tempDir(), 'deliver-once.mjs');
    fs.writeFileSync(
      script,
      `
      import { openStore } from ${JSON.stringify(childModule('src/db/index.js'))};
      import { WebhookDeliverer } from ${JSON.stringify(childModule('src/outbox/deliver.js'))};
      import { createLogger } from ${JSON.stringify(childModule('src/log.js'))};
      const store = openStore(process.argv[2], { busyTimeoutMs: 20000 });
      const settings = store.settings.require();
      const d = new WebhookDeliverer({ store, logger: createLogger({ level: 'silent', format: 'json' }),
        owner: 'doomed', leaseMs: 60000, concurrency: 4, now: () => ${T0} });
      await d.runDue(settings, () => false);
    `,
    );
    const child = spawn(process.execPath, [script, dbPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_c, sig) => res(sig)));
    await r.server.waitFor(1, 30_000).catch((e: Error) => {
      throw new Error(`${e.message}; child stderr: ${err}`);
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const left = r.store.outbox.get(id)!;
    expect(left).toMatchObject({ outcome: null, tries: 1, claimedBy: 'doomed' });
    expect(r.store.outbox.deliveries(id)).toEqual([]); // the answer was never recorded

    // Within the dead daemon's lease nothing is sent; after it, the message goes again.
    r.clock.set(T0 + 59_999);
    expect(await r.deliverer.runDue(r.settings, () => false)).toBe(0);
    r.clock.set(T0 + 60_000);
    expect(await r.deliverer.runDue(r.settings, () => false)).toBe(1);
    const [first, again] = r.server.received;
    expect(again.headers['webhook-id']).toBe(messageId);
    expect(first.headers['webhook-id']).toBe(messageId);
    expect(again.body).toBe(first.body);
    expect(verifyReceived(r.secret, again)).toEqual(verifyReceived(r.secret, first));
    expect(r.store.outbox.get(id)).toMatchObject({ outcome: 'delivered', tries: 2 });
  });

  it('a daemon taking the lock over releases the dead one’s outbox leases at once', async () => {
    const r = await rig();
    const { id } = r.event(10);
    expect(r.store.outbox.claimDue(T0, 10 * 60_000, 10, 'daemon:dead')).toHaveLength(1);
    const lease = new DaemonLease(r.store, 'daemon:next', () => undefined);
    try {
      expect(lease.acquire()).toMatchObject({ outbox: 1 });
    } finally {
      lease.release();
    }
    expect(r.store.outbox.get(id)).toMatchObject({ claimedBy: null, claimedUntil: null });
    expect(await r.deliverer.runDue(r.settings, () => false)).toBe(1); // at once, not 10 min later
  });
});
