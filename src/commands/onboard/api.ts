/**
 * `recover onboard api`: set-up of the Recovery API (issue 16 §1) for merchants with their own
 * billing. Asks for the Stripe key recover charges with (probed with exactly the permissions the
 * API path calls, `requiredPermissions('api')`), the result-webhook URL, the optional retry-status
 * URL and the policy; then saves everything in one transaction and prints the first API key and
 * the result-webhook signing secret, once. A second run with the same answers changes nothing
 * (the key and the secret are kept, never shown again).
 */
import { readFileSync } from 'node:fs';
import { settingsSchema, type Settings } from '../../config/settings.js';
import { SETTABLE_KEYS } from '../../config/settable.js';
import type { Context } from '../../context.js';
import { badValue, UsageError, WorkError } from '../../errors.js';
import { redactKey } from '../../redact.js';
import { AuthenticationFailed, createGateway, probePermissions } from '../../stripe/index.js';
import { requiredPermissions } from '../../stripe/permissions.js';
import { createApiKey } from '../../api/keys.js';
import { newSigningSecret } from '../../outbox/signing.js';
import { API_ACCOUNT } from '../../api/intake.js';
import { askEnv, checkKey, shortReason, type Env } from './keys.js';
import { askApiPolicy } from './policy-questions.js';

export interface OnboardApiOptions {
  env?: Env;
  /** `--stripe-key` or RECOVER_STRIPE_KEY (commander reads both). */
  stripeKey?: string;
  primaryKeyFile?: string;
  resultWebhookUrl?: string;
  retryStatusUrl?: string;
  cardUpdateReturnUrl?: string;
  allowLocalWebhooks?: boolean;
  dunningDays?: number;
  windows?: string;
  controlShare?: number;
  controlBaseline?: string;
  mode?: 'shadow' | 'live';
  yes?: boolean;
}

/** Baseline for API cases when none is saved: nobody retries for the merchant, so the control's is a fixed schedule. */
const API_DEFAULT_BASELINE = 'fixed:3,5,7';

