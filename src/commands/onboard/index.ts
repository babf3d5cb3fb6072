/**
 * `recover onboard stripe`: the setup wizard (DESIGN.md §1). Every step explains itself and
 * checks its own result; every answer has a flag; nothing is saved until every check passed,
 * and a second run with the same answers changes nothing.
 */
import { settingsSchema, type Settings } from '../../config/settings.js';
import { WorkError, badValue } from '../../errors.js';
import { SETTABLE_KEYS } from '../../config/settable.js';
import { redactKey } from '../../redact.js';
import { AuthenticationFailed, InvalidRequest, createGateway, probePermissions, type StripeGateway } from '../../stripe/index.js';
import type { Context } from '../../context.js';
import { askEnv, checkKey, givenKey, keyCreationLink, permissionsFor, printProbe, type Env } from './keys.js';
import { BASELINE_EXPLANATION, SMART_RETRIES_OFF_STEPS, judgeSignal, scanSmartRetries, smartRetriesLink } from './baseline.js';
import { askBaselineWindow } from './baseline-window.js';
import { askPolicy, type PolicyFlags } from './policy-questions.js';
import { applyWebhook, planWebhook, validateWebhookUrl, type WebhookPlan } from './webhook.js';

export interface OnboardOptions extends PolicyFlags {
  env?: Env;
  scope?: 'account' | 'connect';
  primaryKey?: string;
  fallbackKey?: string;
  primaryKeyFile?: string;
  fallbackKeyFile?: string;
  /** Which of primaryKey / fallbackKey were typed on the command line (set by cli.ts). */
  keysInArgv?: Array<'primaryKey' | 'fallbackKey'>;
  webhookUrl?: string;
  controlBaseline?: string;
  /** Smart Retries' window in days (baseline stripe): asked, as Stripe's API does not expose it. */
  baselineWindowDays?: number;
  /** false with --no-webhook: no endpoint (events forwarded by `stripe listen`). */
  webhook?: boolean;
  yes?: boolean;
}

/** Printed with --no-webhook: the two terminals of a local set-up. */
const STRIPE_LISTEN_STEPS = [
  'No webhook endpoint registered. Forward events with the Stripe CLI, in two terminals:',
  '  stripe listen --forward-to localhost:4242/stripe/webhook     # prints the signing secret whsec_…',
  '  recover run --webhook-secret whsec_…',
];

