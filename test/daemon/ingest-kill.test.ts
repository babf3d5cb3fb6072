/**
 * The webhook receiver's promise under load: a 200 means the event is in SQLite. `recover run` as
 * a child process takes signed events 32 at a time (group commits of whatever arrived in one loop
 * turn, inbox-writer.ts) and is killed with SIGKILL while requests are in flight, three lives on one
 * database; afterwards every event id that got a 200 must be stored, byte for byte. A receiver that
 * answered before its group's commit returned loses the acknowledged events of the group the kill
 * lands in. In process: one row the inbox refuses (an id the CHECK rejects) fails only its own
 * request, not the others committed with it.
 */
import http from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/index.js';
import { generateMerchant } from '../../src/emulator/index.js';
import { mulberry32 } from '../../src/policy/index.js';
import { signPayload } from '../../src/stripe/index.js';
import { buildChildCli } from '../helpers/child-build.js';
import { emulator, tempDb } from '../helpers/env.js';
import { startChildRun } from './child.js';
import { freePort, onboard, startWorld } from './helpers.js';

const IN_FLIGHT = 32;
let entry: string;

beforeAll(() => {
  entry = buildChildCli();
}, 120_000);

/** A Stripe event of a type recover stores and skips (no Stripe call while processing). */
function body(id: string, createdSec: number): string {
  return JSON.stringify({
    id,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: createdSec,
    livemode: false,
    type: 'invoice.finalized',
    request: { id: null, idempotency_key: null },
    data: { object: { id: `in_${id.slice(4)}`, object: 'invoice', description: 'x'.repeat(2000) } },
  });
}

interface Load {
  acked: Map<string, string>;
  failed: number;
  /** Requests sent and not answered when the load stopped (in flight at the kill). */
  unanswered: number;
}

/** POSTs signed events with IN_FLIGHT in flight until `stop()` says so or a request fails. */
function load(port: number, secret: string, tag: string, stop: () => boolean): Promise<Load> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const out: Load = { acked: new Map(), failed: 0, unanswered: 0 };
  let next = 0;
  let dead = false;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const id = `evt_${tag}_${String(next++).padStart(6, '0')}`;
      const nowSec = Math.floor(Date.now() / 1000);
      const raw = body(id, nowSec);
      out.unanswered++;
      const req = http.request(
        {
          agent,
          host: '127.0.0.1',
          port,
          path: '/stripe/webhook',
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signPayload(raw, secret, nowSec) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            out.unanswered--;
            if (res.statusCode === 200) out.acked.set(id, raw);
            else out.failed++;
            resolve();
          });
          res.on('error', () => resolve());
        },
      );
      req.on('error', () => {
        dead = true;
        resolve();
      });
      req.end(raw);
    });
  const lane = async () => {
    while (!dead && !stop()) await one();
  };
  return Promise.all(Array.from({ length: IN_FLIGHT }, lane)).then(() => {
    agent.destroy();
    return out;
  });
}

describe('webhook ingest under SIGKILL', () => {
  it('every event answered 200 is in the database after a kill mid-load (3 lives, 32 in flight)', async () => {
    const emu = await emulator({ seed: generateMerchant({ customers: 3, rngSeed: 18 }) });
    const port = await freePort();
    const db = tempDb();
    await onboard(emu.url, db, port);
    const s0 = openStore(db);
    const secret = s0.secrets.get('webhook_secret')!;
    s0.close();
    const rng = mulberry32(18);
    const acked = new Map<string, string>();
    let inFlightAtKill = 0;
    for (let life = 0; life < 3; life++) {
      const child = await startChildRun(entry, { db, apiBase: emu.url, port, systemClock: true });
      // Killed after a random number of acknowledgements (300–1,100), with 32 requests open.
      const killAfter = 300 + Math.floor(rng() * 800);
      let seen = 0;
      const done = load(port, secret, `k${life}`, () => {
        if (++seen === killAfter + IN_FLIGHT) child.kill('SIGKILL');
        return !child.alive;
      });
      const exit = await child.exited;
      expect(exit.signal).toBe('SIGKILL');
      const r = await done;
      expect(r.acked.size).toBeGreaterThan(200);
      inFlightAtKill += r.unanswered;
      for (const [id, raw] of r.acked) acked.set(id, raw);
    }
    // The kills landed mid-load: requests were still open when the process died.
    expect(inFlightAtKill).toBeGreaterThan(0);
    const reader = openStore(db, { readonly: true });
    try {
      const lost = [...acked.keys()].filter((id) => reader.events.get(id)?.raw !== acked.get(id));
      expect(lost, `${lost.length} of ${acked.size} events answered 200 are not stored`).toEqual([]);
    } finally {
      reader.close();
    }
  }, 180_000);

  it('a row the inbox refuses fails only its own request, not the rest of its group', async () => {
    const w = await startWorld();
    const secret = w.store.secrets.get('webhook_secret')!;
    const url = `${w.daemon.url}/stripe/webhook`;
    const nowSec = Math.floor(Date.now() / 1000);
    // 'evt_' passes the receiver's prefix check but not the table's CHECK (id GLOB 'evt_?*').
    const ids = ['evt_g1', 'evt_g2', 'evt_', 'evt_g3', 'evt_g4'];
    const post = (id: string) => {
      const raw = body(id, nowSec);
      return fetch(url, {
        method: 'POST',
        body: raw,
        headers: { 'Stripe-Signature': signPayload(raw, secret, nowSec), 'Content-Type': 'application/json' },
      });
    };
    const statuses = await Promise.all(ids.map(async (id) => (await post(id)).status));
    expect(statuses).toEqual([200, 200, 500, 200, 200]);
    for (const id of ids.filter((x) => x !== 'evt_')) expect(w.store.events.get(id), id).toBeDefined();
    expect(w.store.events.count()).toBe(4);
  });
});
