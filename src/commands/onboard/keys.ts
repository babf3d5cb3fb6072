/**
 * Step 2–3 of onboarding: the restricted keys. Stripe's API cannot create keys, so we print
 * Dashboard links that pre-fill a key's name and permissions, then check each key the user
 * pastes by probing every permission with calls that change nothing.
 */
import { REQUIRED_PERMISSIONS } from '../../config/settings.js';
import { UsageError } from '../../errors.js';
import { redactKey } from '../../redact.js';
import { keyInfo, type ProbeResult } from '../../stripe/index.js';
import type { Context } from '../../context.js';

export type Env = 'test' | 'live';

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
