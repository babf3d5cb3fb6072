/**
 * All user-facing output goes through here: chalk for colour (off with NO_COLOR or when the
 * stream is not a TTY), cli-table3 for tables, ora for spinners (off when not a TTY or with
 * --json). Every string written is passed through `redactText`, so a key that slips into a
 * message is still never printed.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import ora, { type Ora } from 'ora';
import type { Writable } from 'node:stream';
import { redactText, redactValue } from '../redact.js';

export interface Spinner {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

export interface OutputOptions {
  json?: boolean;
  stdout?: Writable & { isTTY?: boolean };
  stderr?: Writable & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
}

export type Cell = string | number | null | undefined;

export class Output {
  readonly json: boolean;
  readonly color: ChalkInstance;
  private readonly stdout: Writable & { isTTY?: boolean };
  private readonly stderr: Writable & { isTTY?: boolean };
  private readonly interactive: boolean;

  constructor(opts: OutputOptions = {}) {
    const env = opts.env ?? process.env;
    this.json = opts.json ?? false;
    this.stdout = opts.stdout ?? process.stdout;
    this.stderr = opts.stderr ?? process.stderr;
    this.interactive = Boolean(this.stderr.isTTY) && !this.json && !env.CI;
    const noColor = 'NO_COLOR' in env || !this.stdout.isTTY;
    this.color = new Chalk({ level: noColor ? 0 : 1 });
  }

  /** A line of the command's result on stdout (suppressed under --json: JSON is the result). */
  line(text = ''): void {
    if (this.json) return;
    this.stdout.write(redactText(text) + '\n');
  }

  /** Progress and notes for the human on stderr; never part of the result. */
  note(text: string): void {
    if (this.json) return;
    this.stderr.write(redactText(text) + '\n');
  }

  warn(text: string): void {
    this.stderr.write(this.color.yellow('warning: ') + redactText(text) + '\n');
  }

  error(text: string): void {
    this.stderr.write(this.color.red('recover: ') + redactText(text) + '\n');
  }

  /** The machine-readable result (only under --json); redacted deeply. */
  result(value: unknown): void {
    if (!this.json) return;
    this.stdout.write(JSON.stringify(redactValue(value), null, 2) + '\n');
  }

  /** Renders a table (as text) and prints it with `line`. */
  table(head: string[], rows: Cell[][], opts: { title?: string } = {}): void {
    if (this.json) return;
    if (opts.title) this.line(this.color.bold(opts.title));
    this.line(renderTable(head, rows, this.color));
  }

  spinner(text: string): Spinner {
    if (!this.interactive) {
      return { update: () => {}, succeed: (t) => t && this.note(t), fail: (t) => t && this.note(t), stop: () => {} };
    }
    const s: Ora = ora({ text: redactText(text), stream: this.stderr }).start();
    return {
      update: (t) => void (s.text = redactText(t)),
      succeed: (t) => void s.succeed(t && redactText(t)),
      fail: (t) => void s.fail(t && redactText(t)),
      stop: () => void s.stop(),
    };
  }
}

export function renderTable(head: string[], rows: Cell[][], color?: ChalkInstance): string {
  const styled = color && color.level > 0;
  const table = new Table({
    head: head.map((h) => (styled ? color!.bold(h) : h)),
    style: { head: [], border: styled ? ['grey'] : [] },
    // No rule between body rows: long reports stay readable in a terminal.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) table.push(row.map((c) => (c === null || c === undefined ? '' : String(c))));
  return table.toString();
}
