import type { Migration } from './migration.js';

/**
 * The pay-cycle belief reads one customer's past charges before each decision
 * (`history.forCustomer`): an index by customer and time keeps that a short range scan.
 * Numbered 7 (004–006 are taken by parallel work): list it in index.ts after 006 when merging.
 */
export const m004HistoryCustomer: Migration = {
  version: 4,
  name: 'history-by-customer',
  up: /* sql */ `
CREATE INDEX history_customer ON history_charges(account_id, customer_id, created) WHERE customer_id IS NOT NULL;
`,
};
