/**
 * Like for like: the control arm's baseline should retry over the same window as recover, or the
 * lift also measures the longer window. Stripe's API does not expose the Smart Retries settings
 * (Dashboard → Settings → Billing → Revenue recovery → Retries: "8 tries within 2 weeks" by
 * default), so with baseline `stripe` the wizard asks for the window and warns when it differs
 * from recover's dunning window. A `fixed:…` baseline runs inside recover's own window.
 */
import { settingsSchema } from '../../config/settings.js';
import { badValue } from '../../errors.js';
import { plainNumber } from '../../ui/flags.js';
import type { Prompts } from '../../ui/prompts.js';

/** Stripe's default Smart Retries window (8 tries within 2 weeks), days. */
export const STRIPE_DEFAULT_WINDOW_DAYS = 14;

const field = settingsSchema.shape.baselineWindowDays;
const accepted = 'an integer from 1 to 120 (days; Stripe\'s default is 14: "8 tries within 2 weeks")';

export async function askBaselineWindow(o: {
  baseline: string;
  flag?: number;
  yes: boolean;
  saved?: number;
  dunningDays: number;
  prompts: Prompts;
  warn: (text: string) => void;
}): Promise<number> {
  if (o.baseline !== 'stripe') return o.dunningDays;
  const fallback = o.saved ?? STRIPE_DEFAULT_WINDOW_DAYS;
  const raw =
    o.flag ??
    (o.yes
      ? fallback
      : plainNumber(
          await o.prompts.input({
            name: 'baselineWindowDays',
            flag: '--baseline-window-days',
            default: String(fallback),
            message: "Smart Retries' retry window in days, as set in the Dashboard (1 to 120)",
            validate: (s) =>
              field.safeParse(plainNumber(s)).success || `${JSON.stringify(s)} is not accepted: ${accepted}`,
          }),
        ));
  const r = field.safeParse(raw);
  if (!r.success) throw badValue('--baseline-window-days', raw, accepted);
  if (r.data !== o.dunningDays) {
    o.warn(
      `Smart Retries retries for ${r.data} days, recover for ${o.dunningDays}: the lift will also measure the ` +
        `${r.data < o.dunningDays ? 'longer' : 'shorter'} window (the report says so). For like for like, set the ` +
        `Dashboard's window to ${o.dunningDays} days or use --dunning-days ${r.data}.`,
    );
  }
  return r.data;
}
