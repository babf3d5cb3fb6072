/**
 * `recover onboard recharge` (issue 17 §3): a Recharge store beside (or instead of) a Stripe
 * account. Token and client secret (flag/env/file/prompt, never printed), the scope probe with
 * the exact missing scopes, the `/charges/{id}/process` plan check, recover's webhooks, the
 * portal hand-off (printed, then verified from charge data), the end-of-dunning action and mode
 * `shadow` for the pre-launch ingest. Nothing is saved until every check passed; a second run
 * with the same answers changes nothing (webhooks are found, not duplicated).
 */
import { readFileSync } from 'node:fs';
import { settingsSchema, type Settings } from '../../config/settings.js';
import type { Context } from '../../context.js';
import { RechargeClient } from '../../connectors/recharge/client.js';
import { registerSecret } from '../../redact.js';
import { PORTAL_STEPS, probeProcess, scanRechargeRetries } from '../../connectors/recharge/handoff.js';
import { scopeVerdicts } from '../../connectors/recharge/types.js';
import {
  rechargeSettingsSchema,
  SHADOW_DAYS_RECOMMENDED,
  type EndAction,
  type RechargeSettings,
} from '../../connectors/recharge/settings.js';
import { ensureWebhooks, missingTopics, RECHARGE_WEBHOOK_PATH } from '../../connectors/recharge/webhook-heal.js';
import type { SecretName } from '../../db/index.js';
import { UsageError, WorkError, badValue } from '../../errors.js';
import { askPolicy, type PolicyFlags } from './policy-questions.js';

export interface OnboardRechargeOptions extends PolicyFlags {
  env?: 'test' | 'live';
  token?: string;
  tokenFile?: string;
  clientSecret?: string;
  clientSecretFile?: string;
  /** The store's handle, e.g. `myshop` (the account id becomes `rc_myshop`). */
  store?: string;
  rechargeApiBase?: string;
  /** Full public URL of recover's receiver, ending in /recharge/webhooks. */
  webhookUrl?: string;
  webhook?: boolean;
  endAction?: 'cancel' | 'leave';
  cancelReason?: string;
  controlBaseline?: string;
  yes?: boolean;
}

export const SECRET_TOKEN: SecretName = 'recharge_token';
export const SECRET_CLIENT: SecretName = 'recharge_client_secret';

/** A secret from its file, its flag or environment variable, the saved one, or the prompt. */
async function secret(
  ctx: Context,
  what: { flag: string; env: string; saved: SecretName; label: string },
  given: string | undefined,
  file: string | undefined,
  yes: boolean,
): Promise<string> {
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw badValue(
        `${what.flag}-file`,
        file,
        `a readable file holding the ${what.label} (${(e as NodeJS.ErrnoException).code})`,
      );
    }
    if (!text || /\s/.test(text))
      throw badValue(`${what.flag}-file`, file, `a file holding the ${what.label} and nothing else`);
    return text;
  }
  const v = given ?? ctx.io.env[what.env];
  if (v !== undefined) {
    if (!v.trim() || /\s/.test(v.trim()))
      throw new UsageError(`${what.flag} is empty or has spaces (accepted: the ${what.label})`);
    return v.trim();
  }
  const saved = ctx.db.secrets.get(what.saved);
  if (saved && (yes || !ctx.prompts.interactive)) return saved;
  const typed = await ctx.prompts.password({
    name: what.saved,
    flag: `${what.flag} (or ${what.env})`,
    message: `Recharge ${what.label}`,
    validate: (s) => (s.trim() ? true : `the ${what.label} is required`),
  });
  return typed.trim();
}

function checkWebhookUrl(url: string, local: boolean): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw badValue('--webhook-url', url, `an https URL ending in ${RECHARGE_WEBHOOK_PATH}`);
  }
  if ((u.protocol !== 'https:' && !(local && u.protocol === 'http:')) || !u.pathname.endsWith(RECHARGE_WEBHOOK_PATH)) {
    throw badValue('--webhook-url', url, `an https URL ending in ${RECHARGE_WEBHOOK_PATH}`);
  }
  return u.toString();
}

