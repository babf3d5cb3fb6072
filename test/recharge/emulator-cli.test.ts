/**
 * `recover emulator --platform recharge` (runEmulator, as the CLI calls it): it serves the Recharge API with the
 * printed token, and refuses bad values and the Stripe emulator's own flags with a one-line message.
 */
import { describe, expect, it } from 'vitest';
import { runEmulator } from '../../src/commands/emulator.js';
import { UsageError } from '../../src/errors.js';
import { RechargeClient } from '../../src/connectors/recharge/client.js';

describe('recover emulator --platform recharge', () => {
  it('starts a generated store and serves it to the printed token', async () => {
    const lines: string[] = [];
    const results: any[] = [];
    const ac = new AbortController();
    const run = runEmulator(
      { platform: 'recharge', port: 0, generate: 60, rngSeed: 4, plan: 'standard', rechargeRetries: 'off' },
      { out: { line: (t) => lines.push(t), result: (v) => results.push(v) }, signal: ac.signal },
    );
    for (let i = 0; i < 200 && !results.length; i++) await new Promise((r) => setTimeout(r, 20));
    const { url, token } = results[0];
    expect(lines[0]).toBe(`Recharge emulator (API 2021-11) listening on ${url}`);
    expect(lines[1]).toMatch(/^Store: 60 customers, \d+ charges \(\d+ in error\); plan standard; Recharge retries off/);
    const rc = new RechargeClient({ token, baseUrl: url });
    const errored = [];
    for await (const c of rc.charges({ status: 'error' })) errored.push(c);
    expect(errored.length).toBe(Number(/\((\d+) in error\)/.exec(lines[1])![1]));
    expect(errored.every((c) => c.retry_date === null)).toBe(true);
    ac.abort();
    await run;
    expect(lines.at(-1)).toBe('Recharge emulator stopped.');
  });

  it('refuses bad values and Stripe-only flags', async () => {
    const ctx = { out: { line: () => undefined }, signal: new AbortController().signal };
    const bad = (o: Parameters<typeof runEmulator>[0]) => runEmulator({ port: 0, ...o }, ctx).catch((e: unknown) => e);
    const plan = await bad({ platform: 'recharge', plan: 'gold' });
    expect(plan).toBeInstanceOf(UsageError);
    expect((plan as Error).message).toBe('invalid value for --plan: "gold" (accepted: standard | pro | plus)');
    expect(((await bad({ platform: 'recharge', rechargeRetries: 'maybe' })) as Error).message).toMatch(
      /--recharge-retries/,
    );
    const stripeOnly = await bad({ platform: 'recharge', smartRetries: 'off' });
    expect((stripeOnly as Error).message).toBe('--smart-retries: Stripe emulator only (not with --platform recharge)');
    expect(((await bad({ plan: 'pro' })) as Error).message).toMatch(/need --platform recharge/);
  });
});