export async function runOnboardApi(opts: OnboardApiOptions, ctx: Context): Promise<void> {
  const { out, prompts } = ctx;
  const yes = Boolean(opts.yes);
  const current = ctx.db.settings.get() ?? undefined;
  const local = Boolean(opts.allowLocalWebhooks);
  // Every flag is checked before any prompt or Stripe call: a bad one is one line, exit 2, nothing changed.
  const urls = {
    resultWebhookUrl: opts.resultWebhookUrl && merchantUrl('--result-webhook-url', opts.resultWebhookUrl, local),
    retryStatusUrl: opts.retryStatusUrl && merchantUrl('--retry-status-url', opts.retryStatusUrl, local),
    cardUpdateReturnUrl:
      opts.cardUpdateReturnUrl && merchantUrl('--card-update-return-url', opts.cardUpdateReturnUrl, local),
  };
  const policy = {
    ...(opts.dunningDays !== undefined ? { dunningDays: opts.dunningDays } : {}),
    ...(opts.windows !== undefined
      ? {
          windows: field(
            'windows',
            '--windows',
            opts.windows.split(',').map((w) => w.trim()),
          ),
        }
      : {}),
    ...(opts.controlShare !== undefined ? { controlShare: opts.controlShare } : {}),
    ...(opts.controlBaseline !== undefined
      ? { controlBaseline: field('controlBaseline', '--control-baseline', opts.controlBaseline) }
      : {}),
    ...(opts.mode !== undefined ? { mode: opts.mode } : {}),
  };
  const env: Env = await askEnv(ctx, opts.env, current?.env, yes);

  // The Stripe key recover charges with: restricted to what the API path calls.
  const perms = [...requiredPermissions('api')];
  out.line(out.color.bold('Stripe key for the Recovery API'));
  out.line(`Create a restricted key with: ${perms.join(', ')}`);
  out.line(`  ${keyLink(env, perms)}`);
  const key = await probeStripeKey(ctx, await stripeKey(ctx, opts, env, yes), env, perms);

  const resultWebhookUrl =
    urls.resultWebhookUrl ??
    (yes
      ? current?.resultWebhookUrl
      : await askUrl(
          ctx,
          'resultWebhookUrl',
          '--result-webhook-url',
          'URL recover POSTs signed results to (enter for none)',
          current?.resultWebhookUrl,
          local,
        ));
  const retryStatusUrl =
    urls.retryStatusUrl ??
    (yes
      ? current?.retryStatusUrl
      : await askUrl(
          ctx,
          'retryStatusUrl',
          '--retry-status-url',
          'URL asked before each retry (enter for none)',
          current?.retryStatusUrl,
          local,
        ));
  const asked = await askApiPolicy(
    { ...policy, windows: policy.windows?.join(',') },
    yes || !prompts.interactive,
    prompts,
    current,
  );
  const controlBaseline =
    policy.controlBaseline ??
    (yes || !prompts.interactive
      ? (current?.controlBaseline ?? API_DEFAULT_BASELINE)
      : await prompts.select({
          name: 'controlBaseline',
          flag: '--control-baseline',
          message: 'Control group schedule (Smart Retries never retry PaymentIntents you create)',
          default: current?.controlBaseline ?? API_DEFAULT_BASELINE,
          choices: [
            { value: 'fixed:3,5,7' as const, name: 'fixed:3,5,7', description: 'retried on days 3, 5 and 7' },
            { value: 'stripe' as const, name: 'stripe', description: 'not retried at all (what Stripe does for them)' },
          ],
        }));
  const settings: Settings = settingsSchema.parse({
    env,
    scope: 'account',
    ...(current ?? {}),
    ...asked,
    controlBaseline,
    ...(resultWebhookUrl ? { resultWebhookUrl } : {}),
    ...(retryStatusUrl ? { retryStatusUrl } : {}),
    ...(urls.cardUpdateReturnUrl ? { cardUpdateReturnUrl: urls.cardUpdateReturnUrl } : {}),
    ...(ctx.apiBase ? { stripeApiBase: ctx.apiBase } : {}),
  });
  if (settings.controlBaseline === 'stripe') {
    out.warn(
      'control baseline "stripe": Smart Retries do not retry PaymentIntents recover did not create, so ' +
        'API cases in the control group are not retried at all ' +
        '(set --control-baseline fixed:3,5,7 to compare with a schedule)',
    );
  }
  out.table(
    ['setting', 'value'],
    [
      ['environment', env],
      ['Stripe key', redactKey(key)],
      ['result webhooks', settings.resultWebhookUrl ?? 'none'],
      ['retry-status check', settings.retryStatusUrl ?? 'none (every retry goes ahead)'],
      ['dunning / windows', `${settings.dunningDays} days; ${settings.windows.join('; ')}`],
      ['control', `${(settings.controlShare * 100).toFixed(0)}% against ${settings.controlBaseline}`],
      ['mode', settings.mode],
    ],
    { title: 'Summary' },
  );
  if (
    !yes &&
    prompts.interactive &&
    !(await prompts.confirm({ name: 'save', flag: '--yes', message: 'Save?', default: true }))
  ) {
    throw new WorkError('not saved; nothing was changed', 'run recover onboard api again');
  }
  const created = ctx.db.tx(() => {
    ctx.db.settings.set(settings);
    ctx.db.secrets.set('api_stripe_key', key);
    ctx.db.accounts.upsert({ id: API_ACCOUNT, environment: env, kind: 'main', name: null });
    const secret = ctx.db.secrets.get('result_webhook_secret') ? null : newSigningSecret();
    if (secret) ctx.db.secrets.set('result_webhook_secret', secret);
    const hasKey = ctx.db.apiKeys.list().some((k) => k.revokedAt === null && k.mode === env);
    const apiKey = hasKey ? null : createApiKey(ctx.db, env, 'first key (onboard api)');
    return { secret, apiKey };
  });
  // Shown once, on stdout only (the merchant's billing code needs them); never logged.
  if (created.apiKey) ctx.out.shownOnce('API key (shown once)', created.apiKey.key);
  if (created.secret) ctx.out.shownOnce('Result-webhook signing secret (shown once)', created.secret);
  if (!created.apiKey) out.line('API key: kept (recover api-keys list; api-keys create for another)');
  out.result({
    env,
    stripeKey: redactKey(key),
    settings,
    database: ctx.globals.db,
    apiKey: created.apiKey ? { id: created.apiKey.row.id, prefix: created.apiKey.row.prefix } : null,
    next: 'recover run',
  });
  out.line(`Saved to ${ctx.globals.db}`);
  out.line('Next: recover run (the API is served under /v1/ on its port)');
}

function field<K extends keyof typeof SETTABLE_KEYS & keyof Settings>(
  key: K,
  flag: string,
  value: unknown,
): Settings[K] {
  const r = settingsSchema.shape[key].safeParse(value);
  if (!r.success) throw badValue(flag, value, SETTABLE_KEYS[key]);
  return r.data as Settings[K];
}

/** https, or with --allow-local-webhooks http://localhost / 127.0.0.1 (a merchant's test server). */
export function merchantUrl(flag: string, raw: string, allowLocal: boolean): string {
  const accepted = `an https:// URL${allowLocal ? ', or http://localhost/127.0.0.1' : ' (http://localhost with --allow-local-webhooks)'}`;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw badValue(flag, raw, accepted);
  }
  const local = u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  if (u.username || u.password || !(u.protocol === 'https:' || (allowLocal && local)))
    throw badValue(flag, raw, accepted);
  return u.toString();
}

