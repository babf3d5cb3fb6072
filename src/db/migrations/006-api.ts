import type { Migration } from './migration.js';

/**
 * PLACEHOLDER in branch `recharge` only: migration 006 belongs to branch `api` (the Recovery API
 * tables). It exists here so 007 has its predecessor (the runner refuses gaps); when merging,
 * keep branch api's 006 and drop this file. It changes nothing.
 */
export const m006Api: Migration = {
  version: 6,
  name: 'api',
  up: /* sql */ `SELECT 1;`,
};
