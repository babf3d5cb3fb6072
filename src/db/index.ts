/**
 * The store: one SQLite database holding everything recover knows. `openStore` is the only
 * way in; every query of the project is a prepared statement behind the typed repositories
 * below (prepared once per open database).
 *
 *   const store = openStore('./recover.db');
 *   const { id, inserted } = store.cases.upsert({...});
 *   store.tx(() => { store.attempts.schedule(id, at); store.decisions.add({...}); });
 *   store.close();
 */
import { backupTo, type BackupResult } from './backup.js';
import { systemClock, type Clock } from '../clock.js';
import { ConfigError } from '../errors.js';
import type { Db } from './columns.js';
import { checkCompatible, migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { DEFAULT_BUSY_TIMEOUT_MS, isMemoryPath, openConnection, secureFile } from './open.js';
import { DEFAULT_CHECKPOINT_INTERVAL_MS, SAFETY_AUTOCHECKPOINT_PAGES, startCheckpointer, type Checkpointer } from './checkpointer.js';
import { createAccountsRepo, type AccountsRepo } from './accounts.js';
import { createApiKeysRepo, type ApiKeysRepo } from './api-keys.js';
import { createApiRecoveriesRepo, type ApiRecoveriesRepo } from './api-recoveries.js';
import { createApiRequestsRepo, type ApiRequestsRepo } from './api-requests.js';
import { createAttemptsRepo, type AttemptsRepo } from './attempts.js';
import { createCardsRepo, type CardsRepo } from './cards.js';
import { createCasesRepo, type CasesRepo } from './cases.js';
import { createCountersRepo, createMetaRepo, type CountersRepo, type MetaRepo } from './counters.js';
import { createCursorsRepo, type CursorsRepo } from './cursors.js';
import { createDecisionsRepo, type DecisionsRepo } from './decisions.js';
import { createEventsRepo, type EventsRepo } from './events.js';
import { createHistoryRepo, type HistoryRepo } from './history.js';
import { createJobsRepo, type JobsRepo } from './jobs.js';
import { createOutboxRepo, type OutboxRepo } from './outbox.js';
import { createSetupSessionsRepo, type SetupSessionsRepo } from './setup-sessions.js';
import { createSecretsRepo, type SecretsRepo } from './secrets.js';
import { createSettingsRepo, type SettingsRepo } from './settings.js';
import { createStatsRepo, type StatsRepo } from './stats.js';
import { createTakeoverStagingRepo, type TakeoverStagingRepo } from './takeover-staging.js';
import { createReportRepo, type ReportRepo } from './report.js';

export interface OpenStoreOptions {
  /** Open without writing: no file creation, no migration (an outdated schema is refused). */
  readonly?: boolean;
  /** Source of bookkeeping timestamps (created_at, received_at…). Default: the system clock. */
  clock?: Clock;
  /** How long to wait for another connection's write lock, in ms. Default 5000. */
  busyTimeoutMs?: number;
  /**
   * 'auto' (default): SQLite checkpoints the WAL inside the commit that fills it.
   * 'background': a worker thread does it (see checkpointer.ts); for the long-running daemon,
   * so no scheduler tick or webhook ack pays for a checkpoint's fsyncs.
   */
  checkpoint?: 'auto' | 'background';
  /** Background checkpoint period in ms. Default 250. */
  checkpointIntervalMs?: number;
}

export interface Store {
  readonly path: string;
  readonly readonly: boolean;
  /** The schema version of the open database. */
  readonly schemaVersion: number;
  readonly settings: SettingsRepo;
  readonly secrets: SecretsRepo;
  readonly accounts: AccountsRepo;
  readonly cases: CasesRepo;
  readonly attempts: AttemptsRepo;
  readonly events: EventsRepo;
  readonly decisions: DecisionsRepo;
  readonly cards: CardsRepo;
  readonly cursors: CursorsRepo;
  readonly stats: StatsRepo;
  /** Read-only aggregations for `recover report`. */
  readonly report: ReportRepo;
  readonly history: HistoryRepo;
  readonly jobs: JobsRepo;
  /** Result webhooks waiting for (or done with) delivery. */
  readonly outbox: OutboxRepo;
  readonly counters: CountersRepo;
  /** The Recovery API: bearer keys, idempotent requests, its cases' Stripe facts and the pulses. */
  readonly apiKeys: ApiKeysRepo;
  readonly apiRequests: ApiRequestsRepo;
  readonly apiRecoveries: ApiRecoveriesRepo;
  /** Card-update links (Checkout setup sessions) recover created, polled until complete or expired. */
  readonly setupSessions: SetupSessionsRepo;
  readonly meta: MetaRepo;
  /** `recover takeover`'s per-connection scratch table (TEMP: never written to the file). */
  readonly takeoverStaging: TakeoverStagingRepo;
  /**
   * Runs `fn` in one IMMEDIATE transaction (the write lock is taken up front, so a read-then-
   * write never fails on a concurrent writer); nested calls become savepoints. Commits if fn
   * returns, rolls back if it throws. fn must be synchronous.
   */
  tx<T>(fn: () => T): T;
  /** An online, consistent copy into a new owner-only (0600) file. */
  backup(dest: string): Promise<BackupResult>;
  close(): void;
}

export function openStore(path: string, opts: OpenStoreOptions = {}): Store {
  const readonly = opts.readonly ?? false;
  const clock = opts.clock ?? systemClock;
  const now = (): number => clock.now();
  if (!isMemoryPath(path)) secureFile(path, readonly);
  const db = openConnection(path, readonly, opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
  let version: number;
  try {
    if (readonly) {
      version = checkCompatible(db, path, MIGRATIONS);
      if (version < MIGRATIONS.length) {
        throw new ConfigError(
          `database ${path} is at schema ${version} and needs upgrading to ${MIGRATIONS.length}, which a read-only open cannot do`,
          'run a recover command that opens it for writing once, e.g. `recover takeover --dry-run` (it migrates the schema and changes nothing else)',
        );
      }
    } else {
      migrate(db, path, MIGRATIONS, now);
      version = MIGRATIONS.length;
    }
    let checkpointer: Checkpointer | undefined;
    if (opts.checkpoint === 'background' && !readonly && !isMemoryPath(path)) {
      db.pragma(`wal_autocheckpoint = ${SAFETY_AUTOCHECKPOINT_PAGES}`);
      checkpointer = startCheckpointer(
        path,
        opts.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
        opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
      );
    }
    return buildStore(db, path, readonly, version, now, checkpointer);
  } catch (e) {
    db.close();
    throw e;
  }
}

function buildStore(
  db: Db,
  path: string,
  readonly: boolean,
  schemaVersion: number,
  now: () => number,
  checkpointer: Checkpointer | undefined,
): Store {
  return {
    path,
    readonly,
    schemaVersion,
    settings: createSettingsRepo(db, path, now),
    secrets: createSecretsRepo(db, now),
    accounts: createAccountsRepo(db, now),
    cases: createCasesRepo(db, now),
    attempts: createAttemptsRepo(db, now),
    events: createEventsRepo(db, now),
    decisions: createDecisionsRepo(db),
    cards: createCardsRepo(db),
    cursors: createCursorsRepo(db, now),
    stats: createStatsRepo(db, now),
    report: createReportRepo(db),
    history: createHistoryRepo(db, now),
    jobs: createJobsRepo(db, now),
    outbox: createOutboxRepo(db),
    counters: createCountersRepo(db, now),
    apiKeys: createApiKeysRepo(db, now),
    apiRequests: createApiRequestsRepo(db),
    apiRecoveries: createApiRecoveriesRepo(db),
    setupSessions: createSetupSessionsRepo(db, now),
    meta: createMetaRepo(db, now),
    takeoverStaging: createTakeoverStagingRepo(db),
    tx<T>(fn: () => T): T {
      return db.transaction(() => {
        const result = fn();
        if (result instanceof Promise || (typeof result === 'object' && result !== null && 'then' in result)) {
          // Throwing here rolls back: an async fn would otherwise commit before it finished.
          throw new TypeError('store.tx: the function must be synchronous (it returned a promise)');
        }
        return result;
      }).immediate();
    },
    backup: (dest) => backupTo(db, dest),
    close() {
      checkpointer?.stop();
      if (db.open) db.close();
    },
  };
}

export { MIGRATIONS } from './migrations/index.js';
export type { Migration } from './migrations/index.js';
export { attemptIdempotencyKey } from './attempts.js';
export type { BackupResult } from './backup.js';
export { adoptInstallation, installation, type Installation } from './installation.js';
export * from './types.js';
export type { Account, AccountInput, AccountsRepo } from './accounts.js';
export type { ApiKey, ApiKeysRepo } from './api-keys.js';
export type { ApiRecovery, ApiRecoveriesRepo } from './api-recoveries.js';
export type { ApiRequestsRepo, StoredRequest } from './api-requests.js';
export type { Attempt, AttemptResult, AttemptsRepo, DeclineCodes, ObservedAttempt } from './attempts.js';
export type { Card, CardAttempt, CardAttemptCounts, CardFacts, CardsRepo } from './cards.js';
export type { Case, CaseFilter, CasePatch, CasesRepo, CaseUpsert, Page, SetStatusOptions } from './cases.js';
export type { Counter, CountersRepo, MetaRepo } from './counters.js';
export type { Cursor, CursorsRepo } from './cursors.js';
export type { Decision, DecisionsRepo, NewDecision } from './decisions.js';
export type { EventsRepo, InboxEvent, NewEvent, QueuedEvent } from './events.js';
export type { CustomerCharge, HistoryCharge, HistoryFilter, HistoryRepo, NewHistoryCharge } from './history.js';
export type { Job, JobsRepo, NewJob } from './jobs.js';
export type { SetupSession, SetupSessionPurpose, SetupSessionsRepo } from './setup-sessions.js';
export type { NewResultEvent, OutboxMessage, OutboxRepo, ResultEventType, Delivery } from './outbox.js';
export { RESULT_EVENT_TYPES } from './outbox.js';
export type { SecretInfo, SecretName, SecretsRepo } from './secrets.js';
export type { SettingsInput, SettingsRepo } from './settings.js';
export type { StatCounts, StatsRepo } from './stats.js';
export type { StagedDecline, StagedIntentInvoice, TakeoverStagingRepo } from './takeover-staging.js';
export type { CaseGroupRow, CaseOutcome, CardAttemptRow, HistoryBaselineRow, KeyedGroupRow, RecoveredCaseRow, ReportRepo, ReportWindow, RetryRow } from './report.js';
