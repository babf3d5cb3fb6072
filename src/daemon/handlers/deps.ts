/** What every event handler receives. Handlers read Stripe first, then write once through `commit`. */
import type { Settings } from '../../config/settings.js';
import type { Account, Case, Store } from '../../db/index.js';
import { recoverRetries } from '../../engine/decision.js';
import type { Logger } from '../../log.js';
import type { CallContext, StripeGateway } from '../../stripe/index.js';
import type { EventFacts } from '../event-facts.js';
import type { IntakeOutcome } from '../intake.js';
import type { PolicyContext } from '../policy-context.js';
import type { RecoveryReport } from '../types.js';

export interface HandlerDeps {
  store: Store;
  gw: StripeGateway;
  policy: PolicyContext;
  settings: Settings;
  logger: Logger;
  /** The daemon clock's now, ms. */
  now(): number;
  accounts: readonly Account[];
  /** The stored account an event belongs to, or null if recover does not manage it. */
  accountOf(f: EventFacts): string | null;
  ctxFor(accountId: string): CallContext | undefined;
  /** Opens (or refreshes) the case of an invoice through the engine's intake. */
  intake(invoiceId: string, accountId: string, source: 'webhook' | 'reconciler'): Promise<IntakeOutcome>;
  recovered(r: RecoveryReport): void;
}

/**
 * Runs `fn` and marks the event processed in the same transaction, so an event's effects and
 * its "done" flag are never apart. Returns what fn returns (the handler's result label).
 */
export type Commit = (fn: () => string) => string;

export type Handler = (f: EventFacts, d: HandlerDeps, commit: Commit) => Promise<string>;

/**
 * Who made an attempt that was not ours. With no API request behind it, Stripe acted by itself —
 * but Stripe does not retry invoices recover paused, so on those it was the customer.
 */
export function actorOf(c: Case, f: EventFacts, settings: Settings): 'stripe' | 'customer' {
  if (f.requestId) return 'customer';
  return recoverRetries(c.arm, settings) && c.pausedStripe ? 'customer' : 'stripe';
}