export async function runOnboard(opts: OnboardOptions, ctx: Context): Promise<void> {
  const { out, prompts } = ctx;
  const yes = Boolean(opts.yes);
  // Before any prompt or Stripe call: a bad flag is one line, exit 2, not a ZodError after the probes.
  const baselineOk = (v: string) => settingsSchema.shape.controlBaseline.safeParse(v).success;
  if (opts.controlBaseline !== undefined && !baselineOk(opts.controlBaseline)) {
    throw badValue('--control-baseline', opts.controlBaseline, SETTABLE_KEYS.controlBaseline);
  }
  const current = ctx.db.settings.get() ?? undefined;
  const apiBase = ctx.apiBase;

  // 1. Environment and scope.
  const env: Env = await askEnv(ctx, opts.env, current?.env, yes);
  const scope = opts.scope ?? (yes ? (current?.scope ?? 'account') : await prompts.select({
    name: 'scope', flag: '--scope', message: 'Scope', default: current?.scope ?? 'account',
    choices: [
      { value: 'account' as const, name: 'this account', description: 'invoices of the account the keys belong to' },
      { value: 'connect' as const, name: 'Connect connected accounts', description: 'invoices of every connected account' },
    ],
  }));

  // 2. Keys.
  out.line(out.color.bold('Restricted keys'));
  out.line('Stripe cannot create API keys through its API. Create two restricted keys with');
  out.line('these links (name and permissions are filled in), then paste them below:');
  out.line(`  primary:  ${keyCreationLink(env, 'recover primary', scope)}`);
  out.line(`  fallback: ${keyCreationLink(env, 'recover fallback', scope)}  (used only when the primary is rate-limited)`);
  // Keys may come from the environment so they never appear in a shell history or process list.
  const inArgv = (k: 'primaryKey' | 'fallbackKey') => opts.keysInArgv?.includes(k) ?? false;
  const primaryGiven = givenKey(ctx, 'primary',
    { key: opts.primaryKey, file: opts.primaryKeyFile, inArgv: inArgv('primaryKey') });
  const fallbackGiven = givenKey(ctx, 'fallback',
    { key: opts.fallbackKey, file: opts.fallbackKeyFile, inArgv: inArgv('fallbackKey') });
  let primaryKey = await askKey(ctx, 'primary', primaryGiven.from, primaryGiven.key, env, yes, true);
  let fallbackKey = await askKey(ctx, 'fallback', fallbackGiven.from, fallbackGiven.key, env, yes, false);

  // 3. Probe every permission of each key; stop before saving anything if one is missing.
  // A key typed at the prompt that Stripe refuses (401) or that lacks a permission is asked for
  // again (the same key once fixed in the Dashboard, or a new one); a given or saved one is an error.
  const missing: string[] = [];
  const asked = { primary: primaryKey, fallback: fallbackKey };
  for (const label of ['primary', 'fallback'] as const) {
    const given = label === 'primary' ? primaryGiven : fallbackGiven;
    const canAsk = !given.key && !yes && ctx.prompts.interactive;
    for (let key = asked[label]; key; key = asked[label]) {
      const gw = createGateway({ primaryKey: key, apiBase, logger: ctx.logger });
      try {
        const rows = await probePermissions(gw, undefined, permissionsFor(scope));
        const lacking = printProbe(ctx, label, env, scope, rows);
        if (lacking.length && canAsk) {
          const n = lacking.length === 1 ? lacking[0] : `${lacking.length} permissions (above)`;
          out.warn(`the ${label} key ${redactKey(key)} lacks ${n}: add them and paste it again, or paste a new key`);
          asked[label] = await askKey(ctx, label, given.from, undefined, env, yes, label === 'primary', false);
          continue;
        }
        missing.push(...lacking.map((p) => `${label}:${p}`));
        break;
      } catch (e) {
        if (!(e instanceof AuthenticationFailed) || !canAsk) throw e;
        out.warn(`the ${label} key ${redactKey(key)}: ${e.message}: give another key`);
        asked[label] = await askKey(ctx, label, given.from, undefined, env, yes, label === 'primary', false);
      }
    }
  }
  [primaryKey, fallbackKey] = [asked.primary, asked.fallback];
  if (missing.length) {
    throw new WorkError(`missing permissions (${missing.join(', ')}); nothing was saved`, 'add them to the key in the Dashboard and run recover onboard stripe again');
  }
  const gw = createGateway({ primaryKey: primaryKey!, fallbackKey, apiBase, logger: ctx.logger });
  const accounts = await discoverAccounts(gw, scope);

  // 4. Webhook endpoint: only planned here (a read); created or updated after the summary is confirmed.
  const hook = opts.webhook === false ? null : await planHook(ctx, gw, opts, current, env, scope, yes);

  // 5. Smart Retries and the control baseline.
  for (const l of BASELINE_EXPLANATION) out.line(l);
  const controlBaseline = settingsSchema.shape.controlBaseline.parse(opts.controlBaseline ?? (yes ? (current?.controlBaseline ?? 'stripe') : await prompts.select({
    name: 'controlBaseline', flag: '--control-baseline', message: 'Control baseline', default: current?.controlBaseline ?? 'stripe',
    choices: [{ value: 'stripe', name: 'stripe (Smart Retries stays on)' }, { value: 'fixed:3,5,7', name: 'fixed:3,5,7 (Smart Retries off)' }],
  })));
  if (controlBaseline !== 'stripe') {
    for (const l of SMART_RETRIES_OFF_STEPS) out.line(l);
    out.line(`  ${smartRetriesLink(env)}`);
  }
  const signal = await scanSmartRetries(gw, scope === 'connect' ? accounts.map((a) => a.id) : [undefined]);
  const verdict = judgeSignal(controlBaseline, signal);
  (verdict.ok ? out.line.bind(out) : out.warn.bind(out))(verdict.message);
  for (const r of signal.retrying.slice(0, 5)) out.line(`  ${r.invoice}${r.account ? ` (${r.account})` : ''}: next Stripe retry ${new Date(r.nextAttempt).toISOString()}`);

  // 6. Dunning policy.
  const policy = await askPolicy(opts, yes, prompts, current);
  const baselineWindowDays = await askBaselineWindow({
    baseline: controlBaseline, flag: opts.baselineWindowDays, yes, saved: current?.baselineWindowDays, dunningDays: policy.dunningDays,
    prompts, warn: (t) => out.warn(t),
  });

  // 7. Summary, confirmation, then the only Stripe write (the webhook endpoint) and the save.
  const draft: Settings = settingsSchema.parse({
    ...(current ?? {}), env, scope, webhookUrl: hook?.url, webhookEndpointId: hook?.plan.action === 'keep' || hook?.plan.action === 'update' ? hook.plan.endpoint.id : undefined,
    controlBaseline, baselineWindowDays, ...policy, ...(apiBase ? { stripeApiBase: apiBase } : {}),
  });
  const keys = { primary: redactKey(primaryKey!), fallback: fallbackKey ? redactKey(fallbackKey) : null };
  const hookLine = hook ? `${hook.plan.action === 'create' ? 'to create' : hook.plan.action === 'keep' ? 'kept' : `to ${hook.plan.action}`} → ${hook.url}` : 'none (--no-webhook)';
  out.table(['setting', 'value'], [
    ['environment / scope', `${env} / ${scope}`],
    ['accounts', accounts.map((a) => a.id).join(', ')],
    ['primary key / fallback key', `${keys.primary} / ${keys.fallback ?? 'none'}`],
    ['webhook endpoint', hookLine],
    ['baseline / control share', `${controlBaseline}${controlBaseline === 'stripe' ? ` (${baselineWindowDays}-day window)` : ''} / ${(draft.controlShare * 100).toFixed(0)}%`],
    ['dunning', `${draft.dunningDays} days; subscription: ${draft.subscriptionAction.type}; invoice: ${draft.invoiceAction}`],
    ['retry windows', `${draft.windows.join('; ')} (customer time, else ${draft.defaultTimezone})`],
    ['mode', draft.mode],
  ], { title: 'Summary' });
  if (!yes && prompts.interactive) {
    const ok = await prompts.confirm({ name: 'save', flag: '--yes', message: `Save${hook && hook.plan.action !== 'keep' ? ` and ${hook.plan.action} the webhook endpoint` : ''}?`, default: true });
    if (!ok) throw new WorkError('not saved; nothing was changed here or at Stripe', 'run recover onboard stripe again');
  }
  ctx.io.interruptNote = 'the webhook endpoint may exist at Stripe already; run recover onboard stripe again to finish (it finds it)';
  const webhook = hook ? await applyWebhook(gw, hook.plan, hook.url, scope === 'connect').catch((e: unknown) => {
    // Stripe judges the URL only now (e.g. localhost): say which one, that nothing was saved, and the way out.
    if (!(e instanceof InvalidRequest)) throw e;
    throw new WorkError(`Stripe refused the webhook URL ${hook.url}: ${e.message} Nothing was saved`,
      'give a public URL (a reverse proxy or tunnel in front of recover run), or onboard with --no-webhook and use stripe listen');
  }) : null;
  const settings: Settings = settingsSchema.parse({ ...draft, webhookEndpointId: webhook?.endpointId });
  ctx.db.tx(() => {
    ctx.db.settings.set(settings);
    ctx.db.secrets.set('primary_key', primaryKey!);
    if (fallbackKey) ctx.db.secrets.set('fallback_key', fallbackKey);
    else ctx.db.secrets.delete('fallback_key');
    if (webhook?.secret) ctx.db.secrets.set('webhook_secret', webhook.secret);
    for (const a of accounts) ctx.db.accounts.upsert({ id: a.id, environment: env, kind: a.kind, name: a.name ?? null });
  });
  const summary = {
    env, scope, accounts, keys,
    webhook: webhook ? { id: webhook.endpointId, url: webhook.url, action: webhook.action } : null,
    smartRetries: { retrying: signal.retrying.length, scanned: signal.scanned, truncated: signal.truncated, matchesBaseline: verdict.ok },
    settings: { ...settings },
    database: ctx.globals.db,
    next: 'recover takeover --dry-run',
  };
  out.result(summary);
  if (webhook) out.line(`Webhook endpoint ${webhook.endpointId} (${webhook.action === 'keep' ? 'already set up' : webhook.action + 'd'}) → ${webhook.url}`);
  else for (const l of STRIPE_LISTEN_STEPS) out.line(l);
  out.line(`Saved to ${ctx.globals.db}`);
  out.line(`Next: ${summary.next}`);
}

