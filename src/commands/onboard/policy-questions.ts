/**
 * Step 6 of onboarding: the dunning policy. Every question has a flag and a default a
 * merchant can accept by pressing enter (or with --yes); answers are validated by the same
 * zod schema that guards the saved settings.
 */
import { DAY_MS, HOUR_MS } from '../../clock.js';
import { settingsSchema, type Settings } from '../../config/settings.js';
import { badValue } from '../../errors.js';
import { parseDuration, plainNumber } from '../../ui/flags.js';
import type { Prompts } from '../../ui/prompts.js';
import { SETTABLE_KEYS } from '../../config/settable.js';

export interface PolicyFlags {
  dunningDays?: number;
  subscriptionAction?: 'cancel_at_period_end' | 'cancel_after_delay' | 'leave';
  cancelDelay?: string;
  prorate?: boolean;
  invoiceAction?: 'mark_uncollectible' | 'leave';
  includeSubscriptionCreate?: boolean;
  delayFrom?: 'hard_decline' | 'invoice_created';
  windows?: string;
  defaultTimezone?: string;
  controlShare?: number;
  mode?: 'shadow' | 'live';
}

type PolicyPart = Pick<
  Settings,
  'dunningDays' | 'subscriptionAction' | 'invoiceAction' | 'includeSubscriptionCreate' | 'delayFrom' | 'windows' | 'defaultTimezone' | 'controlShare' | 'mode'
>;

/** Validates one field with the settings schema; on failure names the flag and what is accepted. */
function check<K extends keyof PolicyPart>(key: K, flag: string, value: unknown): PolicyPart[K] {
  const field = settingsSchema.shape[key];
  const r = field.safeParse(value);
  if (!r.success) throw badValue(flag, value, r.error.issues[0]?.message ?? 'see recover onboard stripe --help');
  return r.data as PolicyPart[K];
}

/** A prompt's validator: a bad answer is re-asked with what is accepted. */
const validator = <K extends keyof PolicyPart & keyof typeof SETTABLE_KEYS>(key: K, map: (s: string) => unknown) => (s: string) =>
  (s.trim() !== '' && settingsSchema.shape[key].safeParse(map(s)).success) || `${JSON.stringify(s)} is not accepted: ${SETTABLE_KEYS[key]}`;

export function formatDelay(ms: number): string {
  const d = Math.floor(ms / DAY_MS);
  const h = Math.round((ms % DAY_MS) / HOUR_MS);
  return `${d ? `${d}d` : ''}${h || !d ? `${h}h` : ''}`;
}

export async function askPolicy(flags: PolicyFlags, yes: boolean, prompts: Prompts, current?: Settings): Promise<PolicyPart> {
  const d = settingsSchema.parse({ env: 'test', scope: 'account', ...(current ?? {}) });
  const useDefault = yes;
  const dunningDays = await askDunningDays(flags, useDefault, prompts, d);
  const actionType = flags.subscriptionAction ?? (useDefault ? d.subscriptionAction.type : await prompts.select({
    name: 'subscriptionAction', flag: '--subscription-action', message: 'At the end of dunning, the subscription…', default: d.subscriptionAction.type,
    choices: [
      { value: 'cancel_at_period_end' as const, name: 'cancel at period end' },
      { value: 'cancel_after_delay' as const, name: 'cancel after a delay' },
      { value: 'leave' as const, name: 'leave it as it is' },
    ],
  }));
  let subscriptionAction: Settings['subscriptionAction'];
  if (actionType === 'cancel_after_delay') {
    const prev = d.subscriptionAction.type === 'cancel_after_delay' ? d.subscriptionAction : { delayMs: 0, prorate: false };
    const delayRaw = flags.cancelDelay ?? (useDefault ? formatDelay(prev.delayMs) : await prompts.input({
      name: 'cancelDelay', flag: '--cancel-delay', message: 'Cancel after (e.g. 2d6h)', default: formatDelay(prev.delayMs),
      validate: (s) => { try { parseDuration('the cancel delay', s); return true; } catch (e) { return (e as Error).message; } },
    }));
    const prorate = flags.prorate ?? (useDefault ? prev.prorate : await prompts.confirm({
      name: 'prorate', flag: '--prorate', message: 'Prorate when cancelling?', default: prev.prorate,
    }));
    subscriptionAction = { type: 'cancel_after_delay', delayMs: parseDuration('--cancel-delay', delayRaw), prorate };
  } else {
    subscriptionAction = check('subscriptionAction', '--subscription-action', { type: actionType });
  }
  const invoiceAction = flags.invoiceAction ?? (useDefault ? d.invoiceAction : await prompts.select({
    name: 'invoiceAction', flag: '--invoice-action', message: 'At the end of dunning, the invoice…', default: d.invoiceAction,
    choices: [
      { value: 'mark_uncollectible' as const, name: 'mark uncollectible' },
      { value: 'leave' as const, name: 'leave it open' },
    ],
  }));
  const includeSubscriptionCreate = flags.includeSubscriptionCreate ?? (useDefault ? d.includeSubscriptionCreate : await prompts.confirm({
    name: 'includeSubscriptionCreate', flag: '--include-subscription-create', message: 'Include failures on subscription creation?', default: d.includeSubscriptionCreate,
  }));
  // The delay's starting point only matters when the subscription is cancelled after a delay.
  const delayFrom = flags.delayFrom ?? (useDefault || actionType !== 'cancel_after_delay' ? d.delayFrom : await prompts.select({
    name: 'delayFrom', flag: '--delay-from', message: 'Count the cancel delay from…', default: d.delayFrom,
    choices: [
      { value: 'hard_decline' as const, name: 'the hard decline' },
      { value: 'invoice_created' as const, name: 'the invoice creation' },
    ],
  }));
  const windows = await askWindows(flags, useDefault, prompts, d);
  const defaultTimezone = check('defaultTimezone', '--default-timezone', flags.defaultTimezone ?? (useDefault ? d.defaultTimezone : await prompts.input({
    name: 'defaultTimezone', flag: '--default-timezone', message: 'Timezone when the customer’s is unknown (IANA)', default: d.defaultTimezone,
    validate: validator('defaultTimezone', (s) => s),
  })));
  const controlShare = await askControlShare(flags, useDefault, prompts, d);
  const mode = await askMode(flags, useDefault, prompts, d);
  return { dunningDays, subscriptionAction, invoiceAction, includeSubscriptionCreate, delayFrom, windows, defaultTimezone, controlShare, mode };
}

