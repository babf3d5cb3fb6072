/**
 * Runs the CLI and turns its outcome into an exit code: 0 success, 1 a failure of the work,
 * 2 bad usage or configuration. `bin/recover` is the only caller that sets process.exitCode.
 */
import { CommanderError } from 'commander';
import { buildProgram, type CliIO } from './cli.js';
import { ConfigError, RecoverError, WorkError } from './errors.js';
import { redactText } from './redact.js';
import { signalExitCode } from './signals.js';

export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return io.exitCode ?? 0;
  } catch (err) {
    const db = program.opts<{ db?: string }>().db ?? 'the database';
    const code = reportError(databaseError(err, db) ?? err, io, argv.includes('--json'));
    // A long command stopped by a signal (takeover) reports what it kept, then 128 + n.
    return io.stoppedBy ? signalExitCode(io.stoppedBy) : code;
  }
}

/** Exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const INTERRUPTED_EXIT = 130;

/** The one line printed on Ctrl-C: what was kept, or that nothing was changed. */
export function interruptedLine(io: CliIO): string {
  return `recover: interrupted; ${io.interruptNote ?? 'nothing was changed'}\n`;
}

export function defaultIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, stdinIsTTY: Boolean(process.stdin.isTTY) };
}

function reportError(err: unknown, io: CliIO, json: boolean): number {
  if (err instanceof CommanderError) {
    // Help and --version end with exit 0; commander already printed the message otherwise.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return 2;
  }
  // Ctrl-C at a prompt: @inquirer/prompts rejects with ExitPromptError (raw mode sees no SIGINT).
  if (err instanceof Error && err.name === 'ExitPromptError') {
    io.stderr.write('\n' + interruptedLine(io));
    return INTERRUPTED_EXIT;
  }
  if (err instanceof RecoverError) {
    const message = redactText(err.message);
    if (json) io.stdout.write(JSON.stringify({ error: { type: err.name, message, exitCode: err.exitCode } }) + '\n');
    io.stderr.write(`recover: ${message}\n`);
    if (err.hint) io.stderr.write(`  next: ${redactText(err.hint)}\n`);
    return err.exitCode;
  }
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  io.stderr.write(`recover: unexpected error: ${redactText(text)}\n`);
  return 1;
}

/**
 * SQLite's own failures as one line naming the file, instead of a stack trace (better-sqlite3's
 * SqliteError, matched by its code so this file loads no SQLite): a damaged file is exit 2 (the
 * --db value is unusable), a full disk or an I/O error exit 1 (the work failed).
 */
function databaseError(err: unknown, db: string): RecoverError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (!(err instanceof Error) || err.name !== 'SqliteError' || typeof code !== 'string') return undefined;
  const what = `${err.message} (${code})`;
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new ConfigError(`the database ${db} is damaged: ${what}`,
      'restore the latest copy made by recover backup, or pass --db <path> of a healthy one');
  }
  if (code.startsWith('SQLITE_FULL')) {
    return new WorkError(`the database ${db} cannot grow: ${what}`, 'free disk space, then run it again');
  }
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')) {
    return new WorkError(`the database ${db} cannot be read or written: ${what}`,
      'check the file, its directory and their permissions');
  }
  return undefined;
}