async function planHook(
  ctx: Context, gw: StripeGateway, opts: OnboardOptions, current: Settings | undefined, env: Env, scope: 'account' | 'connect', yes: boolean,
): Promise<{ url: string; plan: WebhookPlan }> {
  const url = opts.webhookUrl !== undefined ? validateWebhookUrl(opts.webhookUrl, env) : await askWebhookUrl(ctx, current?.webhookUrl, yes, env);
  const hasSecret = Boolean(ctx.db.secrets.get('webhook_secret'));
  const plan = planWebhook(await listEndpoints(gw), url, scope === 'connect', { endpointId: current?.webhookEndpointId, hasSecret });
  if (plan.action === 'replace') {
    const ok = yes || (await ctx.prompts.confirm({ name: 'replaceWebhook', flag: '--yes', message: `Replace the endpoint ${plan.endpoint.id} at ${url}? ${plan.reason}.`, default: true }));
    if (!ok) throw new WorkError(`webhook endpoint ${plan.endpoint.id} kept; without its signing secret recover cannot verify events; nothing was saved`, 'run recover onboard stripe again and allow the replacement');
  }
  return { url, plan };
}

async function askKey(
  ctx: Context, label: 'primary' | 'fallback', flag: string, given: string | undefined, env: Env, yes: boolean,
  required: boolean, offerSaved = true,
): Promise<string | undefined> {
  const saved = offerSaved ? (ctx.db.secrets.get(`${label}_key`) ?? undefined) : undefined;
  if (given) {
    // Given by flag or environment: a bad one is a usage error naming that flag.
    const { warning } = checkKey(flag, given, env, ctx.apiBase);
    if (warning && !(await acceptSecretKey(ctx, label, warning, yes))) {
      throw new WorkError(`${flag} ${redactKey(given)} refused; nothing was saved`, 'create a restricted key with the link above');
    }
    return given;
  }
  if (saved) {
    const keep = yes || (await ctx.prompts.confirm({ name: `keep${cap(label)}Key`, flag, message: `Keep the saved ${label} key ${redactKey(saved)}?`, default: true }));
    if (keep) return saved;
  }
  if (!required && (yes || !ctx.prompts.interactive)) return undefined;
  // Asked: a bad answer is re-asked with the reason, never the end of the wizard.
  const name = `the ${label} key`;
  for (;;) {
    const key = (await ctx.prompts.password({
      name: `${label}Key`, flag: `${flag} (or RECOVER_${label.toUpperCase()}_KEY)`,
      message: `${cap(label)} key (rk_${env}_…)${required ? '' : ' (enter to skip)'}`,
      validate: (v) => {
        if (!v.trim()) return required ? `a key is required (accepted: rk_${env}_… or sk_${env}_…)` : true;
        try {
          checkKey(name, v.trim(), env, ctx.apiBase);
          return true;
        } catch (e) {
          return (e as Error).message;
        }
      },
    })).trim();
    if (!key) return undefined;
    const { warning } = checkKey(name, key, env, ctx.apiBase);
    if (!warning || (await acceptSecretKey(ctx, label, warning, yes))) return key;
  }
}

