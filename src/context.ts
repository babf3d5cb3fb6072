/**
 * The context every command receives: `{ db, stripe, clock, logger, out, prompts }`.
 * The database and the Stripe gateway are opened on first use, so commands that need neither
 * (emulator, simulate) never create a database file or ask for a key.
 */
import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { clockNote, noticedClock, systemClock, type Clock } from './clock.js';
import { assertDbExists, isMemoryPath } from './db-path.js';
import { createLogger, type LogFormat, type Logger } from './log.js';
import { Output } from './ui/output.js';
import { inquirerPrompts, noPrompts, type Prompts } from './ui/prompts.js';
import { openStore, type OpenStoreOptions, type Store } from './db/index.js';
import type { StripeGateway } from './stripe/index.js';
import { savedGateway, type GatewayHooks } from './composition.js';

export interface GlobalOptions {
  db: string;
  json: boolean;
  logLevel: (typeof import('./log-levels.js').LOG_LEVELS)[number];
  logFormat: LogFormat;
  stripeApiBase?: string;
}

export interface CliIO {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  stdinIsTTY: boolean;
  /** Set by a command that completed but wants a non-zero exit without throwing. */
  exitCode?: number;
  /** What Ctrl-C leaves behind, for the one line printed then (default "nothing was changed"). */
  interruptNote?: string;
  /** Set while a long command runs (run, takeover, emulator, demo): src/signals.ts stops it, not bin/recover. */
  handlesSigint?: boolean;
  /** The signal that stopped a long command (set by src/signals.ts): an error after it exits 128 + n. */
  stoppedBy?: import('./signals.js').StopSignalName;
  /** Test seams: scripted prompts, a fake clock, a logger writing to a buffer. */
  overrides?: ContextOverrides;
}

export interface Context {
  readonly globals: GlobalOptions;
  readonly io: CliIO;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly out: Output;
  readonly prompts: Prompts;
  /** Aborted by the first SIGINT/SIGTERM of a long command (src/signals.ts); never for the others. */
  readonly signal: AbortSignal;
  /** Opened (and migrated) on first access. */
  readonly db: Store;
  /**
   * Opened read-only on first access, for commands that only read: a missing database is exit 2
   * naming `onboard` (never created), and nothing is migrated.
   */
  readonly readDb: Store;
  /** `--stripe-api-base` if given, else the one saved at onboarding (so printed "Next:" commands work). */
  readonly apiBase: string | undefined;
  /** Built on first access from the keys saved by `recover onboard stripe`. */
  readonly stripe: StripeGateway;
  /** A gateway of its own from the saved keys, with its owner's hooks (the daemon's metrics and stop). */
  gateway(hooks: GatewayHooks): StripeGateway;
  /**
   * `db`, opened with its owner's options (the daemon: its clock, background checkpoints); only
   * before `db` was first used.
   */
  openDb(o: Pick<OpenStoreOptions, 'clock' | 'checkpoint'>): Store;
  /** close() leaves `db` open: calls still in flight after a stop's grace write to it until the exit. */
  leaveOpen(): void;
  close(): Promise<void>;
}

export interface ContextOverrides {
  clock?: Clock;
  prompts?: Prompts;
  logger?: Logger;
  db?: Store;
  stripe?: StripeGateway;
  signal?: AbortSignal;
}

export function createContext(globals: GlobalOptions, io: CliIO, overrides: ContextOverrides = io.overrides ?? {}): Context {
  let db: Store | undefined = overrides.db;
  let readDb: Store | undefined = overrides.db;
  let stripe: StripeGateway | undefined = overrides.stripe;
  let ownsDb = !overrides.db;
  const logger = overrides.logger ?? createLogger({ level: globals.logLevel, format: globals.logFormat, destination: io.stderr });
  const ctx: Context = {
    globals,
    io,
    // Against an emulator (whose clock may be moved), say once which clock dated the work.
    clock: overrides.clock ?? (globals.stripeApiBase
      ? noticedClock(systemClock, (t) => io.stderr.write(clockNote('system', t, globals.stripeApiBase!)))
      : systemClock),
    logger,
    out: new Output({ json: globals.json, stdout: io.stdout, stderr: io.stderr, env: io.env }),
    prompts: overrides.prompts ?? (io.stdinIsTTY && !io.env.CI ? inquirerPrompts() : noPrompts()),
    signal: overrides.signal ?? new AbortController().signal,
    get db() {
      // Bookkeeping times (created_at, ended_at…) on the same clock as the command's business
      // times: a simulated run (demo, tests) must not mix the wall clock into its timeline.
      db ??= openStore(globals.db, { clock: overrides.clock ?? systemClock });
      return db;
    },
    get readDb() {
      if (db) return db;
      if (!readDb) {
        assertDbExists(globals.db);
        readDb = openStore(globals.db, { readonly: true });
      }
      return readDb;
    },
    get apiBase() {
      if (globals.stripeApiBase) return globals.stripeApiBase;
      const store = db ?? readDb ?? (isMemoryPath(globals.db) || existsSync(globals.db) ? ctx.readDb : undefined);
      return store?.settings.get()?.stripeApiBase;
    },
    get stripe() {
      stripe ??= ctx.gateway({});
      return stripe;
    },
    gateway(hooks) {
      if (overrides.stripe) return overrides.stripe;
      return savedGateway(ctx.db, { apiBase: ctx.apiBase, logger: ctx.logger, ...hooks });
    },
    openDb(o) {
      if (db) throw new Error('the store is already open: openDb() comes before the first use of ctx.db');
      db = openStore(globals.db, { clock: overrides.clock ?? systemClock, ...o });
      return db;
    },
    leaveOpen() {
      ownsDb = false;
    },
    async close() {
      if (ownsDb) {
        db?.close();
        readDb?.close();
      }
    },
  };
  return ctx;
}
