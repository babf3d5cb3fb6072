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
  const data: Doc = { object: render(meta.objType, meta.objDoc) };
  if (meta.prev && Object.keys(meta.prev).length > 0) data.previous_attributes = meta.prev;
  return { id: row.id, ...TEMPLATES.event, ...row.doc, api_version: apiVersion ?? API_VERSION, data, pending_webhooks: meta.pending };
}

/** Whether an endpoint subscribed to `enabled_events` wants events of `type`. */
export function endpointWants(enabled: readonly string[], type: string): boolean {
  return enabled.includes('*') || enabled.includes(type);
}
