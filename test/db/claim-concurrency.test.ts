import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { childModule } from '../helpers/child-build.js';
import { FakeClock } from '../../src/clock.js';
import { addCase, open, T0, tempDbPath, tempDir } from './helpers.js';

const MIN = 60_000;

type Store = ReturnType<typeof open>;
/**
 * Every user of the one lease protocol (src/db/queue.ts) under the same test: the attempts, the
 * end-of-dunning jobs, the webhook inbox (leased by rowid, `seq`) and the result-webhook outbox.
 * `key` is the field the queue addresses a row by.
 */
const QUEUES = {
  attempts: {
    seed: (store: Store, n: number): number[] =>
      store.tx(() =>
        Array.from({ length: n }, (_, i) => store.attempts.schedule(addCase(store), T0 - (i % 97) * 1000).id),
      ),
    claimDue: (store: Store, now: number, leaseMs: number, limit: number, owner: string) =>
      store.attempts.claimDue(now, leaseMs, limit, owner),
    owner: (store: Store, id: number) => store.attempts.get(id)!.claimedBy,
    start: 'markStarted',
    key: 'id',
  },
  jobs: {
    seed: (store: Store, n: number): number[] =>
      store.tx(() =>
        Array.from(
          { length: n },
          (_, i) =>
            store.jobs.schedule({ kind: 'cancel_subscription', dedupeKey: `k${i}`, runAt: T0 - (i % 97) * 1000 }).id,
        ),
      ),
    claimDue: (store: Store, now: number, leaseMs: number, limit: number, owner: string) =>
      store.jobs.claimDue(now, leaseMs, limit, owner),
    owner: (store: Store, id: number) => store.jobs.get(id)!.claimedBy,
    start: 'start',
    key: 'id',
  },
  'events.queue': {
    // Received (due) before T0, each about an invoice of its own: none waits behind another.
    seed: (store: Store, n: number): number[] =>
      store.tx(() =>
        Array.from({ length: n }, (_, i) => {
          const id = `evt_${i}`;
          store.events.insertIfNew({ id, type: 'invoice.payment_failed', objectId: `in_${i}`, created: T0, raw: '{}' });
          return store.events.get(id)!.seq;
        }),
      ),
    claimDue: (store: Store, now: number, leaseMs: number, limit: number, owner: string) =>
      store.events.queue.claimDue(now, leaseMs, limit, owner).map((e) => ({ ...e, id: e.seq })),
    owner: (store: Store, seq: number) => ownerOfEvent(store, seq),
    start: 'start',
    key: 'seq',
  },
  outbox: {
    seed: (store: Store, n: number): number[] =>
      store.tx(() =>
        Array.from(
          { length: n },
          (_, i) =>
            store.outbox.record({ type: 'recovery.failed', dedupeKey: `k${i}`, data: {}, at: T0 - (i % 97) * 1000 }).id,
        ),
      ),
    claimDue: (store: Store, now: number, leaseMs: number, limit: number, owner: string) =>
      store.outbox.claimDue(now, leaseMs, limit, owner),
    owner: (store: Store, id: number) => store.outbox.get(id)!.claimedBy,
    start: 'start',
    key: 'id',
  },
} as const;

/** Who holds the event with this rowid (seeded into a fresh file: evt_i has rowid i + 1). */
function ownerOfEvent(store: Store, seq: number): string | null {
  const e = store.events.get(`evt_${seq - 1}`)!;
  expect(e.seq).toBe(seq);
  return e.claimedBy;
}

