/**
 * `recover emulator` in a child process for the benchmarks (bin/recover, as a user runs it), so the
 * emulator's CPU and memory are not the bench's: started, asked for its request log, stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/recover', import.meta.url));

export interface EmulatorChild {
  url: string;
  proc: ChildProcess;
}

/** Starts `recover emulator --port 0 --allow-local-webhooks <args>`; resolves once it prints its URL. */
export function startEmulator(args: string[]): Promise<EmulatorChild> {
  const proc = spawn(process.execPath, [BIN, 'emulator', '--port', '0', '--allow-local-webhooks', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  return new Promise((resolve, reject) => {
    proc.on('exit', (code) => reject(new Error(`emulator exited (${code}) before it was ready:\n${text}`)));
    proc.stdout!.on('data', (c: Buffer) => {
      text += c.toString('utf8');
      const url = /listening on (\S+)/.exec(text)?.[1];
      if (url && text.includes('Press Ctrl-C')) resolve({ url, proc });
    });
  });
}

/** The emulator's count of API requests answered so far (its request log), by status. */
export async function requestCounts(emu: EmulatorChild): Promise<{ total: number; byStatus: Record<string, number> }> {
  const res = await fetch(`${emu.url}/_emulator/state?summary=1`);
  const state = (await res.json()) as { requests: { total: number; byStatus: Record<string, number> } };
  return state.requests;
}

export function stopEmulator(emu: EmulatorChild): Promise<void> {
  return new Promise((resolve) => {
    emu.proc.removeAllListeners('exit');
    emu.proc.on('exit', () => resolve());
    emu.proc.kill('SIGTERM');
  });
}
