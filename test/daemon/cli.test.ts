/** `recover run` and `recover explain` through the real CLI (commander table, context, exit codes). */
import { describe, expect, it } from 'vitest';
import type { SeedInput } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';
import { DAY, HOUR, startWorld } from './helpers.js';

const seed: SeedInput = {
  start: '2026-01-05T00:00:00Z',
  account: {
    customers: [
      {
        id: 'cus_cli1',
        timezone: 'America/Chicago',
        country: 'US',
        payment_methods: [
          {
            id: 'pm_cli1',
            brand: 'visa',
            behaviour: { type: 'schedule', decline: { decline_code: 'insufficient_funds' }, succeed_after: '+2d' },
          },
        ],
        subscriptions: [{ id: 'sub_cli1', price: 5000, invoices: [{ id: 'in_cli1', amount: 5000, created: '+10m' }] }],
      },
    ],
  },
};

describe('recover run / recover explain (CLI)', () => {
  it('run --once does one pass and exits 0; it refuses while another daemon holds the database', async () => {
    const w = await startWorld({ onboard: ['--control-share', '0'], seed });
    await w.advance(2 * HOUR);
    const c = w.store.cases.getByInvoice('in_cli1')!;
    const pending = w.store.attempts.pendingForCase(c.id)!;
    const busy = await runCli(['--db', w.db, '--stripe-api-base', w.emu.url, 'run', '--once'], {
      overrides: { clock: w.clock },
    });
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(/^recover: another recover run \(pid \d+ on .+\) is using /m);
    await w.daemon.stop();
    await w.emu.setTime(pending.scheduledAt);
    w.clock.set(pending.scheduledAt);
    const once = await runCli(['--db', w.db, '--stripe-api-base', w.emu.url, '--json', 'run', '--once'], {
      overrides: { clock: w.clock },
    });
    expect(once.stderr).not.toMatch(/^recover: /m);
    expect(once.code).toBe(0);
    expect(JSON.parse(once.stdout)).toMatchObject({ mode: 'live', attempts: 1 });
    expect(w.store.attempts.get(pending.id)!.finishedAt).not.toBeNull();
  });

  it('explain prints the timeline, caps, group, state and next step; --json; an unknown invoice is a one-line error, exit 1', async () => {
    const w = await startWorld({ onboard: ['--control-share', '0'], seed });
    await w.advance(2 * HOUR);
    const mid = await runCli(['--db', w.db, 'explain', 'in_cli1'], { overrides: { clock: w.clock } });
    expect(mid.code).toBe(0);
    // Long lines wrap between words to the width (80 when piped), continuation lines indented.
    for (const line of mid.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    mid.stdout = mid.stdout.replace(/\n +/g, ' ');
    expect(mid.stdout).toContain('in_cli1 — 50.00 USD — in_dunning');
    expect(mid.stdout).toContain("group: treatment: retried by recover's policy");
    expect(mid.stdout).toMatch(/Visa: at most 15 attempts on this card in 30 days \(1 used\)/);
    expect(mid.stdout).toMatch(/event invoice\.payment_failed \(evt_\w+\) — processed/);
    expect(mid.stdout).toMatch(/Stripe's attempt 1: declined 50\.00 USD \(insufficient_funds/);
    expect(mid.stdout).toMatch(/decision: retry at 2026-01-\d\dT\d\d:00:00Z — insufficient_funds/);
    expect(mid.stdout).toMatch(/next: attempt 2 at 2026-01-/);
    await w.advance(6 * DAY);
    const done = await runCli(['--db', w.db, '--json', 'explain', 'in_cli1'], { overrides: { clock: w.clock } });
    expect(done.code).toBe(0);
    const x = JSON.parse(done.stdout);
    expect(x).toMatchObject({
      invoice: 'in_cli1',
      group: 'treatment',
      state: 'recovered',
      recoveredBy: 'recover',
      attempts: { stripe: 1 },
    });
    expect(x.timeline.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['event', 'attempt', 'decision']),
    );
    expect(x.timeline.some((e: { text: string }) => /recover attempt \d+: succeeded 50\.00 USD/.test(e.text))).toBe(
      true,
    );
    expect(x.next).toMatch(/^none: the case ended .* \(recovered, by recover\)$/);
    const missing = await runCli(['--db', w.db, 'explain', 'in_nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`recover: no case for invoice in_nope in ${w.db} (accepted: an invoice id or rcv_<n>)\n`);
    expect(missing.stdout).toBe('');
  });

  it('bad flags exit 2 with a one-line message', async () => {
    const w = await startWorld();
    await w.daemon.stop();
    const clock = await runCli(['--db', w.db, 'run', '--clock', 'emulator']);
    expect(clock.code).toBe(2);
    expect(clock.stderr).toContain('--clock emulator needs --stripe-api-base');
    const cron = await runCli(['--db', w.db, 'run', '--reconcile', 'hourly']);
    expect(cron.code).toBe(2);
    expect(cron.stderr).toContain('invalid value for --reconcile: "hourly"');
  });
});
