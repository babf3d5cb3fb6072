/**
 * Smart Retries as configured per account in the Dashboard (Billing → Revenue recovery → Retries):
 * "retry the payment a specific number of times within a time period: 1 week, 2 weeks, 3 weeks,
 * 1 month, or 2 months. The recommended default is 8 tries within 2 weeks"
 * (docs.stripe.com/payments/off-session-payments/smart-retries), and what happens when the retries
 * run out: the subscription is canceled, marked unpaid or left past due; the invoice is marked
 * uncollectible or left past due.
 *
 * "Tries" counts every attempt, the first included (8 tries = the first attempt + 7 retries), so
 * the default window of 14 days gives retries on days 1, 2, 4, 6, 8, 10 and 13 after the first
 * failure. Other windows and counts keep that shape, stretched over the window: earlier retries
 * closer together, the last one a day before the window ends (rounded to whole hours).
 */
export type SubscriptionExhaustedAction = 'cancel' | 'unpaid' | 'past_due';
export type InvoiceExhaustedAction = 'uncollectible' | 'past_due';

export interface RetrySettings {
  enabled: boolean;
  /** Days after the first failure at which Smart Retries tries again. */
  retryDays: readonly number[];
  /** When the last retry has failed. Default: leave both past due. */
  subscriptionAction: SubscriptionExhaustedAction;
  invoiceAction: InvoiceExhaustedAction;
}

/** What a seed or `EmulatorOptions.smartRetries` may say: on/off, "on:2w:8", or the fields. */
export type SmartRetriesInput = boolean | string | SmartRetriesObject;
export interface SmartRetriesObject {
  enabled?: boolean;
  /** "1w" | "2w" | "3w" | "1m" (30 d) | "2m" (60 d) | "<n>d", or a number of days. Default 14. */
  window?: string | number;
  /** Attempts in the window, the first included; 1..50, default 8. */
  tries?: number;
  subscription_action?: SubscriptionExhaustedAction;
  invoice_action?: InvoiceExhaustedAction;
}

/** Smart Retries default schedule: days after the first failure (8 tries within 2 weeks). */
export const DEFAULT_RETRY_DAYS: readonly number[] = [1, 2, 4, 6, 8, 10, 13];
const DEFAULT_WINDOW_DAYS = 14;
const DEFAULT_TRIES = 8;
const WINDOWS: Record<string, number> = { '1w': 7, '2w': 14, '3w': 21, '1m': 30, '2m': 60 };
export const SMART_RETRIES_ACCEPTED =
  'on, off, or on:<window>:<tries> with window 1w|2w|3w|1m|2m|<days>d and tries 1..50 (e.g. on:2w:8, on:30d:8)';

/** Days after the first failure for `tries` attempts in `windowDays`. */
export function retryDaysFor(windowDays: number, tries: number): number[] {
  const retries = tries - 1;
  if (windowDays === DEFAULT_WINDOW_DAYS && retries === DEFAULT_RETRY_DAYS.length) return [...DEFAULT_RETRY_DAYS];
  // The default's shape as a curve from (0, 0) to (1, 13/14), sampled at k / retries.
  const xs = [0, ...DEFAULT_RETRY_DAYS.map((_, i) => (i + 1) / DEFAULT_RETRY_DAYS.length)];
  const ys = [0, ...DEFAULT_RETRY_DAYS.map((d) => d / DEFAULT_WINDOW_DAYS)];
  const curve = (x: number): number => {
    const i = Math.min(xs.length - 2, Math.floor(x * (xs.length - 1)));
    return ys[i] + ((x - xs[i]) / (xs[i + 1] - xs[i])) * (ys[i + 1] - ys[i]);
  };
  // Whole hours, at least one hour after the failure.
  const hours = (k: number) => Math.max(1, Math.round(curve((k + 1) / retries) * windowDays * 24));
  return Array.from({ length: retries }, (_, k) => hours(k) / 24);
}

function windowDays(w: string | number | undefined): number {
  if (w === undefined) return DEFAULT_WINDOW_DAYS;
  if (typeof w === 'number') return w;
  if (w in WINDOWS) return WINDOWS[w];
  const m = /^(\d+)d$/.exec(w);
  return m ? Number(m[1]) : NaN;
}

/**
 * Resolves a Smart Retries setting; `fallbackDays` is the seed's `retry_schedule_days`, used when
 * no window or tries are given. Throws a RangeError naming the bad value and what is accepted.
 */
export function resolveRetrySettings(input: SmartRetriesInput, fallbackDays?: readonly number[]): RetrySettings {
  const o = toObject(input);
  const days = windowDays(o.window);
  const tries = o.tries ?? DEFAULT_TRIES;
  const bad = (what: string, v: unknown) =>
    new RangeError(`invalid Smart Retries ${what} ${String(v)} (accepted: ${SMART_RETRIES_ACCEPTED})`);
  if (!Number.isInteger(days) || days < 1 || days > 365) throw bad('window', o.window);
  if (!Number.isInteger(tries) || tries < 1 || tries > 50) throw bad('tries', o.tries);
  const custom = o.window === undefined && o.tries === undefined && fallbackDays !== undefined;
  return {
    enabled: o.enabled ?? true,
    retryDays: custom ? fallbackDays : retryDaysFor(days, tries),
    subscriptionAction: o.subscription_action ?? 'past_due',
    invoiceAction: o.invoice_action ?? 'past_due',
  };
}

function toObject(input: SmartRetriesInput): SmartRetriesObject {
  if (typeof input === 'boolean') return { enabled: input };
  if (typeof input === 'object') return input;
  const m = /^(on|off)(?::([^:]+))?(?::(\d+))?$/.exec(input.trim());
  if (!m) throw new RangeError(`invalid Smart Retries setting "${input}" (accepted: ${SMART_RETRIES_ACCEPTED})`);
  const window = m[2] === undefined ? undefined : /^\d+$/.test(m[2]) ? Number(m[2]) : m[2];
  return { enabled: m[1] === 'on', window, tries: m[3] === undefined ? undefined : Number(m[3]) };
}
