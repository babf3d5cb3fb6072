/** Shared set-up for the Recharge emulator and client tests: an emulator per test, closed after. */
import { afterEach } from 'vitest';
import { RechargeClient, type RechargeClientOptions } from '../../src/connectors/recharge/client.js';
import {
  startRechargeEmulator,
  type RechargeEmulator,
  type RechargeEmulatorOptions,
} from '../../src/emulators/recharge/index.js';

export const FULL = 'tok_full_scopes_0001';
const open: RechargeEmulator[] = [];

afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

export async function emulator(o: RechargeEmulatorOptions = {}): Promise<RechargeEmulator> {
  const emu = await startRechargeEmulator({ bucket: null, ...o, tokens: { [FULL]: 'all', ...o.tokens } });
  open.push(emu);
  return emu;
}

export function client(emu: RechargeEmulator, o: Partial<RechargeClientOptions> = {}): RechargeClient {
  return new RechargeClient({ token: FULL, baseUrl: emu.url, ...o });
}

/** A raw call to the emulator (for what the client would never send). */
export async function raw(emu: RechargeEmulator, path: string, init: RequestInit = {}, token: string | null = FULL) {
  const headers: Record<string, string> = { 'X-Recharge-Version': '2021-11', ...(init.headers as object) };
  if (token) headers['X-Recharge-Access-Token'] = token;
  const res = await fetch(emu.url + path, { ...init, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}

export async function control(emu: RechargeEmulator, path: string, body: unknown = {}) {
  const res = await fetch(`${emu.url}/_emulator/${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
