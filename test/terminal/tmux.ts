/**
 * Drives the real CLI in a real terminal: a tmux pane of a fixed size (80×40 by default) on a
 * private tmux server (`-L`, so the tests never touch anyone's sessions), keys typed with
 * send-keys, the screen read with capture-pane. Waits poll the screen until the text appears or a
 * timeout passes — never a fixed sleep — so a busy machine only makes a test slower, not flaky.
 *
 * The CLI is bin/recover itself (its SIGINT handler and exit code), as the child-build helper
 * builds it over the transpiled sources instead of dist/, so the test never runs a stale build.
 */
import { execFileSync } from 'node:child_process';
import { afterEach } from 'vitest';
import { buildChildCli } from '../helpers/child-build.js';

const SOCKET = `recover-test-${process.pid}`;
const live: string[] = [];
let seq = 0;

afterEach(() => {
  while (live.length) {
    const name = live.pop()!;
    try {
      tmux('kill-session', '-t', name);
    } catch {
      // already gone
    }
  }
});

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
}

export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface Pane {
  /** The visible screen, lines wrapped by the terminal joined again (-J), for matching text. */
  screen(): string;
  /** The screen as displayed, one row per line: for width checks. */
  rows(): string[];
  /** Resolves with the screen once `what` is on it; rejects with the screen after `timeoutMs`. */
  waitFor(what: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Types text literally (no key names). */
  type(text: string): void;
  /** Sends key names: Enter, C-c, Down, BSpace… */
  keys(...names: string[]): void;
  /** Waits for the command to end; its exit code. */
  exitCode(timeoutMs?: number): Promise<number>;
}

/** Starts `recover <args>` in a new pane; env is added to a minimal environment (NO_COLOR on). */
export function startRecover(args: string[], o: { env?: Record<string, string>; width?: number; height?: number } = {}): Pane {
  const name = `t${++seq}`;
  const env = { NO_COLOR: '1', TERM: 'xterm-256color', PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...o.env };
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`).join(' ');
  // The exit code is printed after the command so the test can read it off the screen. The shell
  // traps SIGINT (a handler, reset to the default in the child at exec) so a Ctrl-C reaches the
  // CLI and the shell survives to print the code.
  const cmd = `trap : INT; env -i ${envArgs} ${quote(process.execPath)} ${quote(buildChildCli())} ${args.map(quote).join(' ')}; echo "[exit $?]"; sleep 3600`;
  tmux('new-session', '-d', '-s', name, '-x', String(o.width ?? 80), '-y', String(o.height ?? 40), 'sh', '-c', cmd);
  live.push(name);
  const screen = () => tmux('capture-pane', '-p', '-J', '-t', name).replace(/\s+$/, '');
  const pane: Pane = {
    screen,
    rows: () => tmux('capture-pane', '-p', '-t', name).replace(/\s+$/, '').split('\n'),
    async waitFor(what, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const s = screen();
        // Prompts wrap long lines at word boundaries themselves: match across line breaks.
        const flat = s.replace(/\s+/g, ' ');
        if (typeof what === 'string' ? flat.includes(what.replace(/\s+/g, ' ')) : what.test(s)) return s;
        if (Date.now() > until) throw new Error(`timed out waiting for ${String(what)}; screen:\n${s}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    type: (text) => void tmux('send-keys', '-t', name, '-l', text),
    keys: (...names) => void tmux('send-keys', '-t', name, ...names),
    async exitCode(timeoutMs) {
      const s = await pane.waitFor(/\[exit \d+\]/, timeoutMs);
      return Number(/\[exit (\d+)\]/.exec(s)![1]);
    },
  };
  return pane;
}
