/**
 * Step 4 of onboarding: the webhook endpoint. Finds ours (metadata recover=true, same URL)
 * and updates it instead of creating a second one; creates one otherwise. Stripe shows an
 * endpoint's signing secret only when it is created, so if we no longer hold it the only way
 * to get one is to replace the endpoint (asked first).
 */
import { ENDPOINT_DESCRIPTION, ENDPOINT_METADATA, WEBHOOK_EVENTS } from '../../config/events.js';
import { UsageError } from '../../errors.js';
import { STRIPE_API_VERSION, type StripeGateway, type WebhookEndpoint } from '../../stripe/index.js';

export type WebhookPlan =
  | { action: 'create' }
  | { action: 'keep'; endpoint: WebhookEndpoint }
  | { action: 'update'; endpoint: WebhookEndpoint; reason: string }
  | { action: 'replace'; endpoint: WebhookEndpoint; reason: string };

export interface WebhookOutcome {
  endpointId: string;
  url: string;
  action: WebhookPlan['action'];
  /** Present when a new endpoint was created (its secret is shown once by Stripe). */
  secret?: string;
}

/** `label` names where the value came from: the flag, or "the webhook URL" when it was asked. */
export function validateWebhookUrl(raw: string, env: 'test' | 'live', label = '--webhook-url'): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`invalid value for ${label}: ${JSON.stringify(raw)} (accepted: a public URL such as https://pay.example.com/stripe/webhook)`);
  }
  const okProtocol = u.protocol === 'https:' || (env === 'test' && u.protocol === 'http:');
  if (!okProtocol) {
    throw new UsageError(`invalid value for ${label}: ${JSON.stringify(raw)} (accepted: an https:// URL${env === 'test' ? ', or http:// in test mode' : ''})`);
  }
  return u.toString();
}

/** Pure: what to do given the endpoints Stripe has and whether we hold the secret. */
export function planWebhook(
  endpoints: WebhookEndpoint[],
  url: string,
  connect: boolean,
  saved: { endpointId?: string; hasSecret: boolean },
): WebhookPlan {
  const ours = endpoints.find((e) => e.url === url && e.metadata?.recover === 'true');
  if (!ours) return { action: 'create' };
  if (!(saved.hasSecret && saved.endpointId === ours.id)) {
    return { action: 'replace', endpoint: ours, reason: 'its signing secret is not saved here (Stripe shows it only at creation)' };
  }
  if (Boolean((ours as { connect?: boolean }).connect) !== connect) {
    return { action: 'replace', endpoint: ours, reason: `its connect flag must be ${connect} (Stripe cannot change it)` };
  }
  // Events are rendered in the endpoint's api_version (else the account's default, which may be
  // older than the shapes recover reads); Stripe cannot change it after creation.
  if (ours.api_version !== STRIPE_API_VERSION) {
    const was = ours.api_version ?? "the account's default";
    return { action: 'replace', endpoint: ours, reason: `its API version is ${was}; recover reads ${STRIPE_API_VERSION} (Stripe cannot change it)` };
  }
  const have = new Set(ours.enabled_events);
  const missing = WEBHOOK_EVENTS.filter((e) => !have.has(e) && !have.has('*'));
  if (missing.length || ours.status !== 'enabled') {
    return { action: 'update', endpoint: ours, reason: missing.length ? `missing events ${missing.join(', ')}` : 'it is disabled' };
  }
  return { action: 'keep', endpoint: ours };
}

export async function applyWebhook(gw: StripeGateway, plan: WebhookPlan, url: string, connect: boolean): Promise<WebhookOutcome> {
  const create = async (): Promise<WebhookOutcome> => {
    const ep = await gw.webhookEndpoints.create({
      url,
      enabled_events: [...WEBHOOK_EVENTS],
      connect,
      // Pinned to the SDK's version, so an account whose default version is older still sends
      // events in the shapes recover reads.
      api_version: STRIPE_API_VERSION,
      description: ENDPOINT_DESCRIPTION,
      metadata: { ...ENDPOINT_METADATA },
    });
    return { endpointId: ep.id, url, action: plan.action, secret: ep.secret ?? undefined };
  };
  switch (plan.action) {
    case 'create':
      return create();
    case 'keep':
      return { endpointId: plan.endpoint.id, url, action: 'keep' };
    case 'update':
      await gw.webhookEndpoints.update(plan.endpoint.id, { enabled_events: [...WEBHOOK_EVENTS], disabled: false });
      return { endpointId: plan.endpoint.id, url, action: 'update' };
    case 'replace': {
      await gw.webhookEndpoints.del(plan.endpoint.id);
      return create();
    }
  }
}
