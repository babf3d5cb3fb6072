/**
 * All user-facing output goes through here: chalk for colour (off with NO_COLOR or when the
 * stream is not a TTY), cli-table3 for tables, ora for spinners (off when not a TTY or with
 * --json). Every string written is passed through `redactText`, so a key that slips into a
 * message is still never printed.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { Ora } from 'ora';
import type { Writable } from 'node:stream';
import { redactText, redactValue } from '../redact.js';

interface Spinner {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
  /** Resolves once the spinner is drawn (ora is loaded on first use): await it before blocking the event loop. */
  ready: Promise<void>;
}

interface OutputOptions {
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

  /**
   * A whole document as the result on stdout (a CSV, a completion script), exactly as given but
   * redacted; written under --json too (the command refuses a mix that would garble its JSON).
   */
  document(text: string): void {
    this.stdout.write(redactText(text));
  }

  /**
   * A credential created now and shown this once (a new API key, a signing secret), unredacted, on
   * stdout: the one deliberate exception to redaction, so it lives here and nowhere else. Under
   * --json the caller puts it into its result object with `rawJson` instead.
   */
  shownOnce(label: string, value: string): void {
    this.stdout.write(label ? `${label}: ${value}\n` : `${value}\n`);
  }

  /** A JSON result that carries a credential shown once (see shownOnce): written unredacted. */
  rawJson(value: unknown): void {
    this.stdout.write(JSON.stringify(value, null, 2) + '\n');
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

  /**
   * A result too large to hold in memory (takeover's plan of every invoice), written as it is
   * produced: `{"<key>": [` first, then one element per `item`, then `close` ends the array and
   * writes the other fields. Redacted like `result`. Only under --json (a no-op otherwise).
   */
  resultStream(key: string): { item(value: unknown): void; close(rest: Record<string, unknown>): void } {
    let n = 0;
    const write = (text: string) => this.json && this.stdout.write(text);
    write(`{\n  ${JSON.stringify(key)}: [`);
    return {
      item: (value) => write(`${n++ ? ',' : ''}\n    ${JSON.stringify(redactValue(value))}`),
      close: (rest) => {
        const tail = JSON.stringify(redactValue(rest), null, 2).slice(1); // without its opening brace
        write(`${n ? '\n  ' : ''}]${tail === '}' ? '\n}' : `,${tail}`}\n`);
      },
    };
  }

  /** Terminal width in columns; 80 when stdout is not a terminal (piped, a file). */
  get columns(): number {
    const c = (this.stdout as { columns?: number }).columns;
    return this.stdout.isTTY && c && c > 20 ? c : 80;
  }

  /** Renders a table fitted to the terminal width (long cells wrapped) and prints it with `line`. */
  table(head: string[], rows: Cell[][], opts: { title?: string; whole?: number[] } = {}): void {
    if (this.json) return;
    if (opts.title) this.line(this.color.bold(opts.title));
    this.line(renderTable(head, rows, this.color, this.columns, opts.whole));
  }

  spinner(text: string): Spinner {
    if (!this.interactive) {
      const note = (t?: string) => void (t && this.note(t));
      return { update: () => {}, succeed: note, fail: note, stop: () => {}, ready: Promise.resolve() };
    }
    // ora is imported on the first spinner only (about 35 ms of start-up otherwise); until it is
    // loaded, updates are kept and the final line is printed plainly.
    let s: Ora | undefined;
    let current = redactText(text);
    let done = false;
    const ready = import('ora').then(({ default: ora }) => {
      // discardStdin off: ora's stdin discarder puts the terminal in raw mode, and a Ctrl-C typed
      // while one spinner stops and the next starts was lost (the command did not stop).
      if (!done) s = ora({ text: current, stream: this.stderr, discardStdin: false }).start();
    });
    const end = (how: 'succeed' | 'fail' | 'stop', t?: string) => {
      done = true;
      if (s) s[how](t && redactText(t));
      else if (t) this.note(t);
    };
    return {
      update: (t) => {
        current = redactText(t);
        if (s) {
          s.text = current;
          s.render(); // at once: the caller may be about to block the event loop (simulate)
        }
      },
      succeed: (t) => end('succeed', t),
      fail: (t) => end('fail', t),
      stop: () => end('stop'),
      ready,
    };
  }
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const visible = (s: string) => [...s.replace(ANSI, '')].length;
/** A column is never narrowed below this many characters (content plus its two padding spaces). */
const MIN_COL = 8;

/**
 * Column widths that fit `width` characters. Columns are first narrowed down to their longest
 * word (ids, URLs and numbers stay whole; text wraps between words), the one with the most room
 * above that first; only if the table still does not fit are words cut (the widest column first,
 * never below MIN_COL). Undefined when the table fits as it is.
 */
/** `whole`: columns never narrowed below their natural width (ids the user copies into the next command). */
function fitColumns(cells: string[][], width: number, whole: readonly number[] = []): number[] | undefined {
  const n = Math.max(...cells.map((r) => r.length));
  const col = (i: number) => cells.map((r) => r[i] ?? '');
  const widest = (i: number, split: RegExp) => Math.max(0, ...col(i).flatMap((c) => c.split(split)).map(visible));
  const natural = Array.from({ length: n }, (_, i) => Math.max(1, widest(i, /\n/)) + 2);
  const total = (w: number[]) => w.reduce((a, b) => a + b, 0) + n + 1; // n + 1 border characters
  if (total(natural) <= width) return undefined;
  const longestWord = (i: number) => widest(i, /\s+/) + 2;
  // A word wider than a third of the terminal (a long URL) may be cut rather than keep its column wide.
  const floor = natural.map((w, i) =>
    whole.includes(i) ? w : Math.min(w, Math.max(MIN_COL, Math.min(longestWord(i), Math.floor(width / 3)))),
  );
  const w = [...natural];
  while (total(w) > width) {
    const slack = w.map((x, i) => x - floor[i]!);
    let i = slack.indexOf(Math.max(...slack));
    if (slack[i]! <= 0) {
      // Out of slack: narrow the widest column, whole ones last (only when the rest are at their minimum).
      const cut = w.map((x, j) => (whole.includes(j) && w.some((y, k) => !whole.includes(k) && y > MIN_COL) ? 0 : x));
      i = cut.indexOf(Math.max(...cut));
    }
    if (w[i]! <= MIN_COL) break;
    w[i]!--;
  }
  return w;
}

export function renderTable(
  head: string[], rows: Cell[][], color?: ChalkInstance, width = 80, whole: readonly number[] = [],
): string {
  const styled = color && color.level > 0;
  const body = rows.map((row) => row.map((c) => (c === null || c === undefined ? '' : String(c))));
  const colWidths = fitColumns([head, ...body], width, whole);
  const table = new Table({
    // All-empty headings (a key/value table): no heading row at all.
    head: head.every((h) => !h) ? [] : head.map((h) => (styled ? color!.bold(h) : h)),
    style: { head: [], border: styled ? ['grey'] : [] },
    // No rule between body rows: long reports stay readable in a terminal.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    // Too wide for the terminal: wrap long cells (at spaces where possible); --json has them whole.
    ...(colWidths ? { colWidths, wordWrap: true, wrapOnWordBoundary: true } : {}),
  });
  for (const row of body) table.push(row);
  return table.toString();
}