async function acceptSecretKey(ctx: Context, label: string, warning: string, yes: boolean): Promise<boolean> {
  ctx.out.warn(warning);
  return yes || ctx.prompts.confirm({ name: `accept${label}SecretKey`, flag: '--yes', message: 'Use it anyway?', default: false });
}

function cap(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}

async function askWebhookUrl(ctx: Context, saved: string | undefined, yes: boolean, env: Env): Promise<string> {
  if (yes && saved) return saved;
  ctx.out.line('The webhook URL is the public address Stripe posts events to; put a reverse');
  ctx.out.line('proxy or tunnel in front of recover run (127.0.0.1:4242/stripe/webhook).');
  ctx.out.line('No public URL yet? Run again with --no-webhook and use `stripe listen`.');
  const raw = await ctx.prompts.input({
    name: 'webhookUrl', flag: '--webhook-url', message: 'Public webhook URL', default: saved,
    validate: (v) => {
      try {
        validateWebhookUrl(v.trim(), env, 'the webhook URL');
        return true;
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
  return validateWebhookUrl(raw.trim(), env);
}

async function listEndpoints(gw: StripeGateway) {
  return (await gw.webhookEndpoints.list({ limit: 100 })).data;
}

/**
 * The accounts recover works on. In account scope the keys' own account is stored as `self`
 * (retrieving it would need a permission recover otherwise has no use for); in Connect scope
 * the connected accounts are listed (this needs rak_connected_account_read too).
 */
async function discoverAccounts(gw: StripeGateway, scope: 'account' | 'connect') {
  if (scope === 'account') return [{ id: 'self', kind: 'main' as const, name: null }];
  const accounts: Array<{ id: string; kind: 'connected'; name: string | null }> = [];
  for await (const { page } of gw.accounts.listAll({ limit: 100 })) {
    for (const a of page) accounts.push({ id: a.id, kind: 'connected', name: a.settings?.dashboard?.display_name ?? a.business_profile?.name ?? null });
  }
  if (accounts.length === 0) throw new WorkError('scope connect, but the platform has no connected accounts', 'choose --scope account, or connect an account first');
  return accounts;
}
