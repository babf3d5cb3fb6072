/** Against an emulator, a command that computes with "now" says once, on stderr, which clock it used. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { LEAST_KEY, emulator, tempDb } from '../helpers/env.js';

describe('which clock', () => {
  it('takeover names the system clock once, or the emulator clock with --clock emulator', async () => {
    const emu = await emulator();
    const db = tempDb();
    const base = ['--db', db, '--stripe-api-base', emu.url];
    const onboard = await runCli([...base, 'onboard', 'stripe', '--env', 'test', '--scope', 'account', '--primary-key', LEAST_KEY,
      '--webhook-url', 'https://pay.example.com/stripe/webhook', '--control-baseline', 'stripe', '--yes']);
    expect(onboard.code, onboard.stderr).toBe(0);
    const system = await runCli([...base, 'takeover', '--dry-run']);
    expect(system.code, system.stderr).toBe(0);
    expect(system.stderr.match(/note: "now" is this machine's clock, \d{4}-\d\d-\d\dT/g)).toHaveLength(1);
    expect(system.stderr).toContain(`Stripe API at ${emu.url}`);
    const followed = await runCli([...base, 'takeover', '--dry-run', '--clock', 'emulator']);
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stderr).toContain(`note: "now" follows the emulator's clock at ${emu.url}: ${new Date(emu.now()).toISOString().slice(0, 10)}`);
    expect(followed.stderr).not.toContain("this machine's clock");
  });
});
