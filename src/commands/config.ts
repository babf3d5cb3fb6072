/**
 * `recover config show` and `recover config set <key> <value>`: read and change the saved
 * policy, validated by the same zod schema as onboarding. Secrets are never shown: only
 * whether each is saved, redacted.
 */
import { settingsSchema, type Settings } from '../config/settings.js';
import { ConfigError, UsageError, badValue } from '../errors.js';
import { redactKey } from '../redact.js';
import type { Context } from '../context.js';
import { parseDuration } from '../ui/flags.js';
import { splitWindows } from './onboard/policy-questions.js';
import { SETTABLE_KEYS } from '../config/settable.js';

const SECRET_NAMES = ['primary_key', 'fallback_key', 'webhook_secret'] as const;

function loadSettings(ctx: Context, read = false): Settings {
  const s = (read ? ctx.readDb : ctx.db).settings.get();
  if (!s) throw new ConfigError(`no settings saved in ${ctx.globals.db}`, 'run: recover onboard stripe');
  return s;
}

export async function runConfigShow(_opts: unknown, ctx: Context): Promise<void> {
  const settings = loadSettings(ctx, true);
  const secrets = Object.fromEntries(SECRET_NAMES.map((n) => {
    const v = ctx.readDb.secrets.get(n);
    return [n, v ? redactKey(v) : null];
  }));
  ctx.out.result({ settings, secrets });
  ctx.out.table(['setting', 'value'], Object.entries(settings).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]), { title: `Settings in ${ctx.globals.db}` });
  ctx.out.table(['secret', 'saved'], Object.entries(secrets).map(([k, v]) => [k, v ?? 'no']));
}

type Settable = keyof typeof SETTABLE_KEYS;
const SETTABLE = Object.keys(SETTABLE_KEYS) as Settable[];

function camel(key: string): string {
  return key.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** Turns the text value into the JSON the schema expects. */
function coerce(key: Settable, raw: string, current: Settings): unknown {
  switch (key) {
    case 'dunningDays':
    case 'controlShare':
    case 'rateLimitPerSec':
    case 'baselineWindowDays':
      return raw.trim() === '' ? NaN : Number(raw);
    case 'includeSubscriptionCreate':
      if (raw !== 'true' && raw !== 'false') throw badValue(key, raw, 'true | false');
      return raw === 'true';
    case 'windows':
      return splitWindows(raw);
    case 'subscriptionAction': {
      // "cancel_after_delay:2d6h:prorate" or a plain type.
      const [type, delay, prorate] = raw.split(':');
      if (type !== 'cancel_after_delay') return { type };
      const prev = current.subscriptionAction.type === 'cancel_after_delay' ? current.subscriptionAction : undefined;
      return { type, delayMs: delay ? parseDuration(key, delay) : (prev?.delayMs ?? 0), prorate: prorate ? prorate === 'prorate' : (prev?.prorate ?? false) };
    }
    default:
      return raw;
  }
}

export async function runConfigSet(key: string, value: string, _opts: unknown, ctx: Context): Promise<void> {
  const name = camel(key);
  if (name === 'mode') {
    // Switching the mode alone would leave Stripe's retries on for invoices recover starts charging.
    throw new UsageError('mode is not set with config set (accepted keys: see recover config set --help)', 'run: recover go-live (or recover go-live --back-to-shadow)');
  }
  if (!(SETTABLE as readonly string[]).includes(name)) throw badValue('key', key, SETTABLE.join(' | '));
  const current = loadSettings(ctx);
  const settable = name as Settable;
  const parsed = settingsSchema.safeParse({ ...current, [settable]: coerce(settable, value, current) });
  if (!parsed.success) throw badValue(name, value, SETTABLE_KEYS[settable]);
  ctx.db.settings.set(parsed.data);
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  ctx.out.result({ key: settable, old: current[settable] ?? null, new: parsed.data[settable] });
  ctx.out.line(`${settable}: ${show(current[settable] ?? 'unset')} → ${show(parsed.data[settable])}`);
}
