/** A `recover run` child process whose JSON log lines are the events the test waits on. */
import { spawn, type ChildProcess } from 'node:child_process';

export type LogLine = Record<string, unknown> & { msg?: string };

export class ChildDaemon {
  readonly proc: ChildProcess;
  readonly lines: LogLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive = true;
  private waiters: Array<{ test: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  private stderrTail = '';

  constructor(entry: string, args: string[]) {
    this.proc = spawn(process.execPath, [entry, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let buf = '';
    this.proc.stderr!.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const raw = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let line: LogLine;
        try {
          line = JSON.parse(raw) as LogLine;
        } catch {
          this.stderrTail = (this.stderrTail + raw + '\n').slice(-4000);
          continue;
        }
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => {
          if (!w.test(line)) return true;
          w.resolve(line);
          return false;
        });
      }
    });
    this.proc.stdout!.resume();
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        this.alive = false;
        resolve({ code, signal });
      });
    });
  }

  /** The next log line (from now on) matching `test`; rejects if the process exits first or after timeoutMs. */
  next(test: (l: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${this.stderrTail}`)),
        timeoutMs,
      );
      const done = (l: LogLine) => {
        clearTimeout(timer);
        resolve(l);
      };
      this.waiters.push({ test, resolve: done });
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`child exited (code ${code}, signal ${signal}) while waiting; stderr: ${this.stderrTail}`));
      });
    });
  }

  /** Resolves after `n` more log lines. */
  afterLines(n: number): Promise<void> {
    let seen = 0;
    return this.next(() => ++seen >= n, 60_000).then(
      () => undefined,
      () => undefined,
    );
  }

  kill(signal: NodeJS.Signals): void {
    if (this.alive) this.proc.kill(signal);
  }
}

export interface ChildRunOptions {
  db: string;
  apiBase: string;
  port: number;
  /** Global --log-level (default: the CLI's). */
  logLevel?: string;
  /** More `run` flags; `--clock emulator` unless `systemClock`. */
  runArgs?: string[];
  systemClock?: boolean;
  timeoutMs?: number;
}

/** Starts `recover run` (JSON logs) in a child process; resolves once it says it is serving. */
export async function startChildRun(entry: string, o: ChildRunOptions): Promise<ChildDaemon> {
  const global = [
    '--db',
    o.db,
    '--stripe-api-base',
    o.apiBase,
    '--log-format',
    'json',
    ...(o.logLevel ? ['--log-level', o.logLevel] : []),
  ];
  const clock = o.systemClock ? [] : ['--clock', 'emulator'];
  const child = new ChildDaemon(entry, [...global, 'run', ...clock, '--port', String(o.port), ...(o.runArgs ?? [])]);
  await child.next((l) => typeof l.msg === 'string' && l.msg.startsWith('recover run:'), o.timeoutMs ?? 20_000);
  return child;
}