async function askUrl(
  ctx: Context,
  name: string,
  flag: string,
  message: string,
  saved: string | undefined,
  local: boolean,
) {
  const v = (
    await ctx.prompts.input({
      name,
      flag,
      message,
      default: saved ?? '',
      validate: (s) => {
        if (!s.trim()) return true;
        try {
          merchantUrl(flag, s.trim(), local);
          return true;
        } catch (e) {
          return (e as Error).message;
        }
      },
    })
  ).trim();
  return v ? merchantUrl(flag, v, local) : undefined;
}

/**
 * Probes the key's permissions and prints them. A key typed at the prompt that Stripe refuses (401) or that
 * lacks a permission is asked for again (the same key once fixed in the Dashboard, or a new one), as in
 * `onboard stripe`; one given by flag, file, environment or saved is an error naming the right command.
 */
async function probeStripeKey(
  ctx: Context,
  given: { key: string; prompted: boolean },
  env: Env,
  perms: string[],
): Promise<string> {
  const { out } = ctx;
  for (let key = given.key; ; key = await askStripeKey(ctx, env)) {
    const gw = createGateway({ primaryKey: key, apiBase: ctx.apiBase, logger: ctx.logger });
    let rows: Awaited<ReturnType<typeof probePermissions>>;
    try {
      rows = await probePermissions(gw, undefined, perms);
    } catch (e) {
      if (!(e instanceof AuthenticationFailed)) throw e;
      if (!given.prompted) {
        throw new WorkError(`${e.message}; nothing was saved`, 'check the key, then run recover onboard api again');
      }
      out.warn(`${e.message}: give another key`);
      continue;
    }
    out.table(
      ['resource', 'permission', 'status', 'detail'],
      rows.map((r) => [
        r.resource,
        r.permission,
        r.ok ? out.color.green('ok') : out.color.red('missing'),
        r.ok ? '' : shortReason(r),
      ]),
      { title: 'Permissions of the key' },
    );
    const missing = rows.filter((r) => !r.ok).map((r) => r.permission);
    if (!missing.length) return key;
    if (!given.prompted) {
      throw new WorkError(
        `missing permissions (${missing.join(', ')}); nothing was saved`,
        'add them to the key in the Dashboard and run recover onboard api again',
      );
    }
    const n = missing.length === 1 ? missing[0] : `${missing.length} permissions (above)`;
    out.warn(`the key ${redactKey(key)} lacks ${n}: add them and paste it again, or paste a new key`);
  }
}

async function stripeKey(
  ctx: Context,
  opts: OnboardApiOptions,
  env: Env,
  yes: boolean,
): Promise<{ key: string; prompted: boolean }> {
  // commander reads RECOVER_STRIPE_KEY from process.env; the context's env is the one a test or wrapper set.
  let given = opts.stripeKey ?? ctx.io.env.RECOVER_STRIPE_KEY;
  let from = '--stripe-key (RECOVER_STRIPE_KEY)';
  if (opts.primaryKeyFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.primaryKeyFile, 'utf8').trim();
    } catch (e) {
      throw badValue(
        '--primary-key-file',
        opts.primaryKeyFile,
        `a readable file holding one key (${(e as NodeJS.ErrnoException).code})`,
      );
    }
    if (!text || /\s/.test(text))
      throw badValue('--primary-key-file', opts.primaryKeyFile, 'a file holding one key, rk_… or sk_…');
    given = text;
    from = '--primary-key-file';
  }
  if (given) {
    const { warning } = checkKey(from, given, env, ctx.apiBase);
    if (warning) ctx.out.warn(warning);
    return { key: given, prompted: false };
  }
  const saved = ctx.db.secrets.get('api_stripe_key');
  if (saved && (yes || !ctx.prompts.interactive)) return { key: saved, prompted: false };
  if (yes || !ctx.prompts.interactive) {
    throw new UsageError(`no Stripe key: set RECOVER_STRIPE_KEY or pass --primary-key-file (accepted: rk_${env}_…)`);
  }
  return { key: await askStripeKey(ctx, env), prompted: true };
}

async function askStripeKey(ctx: Context, env: Env): Promise<string> {
  const key = (
    await ctx.prompts.password({
      name: 'stripeKey',
      flag: '--stripe-key (or RECOVER_STRIPE_KEY)',
      message: `Stripe key (rk_${env}_…)`,
      validate: (v) => {
        try {
          checkKey('the Stripe key', v.trim(), env, ctx.apiBase);
          return true;
        } catch (e) {
          return (e as Error).message;
        }
      },
    })
  ).trim();
  checkKey('the Stripe key', key, env, ctx.apiBase);
  return key;
}

function keyLink(env: Env, perms: string[]): string {
  const params = new URLSearchParams({ name: 'recover api' });
  for (const p of perms) params.append('permissions[]', p);
  return `https://dashboard.stripe.com/${env === 'test' ? 'test/' : ''}apikeys/create?${params.toString().replace(/%5B%5D/g, '[]')}`;
}
