/** Per-test temp directories and an emulator that is always closed. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { REQUIRED_PERMISSIONS, requiredPermissions } from '../../src/stripe/permissions.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'recover-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function tempDb(): string {
  return join(tempDir(), 'recover.db');
}

/**
 * Restricted keys holding exactly the permissions recover declares (src/stripe/permissions.ts),
 * one per scope; every emulator started here knows them. Tests run recover with these, not with an
 * sk_test_ key, so a call that needs an undeclared permission fails with Stripe's 403.
 */
export const LEAST_KEY = 'rk_test_leastprivilege0000001';
export const LEAST_CONNECT_KEY = 'rk_test_leastprivilegeconnect1';
/** A second one (Connect scope) for the fallback key: the emulator's rate limit is per key. */
export const LEAST_FALLBACK_KEY = 'rk_test_leastprivilegefallback';
/** The Recovery API's charging key: exactly requiredPermissions('api') (PaymentIntents write, Checkout…). */
export const LEAST_API_KEY = 'rk_test_leastprivilegeapi00001';

export async function emulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const keys = { [LEAST_KEY]: [...requiredPermissions('account')], [LEAST_CONNECT_KEY]: [...requiredPermissions('connect')],
    [LEAST_FALLBACK_KEY]: [...requiredPermissions('connect')], [LEAST_API_KEY]: [...requiredPermissions('api')],
    ...opts.keys };
  // Tests receive webhooks on 127.0.0.1, which Stripe (and the emulator by default) refuses.
  const emu = await startEmulator({ port: 0, allowLocalWebhooks: true, ...opts, keys });
  cleanups.push(() => emu.close());
  return emu;
}

/** Every permission onboarding asks for (account scope). */
export const ALL_PERMS: string[] = [...REQUIRED_PERMISSIONS];
