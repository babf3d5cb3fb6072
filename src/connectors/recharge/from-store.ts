/** The Recharge client and clock of a store set up by `recover onboard recharge`. */
import type { Settings } from '../../config/settings.js';
import type { Store } from '../../db/index.js';
import { ConfigError } from '../../errors.js';
import { registerSecret } from '../../redact.js';
import { RechargeClient } from './client.js';
import type { RechargeSettings } from './settings.js';

export interface RechargeSetup {
  rc: RechargeSettings;
  client: RechargeClient;
  clientSecret: string;
}

export function rechargeSetup(store: Store, settings: Settings | undefined, dbPath: string): RechargeSetup {
  const rc = settings?.recharge;
  const token = store.secrets.get('recharge_token');
  const clientSecret = store.secrets.get('recharge_client_secret');
  if (!rc || !token || !clientSecret) {
    throw new ConfigError(`${dbPath} has no Recharge store set up`, 'run: recover onboard recharge');
  }
  registerSecret(clientSecret);
  const bucket = rc.callsPerSec === undefined ? undefined : { leakPerSec: rc.callsPerSec };
  return { rc, client: new RechargeClient({ token, baseUrl: rc.apiBase, bucket }), clientSecret };
}

/**
 * "Now" for a command run against the Recharge emulator with `--clock emulator` (its control
 * API's clock, epoch ms); refused against the real API, whose now is the system clock.
 */
export async function emulatorNow(rc: RechargeSettings): Promise<number> {
  if (!rc.apiBase)
    throw new ConfigError('--clock emulator needs a Recharge emulator (onboard with --recharge-api-base)');
  const res = await fetch(`${rc.apiBase}/_emulator/clock`);
  if (!res.ok) throw new ConfigError(`${rc.apiBase} answered ${res.status} for its clock: is it the emulator?`);
  return ((await res.json()) as { now_ms: number }).now_ms;
}