/**
 * `--windows` separates cron expressions with commas, but a cron field may hold commas too
 * ("0 8,12 * * 1,3"). A piece with five fields of its own starts a new expression; a shorter
 * piece continues the previous one. A ";" always separates.
 */
export function splitWindows(raw: string): string[] {
  const out: string[] = [];
  for (const group of raw.split(';')) {
    const crons: string[] = [];
    for (const piece of group.split(',')) {
      const fields = piece.trim().split(/\s+/).filter(Boolean).length;
      if (crons.length === 0 || fields >= 5) crons.push(piece.trim());
      else crons[crons.length - 1] += ',' + piece.trim();
    }
    out.push(...crons.filter(Boolean));
  }
  return out;
}

type Ask<T> = (flags: PolicyFlags, useDefault: boolean, prompts: Prompts, d: Settings) => Promise<T>;

const askDunningDays: Ask<number> = async (flags, useDefault, prompts, d) => check('dunningDays', '--dunning-days',
  flags.dunningDays ?? (useDefault ? d.dunningDays : plainNumber(await prompts.input({
    name: 'dunningDays', flag: '--dunning-days', message: 'Dunning length in days (1 to 120)', default: String(d.dunningDays),
    validate: validator('dunningDays', plainNumber),
  }))));

const askWindows: Ask<string[]> = async (flags, useDefault, prompts, d) => {
  const windowsRaw = flags.windows ?? (useDefault ? d.windows.join(',') : await prompts.input({
    name: 'windows', flag: '--windows', message: 'Allowed retry windows (cron, customer local time, comma-separated)', default: d.windows.join(','),
    validate: validator('windows', splitWindows),
  }));
  return check('windows', '--windows', splitWindows(windowsRaw));
};

const askControlShare: Ask<number> = async (flags, useDefault, prompts, d) =>
  check('controlShare', '--control-share', flags.controlShare ?? (useDefault ? d.controlShare : plainNumber(await prompts.input({
    name: 'controlShare', flag: '--control-share', message: 'Control-group share (0 to 0.5)', default: String(d.controlShare),
    validate: validator('controlShare', plainNumber),
  }))));

const askMode: Ask<Settings['mode']> = async (flags, useDefault, prompts, d) =>
  flags.mode ?? (useDefault ? d.mode : await prompts.select({
    name: 'mode', flag: '--mode', message: 'Mode', default: d.mode,
    choices: [
      { value: 'shadow' as const, name: 'shadow', description: 'ingest and schedule, never charge (start here for a week)' },
      { value: 'live' as const, name: 'live', description: 'retry for real' },
    ],
  }));

/** The Recovery API's policy questions (`onboard api`): no subscription or invoice actions (the merchant's billing owns them). */
export async function askApiPolicy(flags: PolicyFlags, yes: boolean, prompts: Prompts, current?: Settings) {
  const d = settingsSchema.parse({ env: 'test', scope: 'account', ...(current ?? {}) });
  return {
    dunningDays: await askDunningDays(flags, yes, prompts, d),
    windows: await askWindows(flags, yes, prompts, d),
    controlShare: await askControlShare(flags, yes, prompts, d),
    mode: await askMode(flags, yes, prompts, d),
  };
}
