/**
 * Shutdown is bounded: on SIGTERM during a slow Stripe the daemon stops within its grace
 * (10 s), and a second SIGTERM exits at once with 143 — the real CLI (bin/recover's own
 * launcher) in a child process. What was in flight is resumed on restart with the same keys.
 * takeover and the emulator stop through the same path (src/signals.ts).
 */
import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { interpose } from '../helpers/interpose.js';
import { buildChildCli } from '../helpers/child-build.js';
import { emulator, tempDb } from '../helpers/env.js';
import { generateMerchant } from '../../src/emulator/index.js';
import { openStore } from '../../src/db/index.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { startChildRun, type ChildDaemon } from './child.js';
import { HOUR, LATER, freePort, onboard, oneCustomer, startWorld } from './helpers.js';

let entry: string;
beforeAll(() => {
  entry = buildChildCli();
}, 120_000);

async function slowDaemon(latencyMs = 3000): Promise<ChildDaemon> {
  const emu = await emulator({ seed: generateMerchant({ customers: 30, rngSeed: 3 }) });
  const port = await freePort();
  const db = tempDb();
  await onboard(emu.url, db, port);
  const s = openStore(db);
  s.settings.set({ ...s.settings.require(), rateLimitPerSec: 1000 });
  s.close();
  // Every Stripe answer takes 3 s: the first pass's reconcile is still listing when we signal.
  emu.setFaults({ latencyMs });
  const child = await startChildRun(entry, { db, apiBase: emu.url, port, timeoutMs: 30_000 });
  // The first pass's first Stripe call (the reconcile's event listing) is now under way.
  await new Promise((r) => setTimeout(r, 500));
  return child;
}

describe('bounded shutdown', () => {
  it('SIGTERM during a slow reconcile stops within the grace, exit 0', async () => {
    const child = await slowDaemon();
    const t0 = performance.now();
    child.proc.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    const took = performance.now() - t0;
    expect(took).toBeGreaterThan(1_000); // it did wait for the call in flight…
    expect(took).toBeLessThan(15_000); // …but no longer than the 10 s grace, plus process exit on a busy machine
    expect(child.lines.some((l) => l.msg === 'stopped')).toBe(true);
    expect(child.lines.filter((l) => /database connection is not open/.test(JSON.stringify(l)))).toEqual([]);
  }, 60_000);

  it('a second SIGTERM exits at once with 143', async () => {
    const child = await slowDaemon();
    child.proc.kill('SIGTERM');
    await child.next((l) => typeof l.msg === 'string' && l.msg.startsWith('stopping:'));
    const t0 = performance.now();
    child.proc.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit.code).toBe(143);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(child.lines.some((l) => String(l.msg).startsWith('second signal: exiting now'))).toBe(true);
  }, 60_000);

  it('a call slower than the grace is cut after 10 s, not awaited, and the store is not closed under it', async () => {
    const child = await slowDaemon(25_000);
    const t0 = performance.now();
    child.proc.kill('SIGTERM');
    const exit = await child.exited;
    const took = performance.now() - t0;
    expect(exit.code).toBe(0);
    expect(took).toBeGreaterThan(9_000);
    expect(took).toBeLessThan(16_000); // the 10 s grace plus exit on a busy machine, well short of the 25 s call
    expect(child.lines.some((l) => String(l.msg).startsWith('stopping with calls still in flight'))).toBe(true);
    expect(child.lines.filter((l) => /connection is not open/.test(JSON.stringify(l)))).toEqual([]);
  }, 60_000);
});

