/**
 * Runs the real CLI in-process (commander table, context, commands) with captured output,
 * so tests see exactly what a user would, plus the exit code `bin/recover` would set.
 */
import { PassThrough } from 'node:stream';
import { main } from '../../src/main.js';
import type { ContextOverrides } from '../../src/context.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  args: string[],
  opts: { env?: Record<string, string | undefined>; overrides?: ContextOverrides; tty?: boolean } = {},
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const env = { NO_COLOR: '1', ...opts.env } as NodeJS.ProcessEnv;
  const code = await main(['node', 'recover', ...args], {
    stdout,
    stderr,
    env,
    stdinIsTTY: opts.tty ?? false,
    overrides: opts.overrides,
  });
  await new Promise((r) => setImmediate(r));
  return { code, stdout: out, stderr: err };
}

/** `recover onboard stripe` with defaults and no webhook endpoint; the caller gives the key (env, flag or file). */
export function onboardNoWebhook(db: string, apiBase: string, baseline = 'stripe'): string[] {
  return [
    '--db',
    db,
    '--stripe-api-base',
    apiBase,
    'onboard',
    'stripe',
    '--env',
    'test',
    '--scope',
    'account',
    '--no-webhook',
    '--control-baseline',
    baseline,
    '--yes',
  ];
}
