/**
 * A merchant on the Recovery API only (no Stripe Billing key): `status` checks the API's key instead
 * of failing on a missing Billing key, and the daemon does no Billing work (the reconciler would
 * need rak_invoice_read and rak_event_read, which the API key rightly lacks). Both failed after the
 * composition-root merge: run.ts hands the daemon a gateway function, which counted as "Billing".
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { emulator, tempDb } from '../helpers/env.js';
import { onboardApi } from './helpers.js';

describe('a Recovery-API-only database', () => {
  it('status checks the API key; run makes no Billing calls', async () => {
    const emu = await emulator();
    const db = tempDb();
    await onboardApi(emu.url, db);
    const status = await runCli(['--db', db, '--stripe-api-base', emu.url, 'status']);
    expect(status.stdout).toMatch(/Recovery API key\s+│ ok/);
    expect(status.stdout).not.toMatch(/primary key/);
    const run = await runCli(['--db', db, '--stripe-api-base', emu.url, 'run', '--once']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/reconcile failed|does not have the required permissions/);
  });
});