/** A CLI child whose stdout and stderr are kept as text. */
function cliChild(args: string[]) {
  const env = { ...process.env, NO_COLOR: '1' };
  const proc = spawn(process.execPath, [entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const out = { stdout: '', stderr: '' };
  proc.stdout.on('data', (c: Buffer) => (out.stdout += c.toString('utf8')));
  proc.stderr.on('data', (c: Buffer) => (out.stderr += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, out, exited };
}

/** An onboarded database and a proxy that holds every Stripe call `holdMs`; `called` resolves on the first. */
async function slowTakeover(holdMs: number) {
  const emu = await emulator({ seed: generateMerchant({ customers: 30, rngSeed: 3 }) });
  const db = tempDb();
  await onboard(emu.url, db, await freePort());
  let called: () => void = () => undefined;
  const first = new Promise<void>((resolve) => (called = resolve));
  const proxy = await interpose(emu.url, async () => {
    called();
    await new Promise((r) => setTimeout(r, holdMs));
  });
  const child = cliChild(['--db', db, '--stripe-api-base', proxy.url, 'takeover']);
  await first;
  return child;
}

describe('takeover and the emulator stop the same way', () => {
  it('takeover: SIGTERM during a slow call records it, reports, exits 143', async () => {
    const child = await slowTakeover(1_500);
    const t0 = performance.now();
    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(143);
    expect(performance.now() - t0).toBeGreaterThan(1_000); // the call in flight was awaited, not cut
    expect(child.out.stderr).toMatch(/takeover interrupted; every page shown above is recorded/);
  }, 60_000);

  it('takeover: a second Ctrl-C exits at once with 130, without waiting for the call in flight', async () => {
    const child = await slowTakeover(20_000);
    child.proc.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 200)); // two separate signals, not one coalesced
    const t0 = performance.now();
    child.proc.kill('SIGINT');
    expect(await child.exited).toBe(130);
    expect(performance.now() - t0).toBeLessThan(5_000); // well short of the 20 s call
    expect(child.out.stderr).toMatch(/second signal: exiting now/);
  }, 60_000);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`emulator: ${signal} stops it cleanly, exit 0`, async () => {
      const child = cliChild(['emulator', '--port', '0']);
      await new Promise<void>((resolve) => {
        const check = () => void (child.out.stdout.includes('Press Ctrl-C to stop.') && resolve());
        child.proc.stdout.on('data', check);
      });
      child.proc.kill(signal);
      expect(await child.exited).toBe(0);
      expect(child.out.stdout).toMatch(/Stripe emulator stopped\./);
    }, 30_000);
  }
});

describe('the stop signal reaches the gateway', () => {
  // stripe 23's RequestOptions take no AbortSignal (node_modules/stripe/esm/lib.d.ts): the executor
  // races the call against the daemon's cut signal, aborted when the stop grace runs out.
  it('a stop during a slow charge returns within the grace; the attempt is replayed with its key', async () => {
    const w = await startWorld({
      onboard: ['--control-share', '0'],
      seed: oneCustomer('sl1', LATER('+1d'), '2026-01-05T00:00:00Z'),
    });
    await w.advance(2 * HOUR);
    await w.daemon.stop();
    const c = w.store.cases.getByInvoice('in_sl1')!;
    const pending = w.store.attempts.pendingForCase(c.id)!;
    // The charge reaches a proxy that holds it until the test lets it through (after the stop).
    let reached: () => void = () => undefined;
    let letThrough: () => void = () => undefined;
    const atProxy = new Promise<void>((r) => (reached = r));
    const held = new Promise<void>((r) => (letThrough = r));
    const proxy = await interpose(w.emu.url, async (req) => {
      if (req.path !== '/v1/invoices/in_sl1/pay') return;
      reached();
      await held;
    });
    const grace = 500;
    const d = new Daemon({
      store: w.store,
      clock: w.clock,
      apiBase: proxy.url,
      loop: false,
      logger: w.log.logger,
      stopTimeoutMs: grace,
    });
    await d.start();
    await w.emu.setTime(pending.scheduledAt);
    w.clock.set(pending.scheduledAt);
    const released = d.waitFor('attempt', (r) => r.outcome === 'released', 30_000);
    const settling = d.settle();
    await atProxy;
    const t0 = performance.now();
    await d.stop();
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(grace - 50); // the call in flight had its grace…
    expect(took).toBeLessThan(grace + 1_000); // …and was then cut, not awaited
    expect(d.stopTimedOut).toBe(false); // nothing left running: the store may be closed
    await settling;
    expect((await released)[0].next).toMatch(/^retry same attempt at /);
    expect(w.store.attempts.get(pending.id)).toMatchObject({ finishedAt: null, n: pending.n });
    // The held request now reaches Stripe and charges; the next daemon replays the same key.
    letThrough();
    await new Promise<void>((r) => {
      const poll = () => (w.emu.state().charges.some((ch) => ch.invoice === 'in_sl1') ? r() : setTimeout(poll, 20));
      poll();
    });
    const d2 = new Daemon({ store: w.store, clock: w.clock, apiBase: w.emu.url, loop: false, logger: w.log.logger });
    await d2.start();
    const done = d2.waitFor('attempt', (r) => r.invoiceId === 'in_sl1' && r.outcome === 'succeeded');
    await w.emu.setTime(pending.scheduledAt + 2 * HOUR);
    w.clock.set(w.emu.now());
    await d2.settle();
    expect((await done)[0]).toMatchObject({ resumed: true, n: pending.n });
    await d2.stop();
    const charges = w.emu
      .state()
      .charges.filter((ch) => ch.invoice === 'in_sl1' && ch.idempotencyKey?.startsWith('recover:'));
    expect(charges.map((ch) => ch.idempotencyKey)).toEqual([pending.idempotencyKey]);
  }, 60_000);
});
