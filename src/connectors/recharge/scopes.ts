/**
 * The scopes recover needs on a Recharge token (issue 17 §2, Butter's list), each a group of
 * spellings that grant it: charges are `*_orders` in the API reference's scope list and
 * `*_charges` in the charges guide, so either spelling satisfies the need and the probe table
 * shows what the token has of both (src/connectors/recharge/types.ts SCOPE_PROBES).
 */
import type { ScopeProbeRow } from './types.js';

export interface ScopeNeed {
  need: string;
  anyOf: string[];
  why: string;
}

export function requiredScopes(cancelAtEnd: boolean): ScopeNeed[] {
  const needs: ScopeNeed[] = [
    {
      need: 'charges read',
      anyOf: ['read_orders', 'read_charges'],
      why: 'list failed charges, re-read before a retry',
    },
    { need: 'charges write', anyOf: ['write_orders', 'write_charges'], why: 'retry (POST /charges/{id}/process)' },
    { need: 'discounts read', anyOf: ['read_discounts'], why: 'what is due after discounts' },
    { need: 'subscriptions read', anyOf: ['read_subscriptions'], why: 'subscription still alive?' },
    { need: 'payments read', anyOf: ['read_payments'], why: 'payment outcomes' },
    { need: 'payments write', anyOf: ['write_payments'], why: 'retry a payment' },
    { need: 'payment methods read', anyOf: ['read_payment_methods'], why: 'card updates' },
    { need: 'customers read', anyOf: ['read_customers'], why: 'customer and card-update facts' },
    { need: 'products read', anyOf: ['read_products'], why: 'what the charge is for' },
  ];
  if (cancelAtEnd) {
    needs.push({ need: 'subscriptions write', anyOf: ['write_subscriptions'], why: 'cancel at the end of dunning' });
  }
  return needs;
}

export interface ScopeVerdict {
  need: ScopeNeed;
  ok: boolean;
  /** Not provable either way (the token's scope list was refused and no harmless call exists). */
  unknown: boolean;
  /** The spellings the probe found on the token. */
  has: string[];
}

export function judgeScopes(rows: ScopeProbeRow[], needs: ScopeNeed[]): ScopeVerdict[] {
  return needs.map((need) => {
    const mine = rows.filter((r) => need.anyOf.includes(r.scope));
    const has = mine.filter((r) => r.status === 'ok').map((r) => r.scope);
    const unknown = has.length === 0 && mine.some((r) => r.status === 'unknown');
    return { need, ok: has.length > 0, unknown, has };
  });
}
