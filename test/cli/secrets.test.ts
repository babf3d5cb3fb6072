/**
 * Issue 15 §5, secrets: a key typed in argv is visible to every local user (`ps`), so it is warned
 * about and can come from the environment or a file instead; commander's own messages, which echo a
 * bad argument, are redacted like everything else. Also `recover emulator --seed <file>` (the
 * documented usage), which a defaulted --rng-seed made always fail.
 */
import { spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/index.js';
import { buildChildCli } from '../helpers/child-build.js';
import { onboardNoWebhook, runCli } from '../helpers/cli.js';
import { LEAST_KEY, emulator, tempDb, tempDir } from '../helpers/env.js';

const ARGV_WARNING =
  /warning: --primary-key puts the key in the process table, where every local user can read it \(ps\): use RECOVER_PRIMARY_KEY, --primary-key-file or the prompt instead/;

function savedKey(db: string): string | undefined {
  const s = openStore(db);
  try {
    return s.secrets.get('primary_key') ?? undefined;
  } finally {
    s.close();
  }
}

describe('keys for onboard', () => {
  it('--primary-key in argv works but warns, naming the safer ways; the key itself is never printed', async () => {
    const emu = await emulator();
    const db = tempDb();
    const r = await runCli([...onboardNoWebhook(db, emu.url), '--primary-key', LEAST_KEY]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(ARGV_WARNING);
    expect(r.stdout + r.stderr).not.toContain(LEAST_KEY);
    expect(savedKey(db)).toBe(LEAST_KEY);
  });

  it('RECOVER_PRIMARY_KEY and --primary-key-file give no warning', async () => {
    const emu = await emulator();
    const fromEnv = tempDb();
    const a = await runCli([...onboardNoWebhook(fromEnv, emu.url)], {
      env: { RECOVER_PRIMARY_KEY: LEAST_KEY },
    });
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).not.toContain('process table');
    expect(savedKey(fromEnv)).toBe(LEAST_KEY);

    const file = join(tempDir(), 'primary.key');
    writeFileSync(file, `${LEAST_KEY}\n`); // as `echo key > file` leaves it
    chmodSync(file, 0o600);
    const fromFile = tempDb();
    const b = await runCli([...onboardNoWebhook(fromFile, emu.url), '--primary-key-file', file]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).not.toContain('process table');
    expect(b.stdout + b.stderr).not.toContain(LEAST_KEY);
    expect(savedKey(fromFile)).toBe(LEAST_KEY);
  });

  it('a message about a key names where it came from: the environment variable, not a flag never typed', async () => {
    const emu = await emulator();
    const r = await runCli([...onboardNoWebhook(tempDb(), emu.url)], {
      env: { RECOVER_PRIMARY_KEY: 'sk_live_wrongenv00001a2b' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('recover: RECOVER_PRIMARY_KEY sk_live_…1a2b is a live key but the environment is test');
  });

  it('a missing or malformed key file is exit 2 naming the file, and nothing is saved', async () => {
    const emu = await emulator();
    const dir = tempDir();
    const two = join(dir, 'two.key');
    writeFileSync(two, `${LEAST_KEY} ${LEAST_KEY}\n`);
    for (const [file, accepted] of [
      [join(dir, 'nope.key'), 'a readable file holding one key (this one: ENOENT)'],
      [two, 'a file holding one key, rk_… or sk_…, and nothing else'],
    ]) {
      const db = tempDb();
      const r = await runCli([...onboardNoWebhook(db, emu.url), '--primary-key-file', file!]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `recover: invalid value for --primary-key-file: ${JSON.stringify(file)} (accepted: ${accepted})`,
      );
      expect(r.stderr).not.toContain(LEAST_KEY);
      expect(savedKey(db)).toBeUndefined();
    }
  });
});

describe("commander's own errors", () => {
  it.each([
    [['--log-level', 'sk_live_abcdefghijklmnop1a2b', 'status'], 'sk_live_…1a2b'],
    [['--log-format', 'rk_live_abcdefghijklmnop3c4d', 'status'], 'rk_live_…3c4d'],
    [['status', '--bogus', 'whsec_abcdefghijklmnop5e6f'], ''],
    [['explain'], ''],
  ])('%j: exit 2, no key in the message', async (args, shown) => {
    const r = await runCli(['--db', tempDb(), ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: /);
    if (shown) expect(r.stderr).toContain(shown);
    expect(r.stderr).not.toMatch(/(?:sk|rk)_live_\w{5,}|whsec_\w{5,}/);
  });
});

describe('recover emulator --seed <file>', () => {
  let entry: string;
  beforeAll(() => {
    entry = buildChildCli();
  });

  it('starts with the documented usage (no --rng-seed), and --rng-seed seeds --webhook-faults with it', async () => {
    for (const extra of [[], ['--webhook-faults', 'duplicate=0.1', '--rng-seed', '7']]) {
      const out = await firstLine(entry, [
        'emulator',
        '--port',
        '0',
        '--seed',
        'fixtures/small-merchant.json',
        ...extra,
      ]);
      expect(out).toMatch(/^Stripe emulator listening on http:\/\/127\.0\.0\.1:\d+/);
    }
    const bad = await firstLine(entry, [
      'emulator',
      '--port',
      '0',
      '--seed',
      'fixtures/small-merchant.json',
      '--accounts',
      '2',
    ]);
    expect(bad).toBe('recover: with --seed, --accounts does not apply and --rng-seed only seeds --webhook-faults');
  });
});

/** Runs the CLI as a child, returns its first line of output (stdout or stderr), then stops it. */
function firstLine(entry: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let buf = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no output within 20 s: ${buf}`));
    }, 20_000);
    const onData = (c: Buffer) => {
      buf += c.toString('utf8');
      const i = buf.indexOf('\n');
      if (i < 0) return;
      clearTimeout(timer);
      child.kill('SIGTERM');
      resolve(buf.slice(0, i));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
}
