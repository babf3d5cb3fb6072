/**
 * The set-up checks `status` prints and `go-live` re-runs before it switches: each key's
 * permissions, our webhook endpoint, and the Smart Retries signal against the baseline.
 *
 * Against an unreachable Stripe the answer must come in seconds, with one line per check: calls
 * are made with no retries and a short timeout, and the checks run at once, so the whole takes
 * one timeout at most.
 */
import { WEBHOOK_EVENTS } from '../config/events.js';
import type { Settings } from '../config/settings.js';
import type { Store } from '../db/index.js';
import type { Logger } from '../log.js';
import { redactKey } from '../redact.js';
import { createGateway, probePermissions, StripeUnavailable, type StripeGateway } from '../stripe/index.js';
import { judgeSignal, scanSmartRetries } from './onboard/baseline.js';
import { permissionsFor } from './onboard/keys.js';
import { requiredPermissions } from '../stripe/permissions.js';

export type Check = { name: string; ok: boolean; detail: string; warnOnly?: boolean };

const NOT_SAVED: Check = { name: 'primary key', ok: false, detail: 'not saved' };

/** The status column: ok, warn (worth a look, not a failure) or FAIL. */
export function markCheck(color: { green(s: string): string; yellow(s: string): string; red(s: string): string }, c: Check): string {
  return c.ok ? color.green('ok') : c.warnOnly ? color.yellow('warn') : color.red('FAIL');
}

/** Per request, ms: a healthy Stripe answers in well under a second. */
const CHECK_TIMEOUT_MS = 5000;

export interface CheckDeps {
  store: Store;
  settings: Settings;
  apiBase?: string;
  logger: Logger;
}

function quickGateway(d: CheckDeps, key: string): StripeGateway {
  return createGateway({
    primaryKey: key, apiBase: d.apiBase, logger: d.logger, maxRetries: 0, timeoutMs: CHECK_TIMEOUT_MS, rateLimitPerSec: 100,
  });
}

export async function runChecks(d: CheckDeps): Promise<Check[]> {
  const { store, settings } = d;
  // Each check catches its own failure: against an unreachable Stripe every one fails with its
  // own line, all within one timeout, since they run at once.
  const attempt = async (name: string, fn: () => Promise<Check>): Promise<Check | null> => {
    try {
      return await fn();
    } catch (e) {
      // A custom base is an emulator (saved at onboarding): name it, it may simply have stopped.
      const at = d.apiBase ? ` at ${d.apiBase} (is the emulator running?)` : '';
      const why = e instanceof StripeUnavailable ? `Stripe unreachable${at}: ` : '';
      return { name, ok: false, detail: why + (e as Error).message.split('\n')[0]! };
    }
  };
  const primary = store.secrets.get('primary_key');
  const probeKey = (name: string, key: string, permissions: readonly string[]) =>
    attempt(name, async () => {
      const rows = await probePermissions(quickGateway(d, key), undefined, permissions);
      const missing = rows.filter((r) => !r.ok).map((r) => r.permission);
      const detail = missing.length ? `missing ${missing.join(', ')}` : `all ${rows.length} permissions ok`;
      return { name, ok: missing.length === 0, detail: `${redactKey(key)}: ${detail}` };
    });
  const keyCheck = (label: 'primary' | 'fallback') => {
    const key = store.secrets.get(`${label}_key`);
    if (!key && label === 'primary') return otherIntegrationKey();
    if (!key) return Promise.resolve(null);
    return probeKey(`${label} key`, key, permissionsFor(settings.scope));
  };
  // No Stripe Billing key: a Recovery API merchant's key is checked instead, a Recharge store has none.
  const otherIntegrationKey = (): Promise<Check | null> => {
    const api = store.secrets.get('api_stripe_key');
    if (!api) return Promise.resolve(settings.recharge ? null : NOT_SAVED);
    return probeKey('Recovery API key', api, requiredPermissions('api'));
  };
  const gw = primary ? quickGateway(d, primary) : undefined;
  const webhook = () => attempt('webhook endpoint', async () => {
    if (!settings.webhookEndpointId) {
      const detail = 'none registered (onboarded with --no-webhook: events come from `stripe listen`)';
      return { name: 'webhook endpoint', ok: true, warnOnly: true, detail };
    }
    const eps = (await gw!.webhookEndpoints.list({ limit: 100 })).data;
    const ep = eps.find((e) => e.id === settings.webhookEndpointId);
    const gone = `${settings.webhookEndpointId} not found at Stripe; run recover onboard stripe`;
    if (!ep) return { name: 'webhook endpoint', ok: false, detail: gone };
    const have = new Set(ep.enabled_events);
    const missing = WEBHOOK_EVENTS.filter((e) => !have.has(e) && !have.has('*'));
    const secret = Boolean(store.secrets.get('webhook_secret'));
    const ok = ep.status === 'enabled' && missing.length === 0 && secret;
    const events = missing.length ? `missing events ${missing.join(', ')}` : 'all events';
    return { name: 'webhook endpoint', ok, detail: `${ep.id} ${ep.status} → ${ep.url}; ${events}; secret ${secret ? 'saved' : 'NOT saved'}` };
  });
  const smartRetries = () => attempt('smart retries', async () => {
    const accounts = store.accounts.list();
    const scanned = settings.scope === 'connect' ? accounts.map((a) => a.id) : [undefined];
    const signal = await scanSmartRetries(gw!, scanned, 2);
    const v = judgeSignal(settings.controlBaseline, signal);
    return { name: 'smart retries', ok: v.ok, detail: v.message };
  });
  const stripeChecks = gw ? [webhook(), smartRetries()] : [];
  const all = await Promise.all([keyCheck('primary'), keyCheck('fallback'), ...stripeChecks]);
  return all.filter((c): c is Check => c !== null);
}