describe.each(Object.keys(QUEUES) as (keyof typeof QUEUES)[])(
  '%s.claimDue: no row is ever handed to two owners',
  (queue) => {
    const q = QUEUES[queue];
    const seedDue = q.seed;
    it('two Store instances on one file, interleaved claims with random batch sizes', () => {
      const p = tempDbPath();
      const a = open(p, { clock: new FakeClock(T0 - MIN) });
      const b = open(p, { clock: new FakeClock(T0 - MIN) });
      const all = seedDue(a, 500);
      const owners = new Map<number, string>();
      let rng = 42;
      const rand = () => (rng = (rng * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      for (;;) {
        const [store, owner] = rand() < 0.5 ? [a, 'A'] : [b, 'B'];
        const got = q.claimDue(store, T0, 10 * MIN, 1 + Math.floor(rand() * 20), owner);
        for (const at of got) {
          expect(owners.has(at.id), `attempt ${at.id} claimed twice`).toBe(false);
          owners.set(at.id, owner);
        }
        if (got.length === 0 && q.claimDue(a, T0, 10 * MIN, 1, 'A').length === 0) break;
      }
      expect([...owners.keys()].sort((x, y) => x - y)).toEqual(all);
      // After the leases expire, the other instance can take them over (crashed owner).
      const takenOver = q.claimDue(b, T0 + 10 * MIN, MIN, 1000, 'B2');
      expect(takenOver).toHaveLength(500);
      expect(q.claimDue(a, T0 + 10 * MIN, MIN, 1000, 'A2')).toHaveLength(0);
    });

    it('four processes claiming the same database at the same moment', async () => {
      const dir = tempDir();
      const indexJs = childModule('src/db/index.js');
      const p = tempDbPath();
      const store = open(p, { clock: new FakeClock(T0 - MIN) });
      const all = seedDue(store, 3000);
      const go = path.join(dir, 'go');
      const child = `
      import fs from 'node:fs';
      import { openStore } from ${JSON.stringify(indexJs)};
      const [dbPath, owner, ready, go] = process.argv.slice(2);
      const store = openStore(dbPath, { busyTimeoutMs: 20000 });
      fs.writeFileSync(ready, '');
      const sleep = new Int32Array(new SharedArrayBuffer(4));
      while (!fs.existsSync(go)) Atomics.wait(sleep, 0, 0, 1);
      const claimed = [];
      for (let empty = 0; empty < 3; ) {
        const got = store.${queue}.claimDue(${T0}, 3600000, 1 + Math.floor(Math.random() * 25), owner);
        if (got.length === 0) { empty++; continue; }
        empty = 0;
        for (const a of got) {
          const key = a.${q.key};
          if (!store.${queue}.${q.start}(key, owner, ${T0})) throw new Error('lost a lease it just took: ' + key);
          claimed.push(key);
        }
      }
      store.close();
      process.stdout.write(JSON.stringify(claimed));
    `;
      const script = path.join(dir, 'claimer.mjs');
      fs.writeFileSync(script, child);
      const owners = ['p1', 'p2', 'p3', 'p4'];
      const runs = owners.map(
        (owner) =>
          new Promise<number[]>((resolve, reject) => {
            const proc = spawn(process.execPath, [script, p, owner, path.join(dir, `ready-${owner}`), go]);
            let out = '';
            let err = '';
            proc.stdout.on('data', (d) => (out += d));
            proc.stderr.on('data', (d) => (err += d));
            proc.on('exit', (code) =>
              code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`${owner} exited ${code}: ${err}`)),
            );
          }),
      );
      const deadline = Date.now() + 20_000;
      while (!owners.every((o) => fs.existsSync(path.join(dir, `ready-${o}`)))) {
        if (Date.now() > deadline) throw new Error('children did not start');
        await new Promise((r) => setTimeout(r, 10));
      }
      fs.writeFileSync(go, '');
      const results = await Promise.all(runs);
      const flat = results.flat();
      expect(new Set(flat).size).toBe(flat.length); // nobody got an attempt somebody else got
      expect(flat.sort((x, y) => x - y)).toEqual(all);
      expect(results.filter((r) => r.length > 0).length).toBeGreaterThanOrEqual(2);
      // The database agrees with what each process believes it owns.
      results.forEach((ids, i) => {
        for (const id of ids.slice(0, 50)) expect(q.owner(store, id)).toBe(owners[i]);
      });
    });
  },
);
