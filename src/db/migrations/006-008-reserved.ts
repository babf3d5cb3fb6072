import type { Migration } from './migration.js';

/**
 * Numbers 6 to 8 belong to migrations of other branches (issue 16, 17, 18 work) that land before
 * 009 at merge. On this branch they are empty so the list stays gapless (migrate.ts): the merge
 * replaces this file with theirs.
 */
const reserved = (version: number): Migration => ({ version, name: `reserved-${version}`, up: '' });
export const m006Reserved = reserved(6);
export const m007Reserved = reserved(7);
export const m008Reserved = reserved(8);
