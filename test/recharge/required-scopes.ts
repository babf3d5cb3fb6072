/**
 * Exactly the scopes recover asks a Recharge token for (issue 17 §2, Butter's list; charges under
 * `*_orders` as in the API reference's scope list), with subscriptions write for the end action.
 */
export const REQUIRED = [
  'read_orders',
  'write_orders',
  'read_discounts',
  'read_subscriptions',
  'write_subscriptions',
  'read_payments',
  'write_payments',
  'read_payment_methods',
  'read_customers',
  'read_products',
];
