import { attemptInvoice } from './payments.js';
import { afterAutomaticFailure, blockedByHardDecline, skipBlockedRetry } from './retries-exhausted.js';
import { attemptStillDue } from './smart-retries.js';
import { automaticallyUpdate, attachPaymentMethod, createPaymentMethod, updateCustomer } from './customers.js';
import type { Job } from './scheduler.js';
import { autoFinalize, renew } from './renewals.js';
import { expireSession } from './checkout.js';
import { cancelSubscription } from './subscriptions.js';
import { AUTOMATIC, type World } from './world.js';
import type { CardSpec } from './cards.js';
import type { RuntimeBehaviour } from './behaviour.js';

/**
 * Moving the emulator clock. Due work runs in time order, with the clock set to each job's
 * time first, so the objects and events it creates carry the right `created`. Long runs yield
 * to the event loop every few hundred jobs so the HTTP server keeps answering.
 */
export interface PendingCustomerUpdate {
  type: 'new_payment_method' | 'automatic_update';
  card?: CardSpec;
  paymentMethodId?: string;
  setDefault?: boolean;
  behaviour: RuntimeBehaviour;
  exp_month?: number;
  exp_year?: number;
  last4?: string;
}

const YIELD_EVERY = 500;

export async function runUntil(world: World, target: number): Promise<number> {
  let ran = 0;
  for (;;) {
    const t = world.scheduler.peekTime();
    if (t === undefined || t > target) break;
    const { at, job } = world.scheduler.pop()!;
    if (at > world.nowMs()) world.clock.set(at);
    if (runJob(world, job, at)) ran++;
    if (ran > 0 && ran % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
  }
  world.clock.set(Math.max(world.nowMs(), target));
  return ran;
}

/** Runs one due job; false when it was stale (the invoice was paid or rescheduled meanwhile). */
export function runJob(world: World, job: Job, at: number): boolean {
  const acct = world.accounts.get(job.account);
  if (!acct) return false;
  switch (job.kind) {
    case 'invoice_attempt': {
      const inv = acct.invoices.get(job.invoice);
      if (!attemptStillDue(inv, at)) return false;
      const first = (inv.doc.attempt_count as number) === 0;
      if (!first && blockedByHardDecline(acct, inv)) {
        skipBlockedRetry(world, acct, inv);
        return true;
      }
      const source = first ? 'first_attempt' : 'smart_retry';
      const result = attemptInvoice(world, acct, inv, { origin: AUTOMATIC, source });
      if (!result.ok) afterAutomaticFailure(world, acct, inv);
      return true;
    }
    case 'customer_update': {
      const cus = acct.customers.get(job.customer);
      const u = (cus?.meta.updates as PendingCustomerUpdate[] | undefined)?.[job.index];
      if (!cus || !u) return false;
      if (u.type === 'new_payment_method') {
        const pm = createPaymentMethod(world, acct, {
          id: u.paymentMethodId,
          card: u.card!,
          behaviour: u.behaviour,
          created: world.nowMs(),
          customer: null,
          billingName: cus.doc.name,
          billingEmail: cus.doc.email,
        });
        attachPaymentMethod(world, acct, pm, cus.id, AUTOMATIC);
        if (u.setDefault) {
          updateCustomer(world, acct, cus, { invoice_settings: { ...cus.doc.invoice_settings, default_payment_method: pm.id } }, AUTOMATIC);
        }
      } else {
        const pm = acct.payment_methods.get(u.paymentMethodId!);
        if (!pm) return false;
        automaticallyUpdate(world, acct, pm, { behaviour: u.behaviour, exp_month: u.exp_month, exp_year: u.exp_year, last4: u.last4 });
      }
      return true;
    }
    case 'renewal': {
      const sub = acct.subscriptions.get(job.subscription);
      return !!sub && renew(world, acct, sub, at);
    }
    case 'finalize':
      return autoFinalize(world, acct, acct.invoices.get(job.invoice));
    case 'checkout_expire': {
      const session = acct.checkout_sessions.get(job.session);
      return !!session && expireSession(world, acct, session);
    }
    case 'subscription_end': {
      const sub = acct.subscriptions.get(job.subscription);
      if (!sub || sub.doc.status === 'canceled' || sub.doc.cancel_at === null || sub.doc.cancel_at * 1000 !== at) return false;
      cancelSubscription(world, acct, sub, { prorate: false, invoiceNow: false, reason: 'cancellation_requested' }, AUTOMATIC);
      return true;
    }
  }
}
