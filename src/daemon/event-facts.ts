/**
 * Plain facts out of a Stripe event (a webhook body or an item of /v1/events), read defensively:
 * the inbox keeps the raw JSON, and handlers only ever see these fields.
 */

/** The object inside an event, loosely typed: handlers read the few fields they need. */
export type StripeObject = Record<string, unknown> & { id?: string; object?: string };

export interface EventFacts {
  id: string;
  type: string;
  /** Connect: the connected account the event belongs to; null for the platform/main account. */
  account: string | null;
  /** Stripe's `created`, ms. */
  created: number;
  object: StripeObject;
  /** `data.previous_attributes` of an *.updated event, or null. */
  previous: Record<string, unknown> | null;
  /** The API request that caused the event; null when Stripe acted by itself (Smart Retries, card updater). */
  requestId: string | null;
  idempotencyKey: string | null;
  /** Caused by recover itself: a retry (`recover:<account>:<invoice>:<n>`) or an end-of-dunning job (`recover:job:<id>`). */
  ours: boolean;
  /** What the inbox orders and `recover explain` finds the event by (invoice, charge, subscription… id). */
  objectId: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const idOf = (v: unknown): string | null =>
  str(v) ?? (v && typeof v === 'object' ? str((v as { id?: unknown }).id) : null);

export function eventFacts(event: unknown): EventFacts {
  const e = (event ?? {}) as Record<string, unknown>;
  const data = (e.data ?? {}) as Record<string, unknown>;
  const object = (data.object && typeof data.object === 'object' ? data.object : {}) as StripeObject;
  const request = (e.request && typeof e.request === 'object' ? e.request : {}) as Record<string, unknown>;
  const key = str(request.idempotency_key);
  return {
    id: String(e.id ?? ''),
    type: String(e.type ?? ''),
    account: str(e.account),
    created: typeof e.created === 'number' ? e.created * 1000 : 0,
    object,
    previous:
      data.previous_attributes && typeof data.previous_attributes === 'object'
        ? (data.previous_attributes as Record<string, unknown>)
        : null,
    requestId: str(request.id),
    idempotencyKey: key,
    ours: key !== null && key.startsWith('recover:'),
    objectId: str(object.id),
  };
}

/** Customer id of an invoice, charge, subscription or payment method object. */
export function customerOf(o: StripeObject): string | null {
  if (o.object === 'customer') return str(o.id);
  return idOf(o.customer);
}

export function numberField(o: StripeObject, field: string): number | null {
  const v = o[field];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function stringField(o: StripeObject, field: string): string | null {
  return str(o[field]);
}

export { idOf };
