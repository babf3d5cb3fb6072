/**
 * Checks that a key holds every permission recover needs, with calls that change nothing:
 * a list with limit=1 for a read permission; for a write permission, a POST to an id that cannot
 * exist, where Stripe checks the permission before looking the object up (403 = missing,
 * 404 = granted).
 *
 * Probe one key at a time (a gateway built with that key as primary and no fallback), otherwise
 * a 429 on the primary would be answered by the fallback key's permissions.
 */
import { redactText } from '../redact.js';
import { AuthenticationFailed, InvalidRequest, NotFound, PermissionMissing, RateLimited, StripeUnavailable } from './errors.js';
import type { StripeGateway } from './gateway.js';
import { REQUIRED_PERMISSIONS } from './permissions.js';
import type { CallContext } from './types.js';

export interface PermissionProbe {
  /** As the Dashboard names it, e.g. "Invoices". */
  resource: string;
  permission: string;
  access: 'read' | 'write';
  ok: boolean;
  /** Stripe's exact (redacted) error for a failed probe. */
  error?: string;
  /** The `rak_*` names Stripe said would allow the request (usually just `permission`). */
  missing?: string[];
}

/** Alias used by onboarding. */
export type ProbeResult = PermissionProbe;

/** Ids no Stripe object can have; a write to them 404s once the permission check passes. */
export const PROBE_IDS = {
  invoice: 'in_recover_permission_probe',
  subscription: 'sub_recover_permission_probe',
  webhookEndpoint: 'we_recover_permission_probe',
  paymentMethod: 'pm_recover_permission_probe',
  customer: 'cus_recover_permission_probe',
  setupIntent: 'seti_recover_permission_probe',
} as const;

export interface ProbeSpec {
  resource: string;
  access: 'read' | 'write';
  /** Webhook endpoints live on the platform account even in Connect scope. */
  platformOnly?: boolean;
  /**
   * The probe targets an id that cannot exist: a 404 (or, for an id passed as a parameter, Stripe's
   * 400 `resource_missing`) means the permission check passed. Nothing is created or charged.
   */
  missingId?: boolean;
  run: (g: StripeGateway, ctx: CallContext | undefined) => Promise<unknown>;
}

/** The required permissions, plus a few the project may come to need (probe them by passing `permissions`). */
export const PROBES: Record<string, ProbeSpec> = {
  rak_charge_read: { resource: 'Charges', access: 'read', run: (g, ctx) => g.charges.list({ limit: 1 }, ctx) },
  rak_customer_read: { resource: 'Customers', access: 'read', run: (g, ctx) => g.customers.list({ limit: 1 }, ctx) },
  rak_payment_intent_read: { resource: 'PaymentIntents', access: 'read', run: (g, ctx) => g.paymentIntents.list({ limit: 1 }, ctx) },
  rak_invoice_write: {
    resource: 'Invoices',
    access: 'write',
    missingId: true,
    run: (g, ctx) => g.invoices.update(PROBE_IDS.invoice, { metadata: {} }, ctx),
  },
  rak_subscription_write: {
    resource: 'Subscriptions',
    access: 'write',
    missingId: true,
    run: (g, ctx) => g.subscriptions.update(PROBE_IDS.subscription, { metadata: {} }, ctx),
  },
  rak_webhook_write: {
    resource: 'Webhook Endpoints',
    access: 'write',
    platformOnly: true,
    missingId: true,
    run: (g) => g.webhookEndpoints.update(PROBE_IDS.webhookEndpoint, { metadata: {} }),
  },
  rak_credit_note_read: { resource: 'Credit notes', access: 'read', run: (g, ctx) => g.creditNotes.list({ limit: 1 }, ctx) },
  rak_event_read: { resource: 'Events', access: 'read', run: (g, ctx) => g.events.list({ limit: 1 }, ctx) },
  rak_payment_method_read: {
    resource: 'PaymentMethods',
    access: 'read',
    // No list without a customer: a read of an id that cannot exist (403 before 404) instead.
    missingId: true,
    run: (g, ctx) => g.paymentMethods.retrieve(PROBE_IDS.paymentMethod, {}, ctx),
  },
  // The Recovery API's key (requiredPermissions('api')): creates naming a customer that cannot exist.
  rak_payment_intent_write: {
    resource: 'PaymentIntents',
    access: 'write',
    missingId: true,
    run: (g, ctx) =>
      g.paymentIntents.create(
        {
          amount: 100,
          currency: 'usd',
          customer: PROBE_IDS.customer,
          paymentMethod: PROBE_IDS.paymentMethod,
          offSession: true,
          idempotencyKey: `recover-permission-probe-${Date.now()}`,
        },
        ctx,
      ),
  },
  rak_checkout_session_write: {
    resource: 'Checkout Sessions',
    access: 'write',
    missingId: true,
    run: (g, ctx) =>
      g.checkoutSessions.createSetup(
        {
          customer: PROBE_IDS.customer,
          currency: 'usd',
          successUrl: 'https://example.com/recover-permission-probe',
          expiresAt: Math.floor(Date.now() / 1000) + 3600,
        },
        ctx,
      ),
  },
  rak_setup_intent_read: {
    resource: 'SetupIntents',
    access: 'read',
    missingId: true,
    run: (g, ctx) => g.setupIntents.retrieve(PROBE_IDS.setupIntent, {}, ctx),
  },
  rak_connected_account_read: {
    resource: 'Connected accounts',
    access: 'read',
    platformOnly: true,
    run: (g) => g.accounts.list({ limit: 1 }),
  },
};

/**
 * One row per permission (default: REQUIRED_PERMISSIONS), in that order.
 * Throws (instead of returning rows) when the key itself is wrong (AuthenticationFailed) or Stripe
 * cannot be asked (RateLimited, StripeUnavailable): no row could be trusted then.
 */
export async function probePermissions(
  gateway: StripeGateway,
  ctx?: { account?: string },
  permissions: readonly string[] = REQUIRED_PERMISSIONS,
): Promise<PermissionProbe[]> {
  const account = ctx?.account ? { account: ctx.account } : undefined;
  return Promise.all(
    permissions.map(async (permission): Promise<PermissionProbe> => {
      const spec = PROBES[permission];
      if (!spec) throw new TypeError(`no probe for permission ${permission}`);
      const row = { resource: spec.resource, permission, access: spec.access };
      try {
        await spec.run(gateway, spec.platformOnly ? undefined : account);
        return { ...row, ok: true };
      } catch (e) {
        if (spec.missingId && (e instanceof NotFound || (e instanceof InvalidRequest && e.code === 'resource_missing'))) {
          return { ...row, ok: true };
        }
        if (e instanceof PermissionMissing) {
          return { ...row, ok: false, error: e.message, missing: e.permissions.length ? e.permissions : [permission] };
        }
        if (e instanceof AuthenticationFailed || e instanceof RateLimited || e instanceof StripeUnavailable) throw e;
        return { ...row, ok: false, error: redactText(e instanceof Error ? e.message : String(e)) };
      }
    }),
  );
}
