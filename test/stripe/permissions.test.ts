/** Restricted-key permissions: Stripe's 403 parsed into PermissionMissing, and the probe table. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUIRED_PERMISSIONS, permissionFor, requiredPermissions } from '../../src/stripe/permissions.js';
import type { Emulator } from '../../src/emulator/index.js';
import { AuthenticationFailed, PROBE_IDS, PermissionMissing, parsePermissions, probePermissions } from '../../src/stripe/index.js';
import { CONNECTED, NO_INVOICE_WRITE, UNKNOWN, expectNoKeys, gatewayFor, rejection, requestsTo, startSeeded } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startSeeded();
});
afterAll(async () => {
  await emu?.close();
});

describe('PermissionMissing', () => {
  it('parses the permission Stripe names in its 403', async () => {
    const { gw, rec } = gatewayFor(emu, { primaryKey: NO_INVOICE_WRITE });
    // Reading is allowed, writing is not.
    expect((await gw.invoices.retrieve('in_page01')).id).toBe('in_page01');
    const err = await rejection(gw.invoices.update('in_page01', { auto_advance: false }));
    expect(err).toBeInstanceOf(PermissionMissing);
    const e = err as PermissionMissing;
    expect(e.permissions).toEqual(['rak_invoice_write']);
    expect(e.statusCode).toBe(403);
    expect(e.exitCode).toBe(1);
    expect(e.message).toContain("Having the 'rak_invoice_write' permission would allow this request to continue");
    expect(e.hint).toContain('rak_invoice_write');
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ kind: 'permission_missing', permissions: ['rak_invoice_write'] });
    // Not retried.
    expect(rec.calls.filter((c) => c.status === 403)).toHaveLength(1);
    expectNoKeys(e);
    expectNoKeys(rec.logs);
  });

  it('finds several permission names in one message', () => {
    expect(
      parsePermissions("Having the 'rak_invoice_write' permission would allow this request to continue. Having the 'rak_charge_read' permission…"),
    ).toEqual(['rak_invoice_write', 'rak_charge_read']);
    expect(parsePermissions('nothing here')).toEqual([]);
  });
});

describe('probePermissions', () => {
  it('reports every required permission ok for a full key, changing nothing', async () => {
    const { gw } = gatewayFor(emu);
    const before = emu.state();
    const rows = await probePermissions(gw);
    expect(rows.map((r) => r.permission)).toEqual([...REQUIRED_PERMISSIONS]);
    expect(rows.every((r) => r.ok)).toBe(true);
    expect(rows.find((r) => r.permission === 'rak_invoice_write')).toMatchObject({ resource: 'Invoices', access: 'write' });
    const after = emu.state();
    expect(after.invoices).toEqual(before.invoices);
    expect(after.subscriptions).toEqual(before.subscriptions);
    expect(after.events.length).toBe(before.events.length);
    // The write probes hit ids that cannot exist: 404 after the permission check.
    expect(requestsTo(emu, `/v1/invoices/${PROBE_IDS.invoice}`).at(-1)?.status).toBe(404);
  });

  it('shows the missing permission with Stripe\'s exact error', async () => {
    const { gw } = gatewayFor(emu, { primaryKey: NO_INVOICE_WRITE });
    const rows = await probePermissions(gw);
    const bad = rows.filter((r) => !r.ok);
    expect(bad.map((r) => r.permission)).toEqual(['rak_invoice_write']);
    expect(bad[0].missing).toEqual(['rak_invoice_write']);
    expect(bad[0].error).toMatch(/does not have the required permissions.*'rak_invoice_write'/);
    expectNoKeys(rows);
  });

  it('probes inside a connected account', async () => {
    const { gw, rec } = gatewayFor(emu, { primaryKey: NO_INVOICE_WRITE });
    const rows = await probePermissions(gw, { account: CONNECTED });
    expect(rows.filter((r) => !r.ok).map((r) => r.permission)).toEqual(['rak_invoice_write']);
    // Webhook endpoints are the platform's, even in Connect scope.
    expect(rec.calls.find((c) => c.path === '/v1/webhook_endpoints/:id')?.account).toBeUndefined();
    expect(rec.calls.find((c) => c.path === '/v1/charges')?.account).toBe(CONNECTED);
  });

  it('throws for a key Stripe does not know, instead of a table of failures', async () => {
    const { gw } = gatewayFor(emu, { primaryKey: UNKNOWN });
    const err = await rejection(probePermissions(gw));
    expect(err).toBeInstanceOf(AuthenticationFailed);
    expectNoKeys(err);
  });

  it('can probe permissions beyond the required set', async () => {
    const { gw } = gatewayFor(emu, { primaryKey: NO_INVOICE_WRITE });
    const rows = await probePermissions(gw, undefined, ['rak_connected_account_read']);
    expect(rows.map((r) => [r.permission, r.ok])).toEqual([['rak_connected_account_read', false]]);
  });
});

describe('the required permissions are derived from the calls recover makes', () => {
  it('lists every resource the gateway touches, write where it writes', () => {
    // The daemon lists /v1/events (reconciler) and reads /v1/payment_methods/:id (card updates):
    // both were missing from the Phase 1 list of seven.
    expect([...REQUIRED_PERMISSIONS]).toEqual([
      'rak_charge_read', 'rak_customer_read', 'rak_payment_intent_read', 'rak_invoice_write', 'rak_subscription_write',
      'rak_webhook_write', 'rak_credit_note_read', 'rak_payment_method_read', 'rak_event_read',
    ]);
    expect(requiredPermissions('connect')).toEqual([...REQUIRED_PERMISSIONS, 'rak_connected_account_read']);
    expect(permissionFor('POST', '/v1/invoices/:id/pay')).toBe('rak_invoice_write');
  });

  it('gives the Recovery API its own key: the Billing list does not grow', () => {
    // Issue 16 §1: PaymentIntents write, Customers read, PaymentMethods read, Checkout Sessions write,
    // SetupIntents read. Names as Stripe's Dashboard key-creation links spell them.
    expect(requiredPermissions('api')).toEqual([
      'rak_customer_read', 'rak_payment_intent_write', 'rak_payment_method_read', 'rak_checkout_session_write',
      'rak_setup_intent_read',
    ]);
    expect(REQUIRED_PERMISSIONS).not.toContain('rak_payment_intent_write');
    expect(REQUIRED_PERMISSIONS).not.toContain('rak_checkout_session_write');
    expect(permissionFor('POST', '/v1/payment_intents')).toBe('rak_payment_intent_write');
    expect(permissionFor('GET', '/v1/checkout/sessions/:id')).toBe('rak_checkout_session_read');
    expect(permissionFor('GET', '/v1/setup_intents/:id')).toBe('rak_setup_intent_read');
  });

  it('refuses a call to an endpoint without a declared permission', () => {
    expect(() => permissionFor('GET', '/v1/refunds')).toThrow(/no entry in ENDPOINT_PERMISSIONS/);
  });
});
