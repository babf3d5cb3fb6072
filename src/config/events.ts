/** The Stripe events recover subscribes to (DESIGN.md §3); anything else is stored and skipped. */
export const WEBHOOK_EVENTS = [
  'invoice.payment_failed',
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice.payment_action_required',
  'invoice.marked_uncollectible',
  'invoice.voided',
  'invoice.updated',
  'charge.failed',
  'charge.succeeded',
  'charge.refunded',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.updated',
  'payment_method.attached',
  'payment_method.updated',
  'payment_method.automatically_updated',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** Marks a webhook endpoint as created by recover (so a re-run finds it instead of duplicating). */
export const ENDPOINT_METADATA = { recover: 'true' } as const;
export const ENDPOINT_DESCRIPTION = 'recover';
