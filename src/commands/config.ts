/**
 * `recover config show` and `recover config set <key> <value>`: read and change the saved
 * policy, validated by the same zod schema as onboarding. Secrets are never shown: only
 * whether each is saved, redacted.
 */
import { settingsSchema, type Settings } from '../config/settings.js';
import { ConfigError, UsageError, badValue } from '../errors.js';
import { redactKey } from '../redact.js';
import type { Context } from '../context.js';
import { parseDuration, plainNumber } from '../ui/flags.js';
import { splitWindows } from './onboard/policy-questions.js';
import { SETTABLE_KEYS } from '../config/settable.js';
import { ACTIVE_CASE_STATUSES } from '../db/types.js';

const ACTIVE: ReadonlySet<string> = new Set(ACTIVE_CASE_STATUSES);

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
  const rows = Object.entries(settings).map(([k, v]) => [k, textOf(k, v)]);
  ctx.out.table(['setting', 'value'], rows, { title: `Settings in ${ctx.globals.db}` });
  ctx.out.table(['secret', 'saved'], Object.entries(secrets).map(([k, v]) => [k, v ?? 'no']));
}

const UNITS: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000]];

/** ms as `config set` takes a duration: 2d6h, 30m; 0 is 0m. */
function durationText(ms: number): string {
  let rest = ms;
  const parts = UNITS.map(([u, size]) => {
    const n = Math.floor(rest / size);
    rest -= n * size;
    return n ? `${n}${u}` : '';
  });
  return parts.join('') || '0m';
}

/**
 * A setting as text, in the form `config set` takes back (not JSON: a user copies it), with the
 * unit where the number alone would not say it.
 */
function textOf(key: string, v: unknown): string {
  if (key === 'subscriptionAction') {
    const a = v as Settings['subscriptionAction'];
    if (a.type !== 'cancel_after_delay') return a.type;
    return `cancel_after_delay:${durationText(a.delayMs)}:${a.prorate ? 'prorate' : 'no-prorate'}`;
  }
  if (key === 'windows' && Array.isArray(v)) return v.join(',');
  if (key === 'armsAssignedAt' && typeof v === 'number') return new Date(v).toISOString();
  if (key === 'attemptCost' && typeof v === 'number') return `${v} (US cents per attempt)`;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

type Settable = keyof typeof SETTABLE_KEYS;
const SETTABLE = Object.keys(SETTABLE_KEYS) as Settable[];

function camel(key: string): string {
  return key.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

const INTEGER = /^\d+$/;

/** Turns the text value into the JSON the schema expects; a malformed one is refused here. */
function coerce(key: Settable, raw: string, current: Settings): unknown {
  const bad = () => badValue(key, raw, SETTABLE_KEYS[key]);
  switch (key) {
    case 'dunningDays':
    case 'baselineWindowDays':
    case 'cardExpiryNoticeDays':
      if (!INTEGER.test(raw.trim())) throw bad();
      return Number(raw);
    case 'controlShare':
    case 'rateLimitPerSec':
      if (Number.isNaN(plainNumber(raw))) throw bad();
      return plainNumber(raw);
    case 'includeSubscriptionCreate':
      if (raw !== 'true' && raw !== 'false') throw bad();
      return raw === 'true';
    case 'windows':
      return splitWindows(raw);
    case 'subscriptionAction':
      return subscriptionActionOf(raw, current, bad);
    default:
      return raw;
  }
}

/** "cancel_after_delay:2d6h:prorate" or a plain type; any other segment is refused, not ignored. */
function subscriptionActionOf(raw: string, current: Settings, bad: () => Error): unknown {
  const [type, delay, prorate, ...extra] = raw.split(':');
  if (type !== 'cancel_after_delay') {
    if (delay !== undefined) throw bad();
    return { type };
  }
  const badProrate = prorate !== undefined && prorate !== 'prorate' && prorate !== 'no-prorate';
  if (extra.length > 0 || delay === '' || badProrate) throw bad();
  const prev = current.subscriptionAction.type === 'cancel_after_delay' ? current.subscriptionAction : undefined;
  return {
    type,
    delayMs: delay !== undefined ? parseDuration('subscriptionAction', delay) : (prev?.delayMs ?? 0),
    prorate: prorate !== undefined ? prorate === 'prorate' : (prev?.prorate ?? false),
  };
}

/**
 * A baseline switch with control invoices still open would strand them: from `fixed` they stay
 * paused (auto_advance=false) with nobody retrying them; from `stripe` recover never scheduled them.
 */
function assertBaselineSwitchSafe(ctx: Context, from: string, to: string): void {
  const kind = (b: string) => (b === 'stripe' ? 'stripe' : 'fixed');
  if (kind(from) === kind(to)) return;
  let open = 0;
  for (const c of ctx.db.cases.iterate()) if (c.arm === 'control' && ACTIVE.has(c.status)) open++;
  if (open === 0) return;
  throw new ConfigError(
    `controlBaseline cannot change from ${from} to ${to} while ${open} control-group invoice(s) are still in dunning ` +
      `(${kind(from) === 'fixed' ? 'recover paused them and nobody would retry them'
        : 'Stripe retries them and recover never scheduled them'}); nothing was changed`,
    'wait until they have ended (recover report), or run recover offboard first',
  );
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
  if (settable === 'controlBaseline') {
    assertBaselineSwitchSafe(ctx, current.controlBaseline, parsed.data.controlBaseline);
  }
  ctx.db.settings.set(parsed.data);
  ctx.out.result({ key: settable, old: current[settable] ?? null, new: parsed.data[settable] });
  const old = current[settable] === undefined ? 'unset' : textOf(settable, current[settable]);
  ctx.out.line(`${settable}: ${old} → ${textOf(settable, parsed.data[settable])}`);
}
