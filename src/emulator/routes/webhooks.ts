import { DAY_MS } from '../../clock.js';
import { invalidRequest } from '../api-error.js';
import { renderEvent } from '../events.js';
import { isLocalHost, NOT_PUBLIC_MESSAGE } from '../public-url.js';
import { API_VERSIONS, EVENT_TYPES } from '../sdk-lists.js';
import { allowOnly, bool, mergeMetadata, requiredStr, str, type Params } from '../params.js';
import type { Doc, Row } from '../store.js';
import { find, many, one, over, type Route, type RouteCtx } from './common.js';

/** /v1/webhook_endpoints (rak_webhook_*) and /v1/events (rak_event_read). */
const EVENT_RETENTION_MS = 30 * DAY_MS;

function enabledEvents(p: Params): string[] {
  const v = p.enabled_events;
  const list = Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : v === undefined ? [] : [v];
  if (list.length === 0) throw invalidRequest('Missing required param: enabled_events.', 'enabled_events', 'parameter_missing');
  list.forEach((e, i) => {
    // Only the SDK's event types (and '*'); Stripe answers an enum parameter's bad value this way.
    if (typeof e !== 'string' || !EVENT_TYPES.has(e)) {
      const message = `Invalid enabled_events[${i}]: must be one of ${oneOf([...EVENT_TYPES])}`;
      throw invalidRequest(message, `enabled_events[${i}]`);
    }
  });
  return list as string[];
}

function apiVersion(p: Params): string | null {
  const v = str(p, 'api_version');
  if (v === undefined) return null;
  if (!API_VERSIONS.includes(v)) {
    throw invalidRequest(`Invalid api_version: must be one of ${oneOf(API_VERSIONS)}`, 'api_version');
  }
  return v;
}

/** "a, b, or c", as in Stripe's enum errors. */
function oneOf(values: readonly string[]): string {
  return `${values.slice(0, -1).join(', ')}, or ${values.at(-1)}`;
}

function checkUrl(ctx: RouteCtx, url: string): string {
  let u: URL;
  try {
    u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw invalidRequest(`Invalid URL: ${url}`, 'url', 'url_invalid');
  }
  // Stripe cannot reach a local address; tests and the demo start the emulator with allowLocalWebhooks.
  if (!ctx.world.allowLocalWebhooks && isLocalHost(u.hostname)) {
    throw invalidRequest(NOT_PUBLIC_MESSAGE, 'url', 'url_invalid');
  }
  return url;
}

function create(ctx: RouteCtx) {
  const p = ctx.params;
  allowOnly(p, ['url', 'enabled_events', 'connect', 'description', 'metadata', 'api_version']);
  const url = checkUrl(ctx, requiredStr(p, 'url'));
  const doc: Doc = {
    id: ctx.world.ids.next('we'),
    created: ctx.world.nowSec(),
    url,
    enabled_events: enabledEvents(p),
    description: str(p, 'description') || null,
    metadata: mergeMetadata({}, p.metadata),
    api_version: apiVersion(p),
    status: 'enabled',
  };
  const secret = ctx.world.ids.next('whsec', 32);
  const row = ctx.acct.webhook_endpoints.insert(doc, { secret, connect: bool(p, 'connect') ?? false, deleted: false });
  // The secret is only ever returned here, on creation.
  return { ...one(ctx, 'webhook_endpoint', row.doc), secret };
}

function update(ctx: RouteCtx) {
  const p = ctx.params;
  allowOnly(p, ['url', 'enabled_events', 'description', 'metadata', 'disabled']);
  const row = find(ctx, 'webhook_endpoints', ctx.pathParams[0], 'webhook_endpoint');
  const patch: Doc = {};
  const url = str(p, 'url');
  if (url !== undefined) patch.url = checkUrl(ctx, url);
  if (p.enabled_events !== undefined) patch.enabled_events = enabledEvents(p);
  const description = str(p, 'description');
  if (description !== undefined) patch.description = description || null;
  if (p.metadata !== undefined) patch.metadata = mergeMetadata(row.doc.metadata ?? {}, p.metadata);
  const disabled = bool(p, 'disabled');
  if (disabled !== undefined) patch.status = disabled ? 'disabled' : 'enabled';
  ctx.acct.webhook_endpoints.update(row, patch);
  return one(ctx, 'webhook_endpoint', row.doc);
}

function del(ctx: RouteCtx) {
  allowOnly(ctx.params, []);
  const row = find(ctx, 'webhook_endpoints', ctx.pathParams[0], 'webhook_endpoint');
  row.meta.deleted = true;
  ctx.acct.webhook_endpoints.delete(row);
  return { id: row.id, object: 'webhook_endpoint', deleted: true };
}

/** `type` may end with `.*` ("invoice.*"); `types[]` lists exact types. */
function typeFilter(p: Params): ((t: string) => boolean) | undefined {
  const type = str(p, 'type');
  const typesRaw = p.types;
  const types = typesRaw === undefined ? undefined : ((Array.isArray(typesRaw) ? typesRaw : Object.values(typesRaw as object)) as string[]);
  if (type !== undefined && types !== undefined) {
    throw invalidRequest('You may only specify one of these parameters: type, types.', 'type');
  }
  if (type !== undefined) {
    if (type.endsWith('.*')) {
      const prefix = type.slice(0, -1);
      return (t) => t.startsWith(prefix);
    }
    return (t) => t === type;
  }
  if (types) return (t) => types.includes(t);
  return undefined;
}

function listEvents(ctx: RouteCtx) {
  const p = ctx.params;
  allowOnly(p, ['created', 'delivery_success', 'type', 'types'], true);
  const match = typeFilter(p);
  const exact = str(p, 'type');
  const deliverySuccess = bool(p, 'delivery_success');
  const spec = exact && !exact.endsWith('.*') ? over(ctx, 'events', ['type', exact]) : over(ctx, 'events');
  spec.minCreated = Math.floor((ctx.world.nowMs() - EVENT_RETENTION_MS) / 1000);
  spec.filter = (r: Row) =>
    (!match || match(r.doc.type as string)) &&
    (deliverySuccess === undefined || (deliverySuccess ? r.meta.pending === 0 : r.meta.pending > 0));
  return many(ctx, 'event', '/v1/events', spec, (r) => renderEvent(r, ctx.acct.apiVersion));
}

export const webhookRoutes: Route[] = [
  { method: 'POST', path: '/v1/webhook_endpoints', resource: 'webhook', handler: create },
  {
    method: 'GET',
    path: '/v1/webhook_endpoints',
    resource: 'webhook',
    handler: (c) => {
      allowOnly(c.params, [], true);
      const spec = over(c, 'webhook_endpoints');
      spec.createdFilter = false;
      return many(c, 'webhook_endpoint', '/v1/webhook_endpoints', spec);
    },
  },
  {
    method: 'GET',
    path: '/v1/webhook_endpoints/:id',
    resource: 'webhook',
    handler: (c) => one(c, 'webhook_endpoint', find(c, 'webhook_endpoints', c.pathParams[0], 'webhook_endpoint').doc),
  },
  { method: 'POST', path: '/v1/webhook_endpoints/:id', resource: 'webhook', handler: update },
  { method: 'DELETE', path: '/v1/webhook_endpoints/:id', resource: 'webhook', handler: del },
  { method: 'GET', path: '/v1/events', resource: 'event', handler: listEvents },
  {
    method: 'GET',
    path: '/v1/events/:id',
    resource: 'event',
    handler: (c) => renderEvent(find(c, 'events', c.pathParams[0]), c.acct.apiVersion),
  },
];
