/**
 * Handing invoices between Stripe's retries and recover's, shared by `go-live` (pause what shadow
 * mode left to Stripe) and `offboard` / `go-live --back-to-shadow` (give every managed invoice back).
 *
 * Each invoice is re-read first: one paid or voided since is left alone (nothing to retry), and one
 * the merchant paused by hand (auto_advance=false without our metadata) stays as the merchant set it.
 */
import { INSTALLATION_KEY, MANAGED_KEY, managedMetadata } from '../engine/managed.js';
import { installation, isTerminalStatus, type Case, type Store } from '../db/index.js';
import { recoverRetries } from '../engine/decision.js';
import type { Settings } from '../config/settings.js';
import { InvalidRequest, NotFound, type StripeGateway } from '../stripe/index.js';

/** Stripe calls in flight at once; the gateway's token bucket is the real bound. */
const CONCURRENCY = 8;

export type HandOverOutcome = 'changed' | 'not_open' | 'merchant_paused' | 'already' | 'failed';

export interface HandOverResult {
  case: Case;
  outcome: HandOverOutcome;
  detail?: string;
}

/** Active cases recover retries itself (treatment, and control under a fixed baseline) that Stripe may still retry. */
export function casesToPause(store: Store, settings: Settings): Case[] {
  // Only Stripe invoices have auto_advance: a Recharge store's retries are switched off in its portal.
  const retriedByUs = (c: Case) =>
    c.platform === 'stripe' && !isTerminalStatus(c.status) && recoverRetries(c.arm, settings);
  return [...store.cases.iterate()].filter((c) => retriedByUs(c) && !c.pausedStripe);
}

/** Every case whose invoice recover paused (active or not: an ended case's invoice may still be open). */
export function casesPaused(store: Store): Case[] {
  return [...store.cases.iterate()].filter((c) => c.pausedStripe);
}

/** The Stripe-Account header for a case: none for the keys' own account. */
function accountHeader(store: Store): (c: Case) => string | undefined {
  const connected = new Set(
    store.accounts
      .list()
      .filter((a) => a.kind === 'connected')
      .map((a) => a.id),
  );
  return (c) => (connected.has(c.accountId) ? c.accountId : undefined);
}

async function eachLimited<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return out;
}

/**
 * Sets auto_advance=false (pause) or true (resume) on each case's invoice and records it on the
 * case. `runId` makes the idempotency keys: a retried call replays, a later run sends new ones.
 * Rate limits and outages are thrown after the gateway's own retries; the cases done so far are
 * recorded, so running the command again continues.
 */
export async function handOver(
  gw: StripeGateway,
  store: Store,
  cases: Case[],
  o: { pause: boolean; runId: string; now: () => number },
): Promise<HandOverResult[]> {
  const account = accountHeader(store);
  const installationId = installation(store.meta, store.path).id;
  return eachLimited(cases, async (c): Promise<HandOverResult> => {
    const ctx = { account: account(c) };
    try {
      const inv = await gw.invoices.retrieve(c.invoiceId, {}, ctx);
      const ours = inv.metadata?.recover_managed === 'true';
      const owner = inv.metadata?.[INSTALLATION_KEY];
      if (owner && owner !== installationId) {
        // Another installation (a second copy of this database) manages it: never touch it here.
        return { case: c, outcome: 'failed', detail: `managed by another recover installation (${owner})` };
      }
      if (inv.status !== 'open') {
        if (!o.pause) store.cases.update(c.id, { pausedStripe: false });
        return { case: c, outcome: 'not_open', detail: inv.status ?? 'unknown' };
      }
      if (o.pause && inv.auto_advance === false) {
        // Already paused: by an earlier run of ours (record it), or by the merchant (leave it so).
        if (ours) store.cases.update(c.id, { pausedStripe: true });
        return { case: c, outcome: ours ? 'already' : 'merchant_paused' };
      }
      const verb = o.pause ? 'pause' : 'resume';
      await gw.invoices.update(
        c.invoiceId,
        // '' deletes a metadata key (Stripe: "set a key's value to an empty string to unset it").
        {
          auto_advance: !o.pause,
          metadata: o.pause ? managedMetadata(installationId) : { [MANAGED_KEY]: '', [INSTALLATION_KEY]: '' },
        },
        { ...ctx, idempotencyKey: `recover:${verb}:${o.runId}:${c.accountId}:${c.invoiceId}` },
      );
      store.tx(() => {
        store.cases.update(c.id, { pausedStripe: o.pause });
        store.decisions.add({
          caseId: c.id,
          at: o.now(),
          action: 'note',
          kind: o.pause ? 'stripe_paused' : 'stripe_resumed',
          reason: o.pause
            ? 'Stripe retries paused (auto_advance=false) when going live: only recover retries this invoice now.'
            : 'Handed back to Stripe (auto_advance=true, recover_managed cleared): Stripe retries this invoice again.',
        });
      });
      return { case: c, outcome: 'changed' };
    } catch (e) {
      if (!(e instanceof InvalidRequest || e instanceof NotFound)) throw e;
      return { case: c, outcome: 'failed', detail: e.message };
    }
  });
}

export function tallyOutcomes(results: HandOverResult[]): Record<HandOverOutcome, number> {
  const t: Record<HandOverOutcome, number> = { changed: 0, not_open: 0, merchant_paused: 0, already: 0, failed: 0 };
  for (const r of results) t[r.outcome]++;
  return t;
}
