import { render } from './render.js';
import type { Doc, Row } from './store.js';
import { TEMPLATES, type ObjectType } from './templates.js';
import { API_VERSION } from './world.js';

/**
 * Events are stored as a small doc plus a reference to the version of the object they describe
 * (`row.meta.objDoc`, never mutated), rendered when listed or delivered.
 */
export function renderEvent(row: Row, apiVersion: string | null = API_VERSION): Doc {
  const meta = row.meta as { objType: ObjectType; objDoc: Doc; prev?: Doc; pending: number };
  const version = apiVersion ?? API_VERSION;
  const object = render(meta.objType, meta.objDoc);
  const legacy = meta.objType === 'invoice' && version < BASIL;
  const data: Doc = { object: legacy ? legacyInvoice(object, meta.objDoc) : object };
  if (meta.prev && Object.keys(meta.prev).length > 0) data.previous_attributes = meta.prev;
  return { id: row.id, ...TEMPLATES.event, ...row.doc, api_version: version, data, pending_webhooks: meta.pending };
}

/**
 * The one shape difference rendered per API version (versions sort by their date prefix): before
 * 2025-03-31.basil an invoice had top-level `subscription` (+ `subscription_details`), `charge`,
 * `payment_intent`, `paid` and `paid_out_of_band`, and no `parent`; from basil on, the
 * subscription is `parent.subscription_details.subscription` and payments are `payments`
 * (Stripe's 2025-03-31.basil changelog: "Remove deprecated fields from Invoice"). Everything else
 * renders as in the emulator's own version.
 */
const BASIL = '2025-03-31.basil';

function legacyInvoice(obj: Doc, doc: Doc): Doc {
  const { parent, payments: _payments, ...rest } = obj;
  const details = parent?.subscription_details ?? null;
  return {
    ...rest,
    charge: doc._pay?.ch ?? null,
    paid: doc.status === 'paid',
    paid_out_of_band: (doc.amount_paid_off_stripe ?? 0) > 0,
    payment_intent: doc._pay?.pi ?? null,
    subscription: details?.subscription ?? null,
    subscription_details: details ? { metadata: details.metadata ?? {} } : { metadata: null },
  };
}

/** Whether an endpoint subscribed to `enabled_events` wants events of `type`. */
export function endpointWants(enabled: readonly string[], type: string): boolean {
  return enabled.includes('*') || enabled.includes(type);
}
