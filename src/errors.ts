/**
 * Typed errors. Every error a user can cause or meet carries its exit code and, where one
 * exists, the next command to run. Only `bin/recover` turns these into a process exit code
 * (via `main()`); everything else throws.
 */
export abstract class RecoverError extends Error {
  abstract readonly exitCode: 1 | 2;
  /** A short "what to do next", printed on its own line after the message. */
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** Bad flag, bad argument, unknown command: exit 2. */
export class UsageError extends RecoverError {
  readonly exitCode = 2 as const;
}

/** Missing or malformed configuration (settings, secrets, database version): exit 2. */
export class ConfigError extends RecoverError {
  readonly exitCode = 2 as const;
}

/** Stripe refused us: wrong key, missing permission, unreachable: exit 1. */
export class StripeAccessError extends RecoverError {
  readonly exitCode = 1 as const;
}

/** The work itself failed (e.g. a probe found missing permissions): exit 1. */
export class WorkError extends RecoverError {
  readonly exitCode = 1 as const;
}

/** Something named by the user does not exist (unknown invoice, account): exit 1. */
export class NotFoundError extends RecoverError {
  readonly exitCode = 1 as const;
}

/** Helper for the common "bad value: what is accepted" usage message. */
export function badValue(flag: string, value: unknown, accepted: string): UsageError {
  return new UsageError(`invalid value for ${flag}: ${JSON.stringify(value)} (accepted: ${accepted})`);
}
