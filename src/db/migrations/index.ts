/** Every migration this version of recover knows, in order. Append only. */
import type { Migration } from './migration.js';
import { m001Initial } from './001-initial.js';
import { m002CardsStats } from './002-cards-stats.js';
import { m003HistoryJobs } from './003-history-jobs.js';
import { m004HistoryCustomer } from './004-history-customer.js';
import { m005OutboxPlatform } from './005-outbox-platform.js';
import { m006Api } from './006-api.js';
import { m007PlatformAccounts } from './007-platform-accounts.js';
import { m008InboxQueue } from './008-inbox-queue.js';
import { m009SetupSessions } from './009-setup-sessions.js';
import { m010EventBodies } from './010-event-bodies.js';

export type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [
  m001Initial,
  m002CardsStats,
  m003HistoryJobs,
  m004HistoryCustomer,
  m005OutboxPlatform,
  m006Api,
  m007PlatformAccounts,
  m008InboxQueue,
  m009SetupSessions,
  m010EventBodies,
];
