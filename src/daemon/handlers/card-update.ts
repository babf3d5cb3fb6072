/**
 * A new or updated payment method on a customer in dunning (`payment_method.attached`,
 * `payment_method.updated` with new card details, `payment_method.automatically_updated`, or
 * `customer.updated` with a new default payment method) → a prompt retry of that customer's
 * open cases: the policy is asked again with `cardUpdatedAt`, and it decides when (a few minutes
 * later, inside an allowed window, within the network caps).
 */
import { recoverRetries } from '../../engine/decision.js';
import type { CardFunding } from '../../db/index.js';
import { describeDecision, redecide } from '../case-ops.js';
import { customerOf, idOf, stringField, type StripeObject } from '../event-facts.js';
import type { Handler } from './deps.js';
import { recordCardUpdated } from '../../outbox/events.js';

/** A payment method's card as recover keeps it (also a completed card-update link's, src/api/setup-sessions.ts). */
export interface CardFacts {
  paymentMethodId: string;
  fingerprint: string | null;
  brand: string | null;
  funding: CardFunding | null;
  country: string | null;
  last4: string | null;
}

export function cardOf(pm: StripeObject): CardFacts | null {
  const id = stringField(pm, 'id');
  if (!id) return null;
  const card = (pm.card ?? null) as Record<string, unknown> | null;
  const s = (k: string) => (card && typeof card[k] === 'string' ? (card[k] as string) : null);
  const funding = s('funding');
  return {
    paymentMethodId: id,
    fingerprint: s('fingerprint'),
    brand: s('brand'),
    country: s('country'),
    last4: s('last4'),
    funding:
      funding === 'credit' || funding === 'debit' || funding === 'prepaid' ? funding : funding ? 'unknown' : null,
  };
}

export const cardUpdated: Handler = async (f, d, commit) => {
  const account = d.accountOf(f);
  if (!account) return 'skipped: not an account recover manages';
  const customer = customerOf(f.object);
  if (!customer) return 'skipped: payment method not attached to a customer';
  if (f.type === 'payment_method.updated' && !(f.previous && 'card' in f.previous)) return 'no new card details';
  let pmObject: StripeObject | null = f.type.startsWith('payment_method.') ? f.object : null;
  if (f.type === 'customer.updated') {
    const prevSettings = (f.previous?.invoice_settings ?? null) as Record<string, unknown> | null;
    const now = idOf(((f.object.invoice_settings ?? {}) as Record<string, unknown>).default_payment_method);
    if (
      !prevSettings ||
      !('default_payment_method' in prevSettings) ||
      !now ||
      idOf(prevSettings.default_payment_method) === now
    ) {
      return 'no new default payment method';
    }
    pmObject = { id: now };
  }
  const cases = d.store.cases
    .listByCustomer(customer, { accountId: account, activeOnly: true })
    .filter((c) => recoverRetries(c.arm, d.settings));
  if (cases.length === 0) return 'no case recover retries for this customer';
  if (pmObject && !pmObject.card) {
    pmObject = (await d.gw.paymentMethods.retrieve(pmObject.id!, {}, d.ctxFor(account))) as unknown as StripeObject;
  }
  const card = pmObject ? cardOf(pmObject) : null;
  return commit(() => {
    const next: string[] = [];
    for (const c of cases) {
      if (card?.fingerprint) {
        d.store.cases.update(c.id, {
          paymentMethodId: card.paymentMethodId,
          cardFingerprint: card.fingerprint,
          ...(card.brand ? { cardBrand: card.brand } : {}),
          ...(card.funding ? { cardFunding: card.funding } : {}),
          ...(card.country ? { cardCountry: card.country } : {}),
        });
        d.store.cards.upsert(
          { fingerprint: card.fingerprint, brand: card.brand, funding: card.funding, country: card.country },
          f.created,
        );
      }
      d.store.decisions.add({
        caseId: c.id,
        at: f.created,
        action: 'note',
        kind: 'card_update',
        reason: `The customer's payment method changed (${f.type}${card?.brand ? `, ${card.brand}` : ''}${card?.last4 ? ` …${card.last4}` : ''}): the policy is asked for a prompt retry.`,
      });
      next.push(
        describeDecision(
          redecide(d.store, d.policy, c.id, d.settings, d.now(), { cardUpdatedAt: Math.min(f.created, d.now()) }),
        ),
      );
      recordCardUpdated(d.store, c.id, card, f.created, f.id);
    }
    return `card update for ${cases.length} case(s): ${next.join('; ')}`;
  });
};
