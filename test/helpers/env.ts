/** Per-test temp directories and an emulator that is always closed. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { REQUIRED_PERMISSIONS } from '../../src/config/settings.js';
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
  // Tests receive webhooks on 127.0.0.1, which Stripe (and the emulator by default) refuses.
  const emu = await startEmulator({ port: 0, allowLocalWebhooks: true, ...opts });
  cleanups.push(() => emu.close());
  return emu;
}

/** Every permission onboarding asks for (account scope). */
export const ALL_PERMS: string[] = [...REQUIRED_PERMISSIONS];
