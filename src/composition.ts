/**
 * The one place a Stripe gateway is built from the keys saved by `recover onboard stripe`: for
 * every command (through the context, src/context.ts) and for the daemon (src/daemon/daemon.ts),
 * which adds its hooks (metrics of every call, its stop signal).
 */
import { ConfigError } from './errors.js';
import type { Logger } from './log.js';
import type { Store } from './db/index.js';
import { createGateway, type GatewayOptions, type StripeGateway } from './stripe/index.js';

/** What the owner of a gateway adds to it: a report of every HTTP call, a stop signal. */
export type GatewayHooks = Pick<GatewayOptions, 'onCall' | 'signal'> & {
  /**
   * The daemon: a database with no Stripe Billing key still runs — an API-only merchant's calls go
   * through the Recovery API's key, and a Recharge-only database gets a keyless gateway pointed at a
   * closed local port (no Stripe account, no Stripe case: never called, and a bug could not reach Stripe).
   */
  allowKeyless?: boolean;
};

interface SavedGatewayOptions extends GatewayHooks {
  /** `--stripe-api-base`, else the one saved at onboarding. */
  apiBase?: string;
  logger?: Logger;
  /** Requests per second; default the saved setting, else the gateway's default for the key. */
  rateLimitPerSec?: number;
}

/** Builds the gateway from the saved keys; exit 2 naming onboard when there is none. */
export function savedGateway(store: Store, o: SavedGatewayOptions = {}): StripeGateway {
  const primaryKey = store.secrets.get('primary_key');
  if (!primaryKey && o.allowKeyless) {
    const api = savedApiGateway(store, o);
    if (api) return api;
    if (store.settings.get()?.recharge)
      return createGateway({ primaryKey: 'rk_test_none', apiBase: 'http://127.0.0.1:9', logger: o.logger });
  }
  if (!primaryKey) throw new ConfigError(`no Stripe key saved in ${store.path}`, 'run: recover onboard stripe');
  return createGateway({
    primaryKey,
    fallbackKey: store.secrets.get('fallback_key') ?? undefined,
    apiBase: o.apiBase ?? store.settings.get()?.stripeApiBase,
    rateLimitPerSec: o.rateLimitPerSec ?? store.settings.get()?.rateLimitPerSec,
    logger: o.logger,
    onCall: o.onCall,
    signal: o.signal,
  });
}

/** The Recovery API's gateway (`recover onboard api`'s key: PaymentIntents, Checkout), or undefined. */
export function savedApiGateway(store: Store, o: SavedGatewayOptions = {}): StripeGateway | undefined {
  const key = store.secrets.get('api_stripe_key');
  if (!key) return undefined;
  return createGateway({
    primaryKey: key,
    apiBase: o.apiBase ?? store.settings.get()?.stripeApiBase,
    rateLimitPerSec: o.rateLimitPerSec ?? store.settings.get()?.rateLimitPerSec,
    logger: o.logger,
    onCall: o.onCall,
    signal: o.signal,
  });
}
