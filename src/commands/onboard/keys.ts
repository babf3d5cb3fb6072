/**
 * Step 2–3 of onboarding: the restricted keys. Stripe's API cannot create keys, so we print
 * Dashboard links that pre-fill a key's name and permissions, then check each key the user
 * pastes by probing every permission with calls that change nothing.
 */
import { REQUIRED_PERMISSIONS } from '../../config/settings.js';
import { readFileSync } from 'node:fs';
import { UsageError, badValue } from '../../errors.js';
import { redactKey } from '../../redact.js';
import { keyInfo, type ProbeResult } from '../../stripe/index.js';
import type { Context } from '../../context.js';

export type Env = 'test' | 'live';

/**
 * The environment: the flag, the saved one with --yes, else asked. A custom API base (the emulator)
 * takes test keys only, so "live" is neither offered nor accepted there: no key could answer it.
 */
export async function askEnv(ctx: Context, given: Env | undefined, saved: Env | undefined, yes: boolean): Promise<Env> {
  const apiBase = ctx.apiBase;
  if (apiBase && given === 'live') {
    throw badValue('--env', given, 'test (the only environment with --stripe-api-base)');
  }
  const choices = apiBase
    ? [{ value: 'test' as const, name: 'test', description: 'the only environment with --stripe-api-base' }]
    : [{ value: 'test' as const, name: 'test' }, { value: 'live' as const, name: 'live' }];
  const fallback = apiBase ? 'test' : (saved ?? 'test');
  if (given) return given;
  if (yes) return fallback;
  return ctx.prompts.select({ name: 'env', flag: '--env', message: 'Environment', default: fallback, choices });
}

/** Connect scope also lists the connected accounts. */
export function permissionsFor(scope: 'account' | 'connect'): string[] {
  return scope === 'connect' ? [...REQUIRED_PERMISSIONS, 'rak_connected_account_read'] : [...REQUIRED_PERMISSIONS];
}

/** Dashboard link that opens "create restricted key" with name and permissions filled in. */
export function keyCreationLink(env: Env, name: string, scope: 'account' | 'connect' = 'account'): string {
  const params = new URLSearchParams({ name });
  for (const p of permissionsFor(scope)) params.append('permissions[]', p);
  const mode = env === 'test' ? 'test/' : '';
  return `https://dashboard.stripe.com/${mode}apikeys/create?${params.toString().replace(/%5B%5D/g, '[]')}`;
}

/**
 * Checks a key's form against the environment. Returns a warning for a full-access secret key
 * (accepted, but it grants far more than recover needs); throws for anything else wrong.
 */
export function checkKey(flag: string, key: string, env: Env, apiBase?: string): { warning?: string } {
  const info = keyInfo(key);
  const shown = redactKey(key);
  if (info.kind === 'publishable' || info.kind === 'unknown') {
    throw new UsageError(`${flag} ${shown} is not a secret or restricted key (accepted: rk_${env}_… or sk_${env}_…)`);
  }
  if (info.env !== env) {
    throw new UsageError(`${flag} ${shown} is a ${info.env} key but the environment is ${env} (accepted: rk_${env}_… or sk_${env}_…)`);
  }
  if (apiBase && info.env !== 'test') {
    throw new UsageError(`${flag} ${shown}: only test keys are accepted with --stripe-api-base (accepted: rk_test_… or sk_test_…)`);
  }
  if (info.kind === 'secret') {
    return { warning: `${flag} ${shown} is a standard secret key: it grants full access to the account, far more than recover needs. A restricted key is safer.` };
  }
  return {};
}

/** A few words instead of Stripe's whole sentence (which --json and the logs keep). */
export function shortReason(r: ProbeResult): string {
  const needed = r.missing?.length ? r.missing : [r.permission];
  return /permission|restricted|access/i.test(r.error ?? '') || r.missing?.length
    ? `key lacks ${needed.join(' or ')}`
    : (r.error ?? 'refused').split(/[.;]/)[0]!.slice(0, 60);
}

/** Prints the probe table; returns the missing permissions. */
export function printProbe(ctx: Context, label: string, env: Env, scope: 'account' | 'connect', rows: ProbeResult[]): string[] {
  const { color } = ctx.out;
  const missing = rows.filter((r) => !r.ok).map((r) => r.permission);
  ctx.out.table(
    ['resource', 'permission', 'status', 'detail'],
    rows.map((r) => [r.resource, r.permission, r.ok ? color.green('ok') : color.red('missing'), r.ok ? '' : shortReason(r)]),
    { title: `Permissions of the ${label} key` },
  );
  if (missing.length) {
    ctx.out.line(`Add ${missing.join(', ')} to the ${label} key in the Dashboard, or create a new one:`);
    ctx.out.line(`  ${keyCreationLink(env, `recover ${label}`, scope)}`);
  }
  return missing;
}

/** Where a key may come from, besides the prompt and the saved one. */
export interface KeySources {
  /** `--primary-key` / `--fallback-key`, or their environment variable (commander reads it). */
  key?: string;
  /** `--primary-key-file` / `--fallback-key-file`: a file holding the key (e.g. a mounted secret). */
  file?: string;
  /** The key was typed on the command line: every local user sees it in `ps` while we run. */
  inArgv?: boolean;
}

/**
 * The key given by flag, file or environment, if any, and where it came from (named in messages
 * about it). A key in argv is accepted with a warning; both a key and a file for the same key is a
 * usage error (which one was meant?).
 */
export function givenKey(ctx: Context, label: 'primary' | 'fallback', src: KeySources): { key?: string; from: string } {
  const flag = `--${label}-key`;
  const envName = `RECOVER_${label.toUpperCase()}_KEY`;
  if (src.file !== undefined) {
    if (src.key !== undefined && src.inArgv) {
      throw new UsageError(`${flag} and ${flag}-file cannot be used together (pick one)`);
    }
    let text: string;
    try {
      text = readFileSync(src.file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
      throw badValue(`${flag}-file`, src.file, `a readable file holding one key (this one: ${code})`);
    }
    const key = text.trim();
    if (!key || /\s/.test(key)) {
      throw badValue(`${flag}-file`, src.file, 'a file holding one key, rk_… or sk_…, and nothing else');
    }
    return { key, from: `${flag}-file` };
  }
  if (src.key !== undefined && src.inArgv) {
    ctx.out.warn(`${flag} puts the key in the process table, where every local user can read it (ps): ` +
      `use ${envName}, ${flag}-file or the prompt instead`);
  }
  if (src.key !== undefined) return { key: src.key, from: src.inArgv ? flag : envName };
  return { key: ctx.io.env[envName], from: ctx.io.env[envName] !== undefined ? envName : flag };
}
