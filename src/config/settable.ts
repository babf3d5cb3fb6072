/**
 * The keys `recover config set` accepts and what each accepts, in words. Apart from the schema so
 * `config set --help` can list them without loading zod or any command module.
 */
export const SETTABLE_KEYS = {
  dunningDays: 'an integer from 1 to 120 (days)',
  subscriptionAction: 'cancel_at_period_end | leave | cancel_after_delay[:<delay, e.g. 2d6h>[:prorate|no-prorate]]',
  invoiceAction: 'mark_uncollectible | leave',
  includeSubscriptionCreate: 'true | false',
  delayFrom: 'hard_decline | invoice_created',
  windows: '5-field cron expressions (customer local time), comma-separated, e.g. "0 8-20 * * *"',
  defaultTimezone: 'an IANA time zone such as America/Chicago',
  controlShare: 'a number from 0 to 0.5',
  controlBaseline: 'stripe | fixed:<days>,<days>,… (each 1 to 120, at most 20) such as fixed:3,5,7',
  rateLimitPerSec: 'Stripe requests per second, a number from 1 to 10000 (Stripe allows 25 test / 100 live)',
  baselineWindowDays: "an integer from 1 to 120: the baseline's retry window (Smart Retries' Dashboard setting)",
  cardExpiryNoticeDays: 'an integer from 1 to 90: days before a card expires that card.expiring_soon is sent',
} as const;

/** The text `config set --help` ends with. */
export function settableHelp(): string {
  const keys = Object.keys(SETTABLE_KEYS) as Array<keyof typeof SETTABLE_KEYS>;
  const width = Math.max(...keys.map((k) => k.length));
  return ['', 'Keys:', ...keys.map((k) => `  ${k.padEnd(width)}  ${SETTABLE_KEYS[k]}`),
    `  ${'mode'.padEnd(width)}  not set here: recover go-live (and go-live --back-to-shadow) switch it safely`].join('\n');
}
