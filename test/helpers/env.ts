/** Per-test temp directories and an emulator that is always closed. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
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

export async function emulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startEmulator({ port: 0, ...opts });
  cleanups.push(() => emu.close());
  return emu;
}

/** Every permission onboarding asks for. */
export const ALL_PERMS = [
  'rak_charge_read',
  'rak_customer_read',
  'rak_payment_intent_read',
  'rak_invoice_write',
  'rak_subscription_write',
  'rak_webhook_write',
  'rak_credit_note_read',
];