export async function runOnboardRecharge(opts: OnboardRechargeOptions, ctx: Context): Promise<void> {
  const { out } = ctx;
  const yes = Boolean(opts.yes);
  const current = ctx.db.settings.get() ?? undefined;
  const saved = current?.recharge;
  const apiBase = opts.rechargeApiBase ?? saved?.apiBase;
  const env = opts.env ?? current?.env ?? 'test';
  if (apiBase && env !== 'test') throw badValue('--env', env, 'test (with --recharge-api-base, the emulator)');
  const store = opts.store ?? saved?.accountId.slice(3) ?? 'store';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(store))
    throw badValue('--store', store, 'the store handle: letters, digits, . _ -');
  const endAction: EndAction =
    (opts.endAction ?? saved?.endAction.type ?? 'cancel') === 'leave'
      ? { type: 'leave' }
      : {
          type: 'cancel',
          reason:
            opts.cancelReason ??
            (saved?.endAction.type === 'cancel' ? saved.endAction.reason : 'Payment failed (recover: end of dunning)'),
        };
  const baseline = rechargeSettingsSchema.shape.controlBaseline.safeParse(
    opts.controlBaseline ?? saved?.controlBaseline,
  );
  if (!baseline.success) throw badValue('--control-baseline', opts.controlBaseline, baseline.error.issues[0]!.message);
  const webhookUrl =
    opts.webhook === false
      ? undefined
      : opts.webhookUrl !== undefined
        ? checkWebhookUrl(opts.webhookUrl, Boolean(apiBase))
        : saved?.webhookUrl;
  if (opts.webhook !== false && !webhookUrl) {
    throw new UsageError(
      `--webhook-url is required (the public URL of recover run's ${RECHARGE_WEBHOOK_PATH}), or --no-webhook`,
    );
  }

  // 1. Token and client secret.
  const token = await secret(
    ctx,
    { flag: '--token', env: 'RECOVER_RECHARGE_TOKEN', saved: SECRET_TOKEN, label: 'API token' },
    opts.token,
    opts.tokenFile,
    yes,
  );
  const clientSecret = await secret(
    ctx,
    {
      flag: '--client-secret',
      env: 'RECOVER_RECHARGE_CLIENT_SECRET',
      saved: SECRET_CLIENT,
      label: 'API client secret',
    },
    opts.clientSecret,
    opts.clientSecretFile,
    yes,
  );
  registerSecret(clientSecret); // opaque, like the token: redacted by value in every output
  const client = new RechargeClient({ token, baseUrl: apiBase });

  // 2. Scopes: one cheap call each, both spellings where Recharge's docs disagree.
  const rows = await client.probeScopes();
  // Subscriptions write is needed only when recover cancels at the end of dunning.
  const needed = (need: string, optional?: boolean) =>
    !optional || (need === 'subscriptions write' && endAction.type === 'cancel');
  const verdicts = scopeVerdicts(rows).map((v) => ({
    ...v,
    needed: needed(v.need, v.optional),
    unknown: !v.ok && rows.some((r) => v.anyOf.includes(r.scope) && r.status === 'unknown'),
  }));
  const { color } = out;
  const mark = (v: (typeof verdicts)[number]) =>
    v.ok ? color.green('ok') : v.unknown ? color.yellow('unknown') : v.needed ? color.red('missing') : 'not needed';
  out.table(
    ['need', 'scope (any of)', 'status', 'token has'],
    verdicts.map((v) => [v.need, v.anyOf.join(' | '), mark(v), v.via ?? '']),
    { title: 'Scopes of the Recharge token' },
  );
  const missing = verdicts.filter((v) => v.needed && !v.ok && !v.unknown).map((v) => v.anyOf[0]!);
  if (missing.length) {
    throw new WorkError(
      `the Recharge token lacks ${missing.join(', ')}; nothing was saved`,
      'add the scopes to the token (Recharge: Apps → API tokens) and run recover onboard recharge again',
    );
  }

  // 3. The retry endpoint is a paid-plan feature: a harmless call on a charge id that cannot exist.
  const processAllowed = await probeProcess(client);
  if (!processAllowed) {
    out.warn(
      "This store's Recharge plan refuses POST /charges/{id}/process: recover can ingest and " +
        'schedule (shadow) but cannot retry here until the plan includes it.',
    );
  }

  // 4. The portal hand-off, then what the charges say.
  for (const l of PORTAL_STEPS) out.line(l);
  const signal = await scanRechargeRetries(client);
  if (signal.retrying.length) {
    out.warn(
      `Recharge still plans retries of ${signal.retrying.length} of ${signal.scanned} errored charges ` +
        '(retry_date set): switch them off before go-live.',
    );
    for (const r of signal.retrying.slice(0, 5)) out.line(`  charge ${r.chargeId}: Recharge retries at ${r.retryDate}`);
  } else out.line(`Recharge plans no retry of the ${signal.scanned} errored charges: the hand-off checks out.`);

  // 5. Policy: shared with a Stripe account when one is set up; asked when this is the first platform.
  const policy = current ? {} : await askPolicy(opts, yes, ctx.prompts, current);
  const now = ctx.clock.now();
  const rc: RechargeSettings = rechargeSettingsSchema.parse({
    accountId: `rc_${store}`,
    apiBase,
    webhookUrl,
    mode: saved?.mode ?? 'shadow',
    shadowSince: saved?.shadowSince ?? now,
    controlBaseline: baseline.data,
    endAction,
    processAllowed,
  });
  const settings: Settings = settingsSchema.parse({
    ...(current ?? { env, scope: 'account' }),
    ...policy,
    recharge: rc,
  });

  // 6. Webhooks (the only write at Recharge), then the save.
  const toCreate = webhookUrl ? await missingTopics(client, webhookUrl) : [];
  if (!yes && ctx.prompts.interactive && toCreate.length) {
    const ok = await ctx.prompts.confirm({
      name: 'save',
      flag: '--yes',
      message: `Save and create ${toCreate.length} webhooks?`,
      default: true,
    });
    if (!ok)
      throw new WorkError('not saved; nothing was changed here or at Recharge', 'run recover onboard recharge again');
  }
  const heal = webhookUrl ? await ensureWebhooks(client, webhookUrl) : { kept: [], created: [] };
  ctx.db.tx(() => {
    ctx.db.settings.set(settings);
    ctx.db.secrets.set(SECRET_TOKEN, token);
    ctx.db.secrets.set(SECRET_CLIENT, clientSecret);
    ctx.db.accounts.upsert({ id: rc.accountId, platform: 'recharge', environment: env, kind: 'main', name: store });
  });
  out.result({
    account: rc.accountId,
    scopes: verdicts.map((v) => ({ need: v.need, ok: v.ok, needed: v.needed, via: v.via })),
    processAllowed,
    webhooks: heal,
    rechargeRetrying: signal.retrying.length,
    scanned: signal.scanned,
    recharge: rc,
    database: ctx.globals.db,
    next: 'recover takeover --platform recharge --dry-run',
  });
  out.line(
    `Webhooks at ${webhookUrl ?? '(none: --no-webhook)'}: ${heal.created.length} created, ${heal.kept.length} kept.`,
  );
  out.line(
    `Mode ${rc.mode}: ingest for at least ${SHADOW_DAYS_RECOMMENDED} days before go-live (recover status counts them).`,
  );
  out.line(`Saved to ${ctx.globals.db}`);
  out.line('Next: recover takeover --platform recharge --dry-run');
}
