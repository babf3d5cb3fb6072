/**
 * The apply step of one page. Stripe first, then the database:
 *
 * 1. pause Stripe's retries on the invoices recover will retry (`auto_advance=false`,
 *    `metadata.recover_managed=true`), so Stripe can never retry in parallel with recover;
 * 2. in ONE transaction: the cases (with their first attempt, card facts, first decision and
 *    end-of-dunning jobs, via the engine's applyIntake) and the scan cursor.
 *
 * A crash between 1 and 2 loses nothing: the page was not recorded, so the next run lists it
 * again, finds the invoices already paused (recover_managed, auto_advance=false) and records
 * them as such. The reverse order could leave a recorded case that Stripe still retries.
 */
import type { Settings } from '../../config/settings.js';
import type { Store } from '../../db/index.js';
import { applyIntake } from '../../engine/intake.js';
import { recordDecision } from '../../outbox/events.js';
import { managedMetadata } from '../../engine/managed.js';
import { InvalidRequest, NotFound, type Invoice, type StripeGateway } from '../../stripe/index.js';
import type { PlannedInvoice } from './plan.js';
import { INVOICE_EXPAND } from './read.js';

export interface PauseResult {
  paused: Set<string>;
  /** Invoices Stripe refused to update (e.g. paid or voided since listed), with the error. */
  failed: Map<string, string>;
}

/**
 * Pauses every invoice of the page that needs it, concurrently (within the run's call limit;
 * the gateway's token bucket paces them). The idempotency key is per run and invoice: a retry of the same call replays,
 * and a later run, which may have a reason to pause again, sends a new key.
 */
export async function pauseStripe(
  gw: StripeGateway,
  items: readonly PlannedInvoice[],
  o: { stripeAccount?: string; runId: string; call: <T>(fn: () => Promise<T>) => Promise<T>; installationId: string },
): Promise<PauseResult> {
  const result: PauseResult = { paused: new Set(), failed: new Map() };
  await Promise.all(
    items
      .filter((p) => p.pause)
      .map(async (p) => {
        const id = p.entry.invoice;
        try {
          await o.call(() =>
            gw.invoices.update(
              id,
              { auto_advance: false, metadata: managedMetadata(o.installationId) },
              { account: o.stripeAccount, idempotencyKey: `recover:takeover:${o.runId}:${id}` },
            ),
          );
          result.paused.add(id);
        } catch (e) {
          // The invoice changed under us (replanRefused reads it again). Rate limits and outages
          // are thrown: the page is then not recorded at all.
          if (e instanceof InvalidRequest || e instanceof NotFound) result.failed.set(id, e.message);
          else throw e;
        }
      }),
  );
  return result;
}

/**
 * Stripe refuses to change `auto_advance` on an invoice that is no longer open (paid, void,
 * uncollectible: 400): it changed under us since the page was listed. Each refused invoice is
 * read again and planned again from what it is now (a paid one is then not taken over at all);
 * the new plan never pauses. Returns the page with those items replaced.
 */
export async function replanRefused(
  gw: StripeGateway,
  items: readonly PlannedInvoice[],
  refused: ReadonlyMap<string, string>,
  o: { stripeAccount?: string; call: <T>(fn: () => Promise<T>) => Promise<T>; replan: (inv: Invoice) => PlannedInvoice },
): Promise<PlannedInvoice[]> {
  if (refused.size === 0) return [...items];
  const fresh = new Map<string, PlannedInvoice>();
  await Promise.all([...refused.keys()].map(async (id) => {
    try {
      const inv = await o.call(() => gw.invoices.retrieve(id, { expand: INVOICE_EXPAND.map((p) => p.replace(/^data\./, '')) }, { account: o.stripeAccount }));
      fresh.set(id, o.replan(inv));
    } catch (e) {
      if (!(e instanceof NotFound)) throw e; // deleted (a draft): nothing to take over
    }
  }));
  return items.flatMap((p) => {
    if (!refused.has(p.entry.invoice)) return [p];
    const again = fresh.get(p.entry.invoice);
    return again ? [{ ...again, pause: false }] : [];
  });
}

/** Writes the page's cases; call inside `store.tx` together with the cursor update. */
export function recordPage(store: Store, items: readonly PlannedInvoice[], paused: ReadonlySet<string>, settings: Settings, now: number): void {
  for (const p of items) {
    const plan = p.intake;
    if (plan.kind === 'skip') continue;
    const isPaused = paused.has(plan.invoiceId) || p.alreadyPaused;
    if (plan.kind === 'new') {
      if (isPaused) plan.upsert.pausedStripe = true;
      const id = applyIntake(store, plan, settings, now);
      if (id !== undefined) recordDecision(store, id, plan.decision, now, true); // recovery.scheduled/blocked
    } else {
      applyIntake(store, plan, settings, now);
      if (isPaused) store.cases.update(plan.caseId, { pausedStripe: true });
    }
  }
}
