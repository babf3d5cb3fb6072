/**
 * Issue 15 §3 ("disk writable"): a full disk makes /healthz answer 503 naming `disk`.
 *
 * A full disk without root: RLIMIT_FSIZE on the daemon's process (prlimit(1), util-linux; lowering
 * a limit of one's own process needs no privilege). A write past the limit then fails with EFBIG
 * (Node ignores SIGXFSZ, see its PlatformInit) just as one past a full disk fails with ENOSPC:
 * SQLite can append nothing more to its WAL. Raising the limit again is the disk freed.
 * (SQLite's max_page_count would not do: it caps the main file, not the WAL that takes the writes.)
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildChildCli } from '../helpers/child-build.js';
import { emulator, tempDb } from '../helpers/env.js';
import { ChildDaemon } from '../daemon/child.js';
import { freePort, onboard } from '../daemon/helpers.js';

const PRLIMIT = '/usr/bin/prlimit';

async function healthz(url: string): Promise<{ status: number; disk?: { ok: boolean; detail: string } }> {
  const res = await fetch(`${url}/healthz`);
  const body = (await res.json()) as { checks: Array<{ name: string; ok: boolean; detail: string }> };
  return { status: res.status, disk: body.checks.find((c) => c.name === 'disk') };
}

/** Polls /healthz until `want` holds (the first probe may still fit in the WAL's allocated size). */
async function until(
  url: string,
  want: (h: Awaited<ReturnType<typeof healthz>>) => boolean,
): Promise<Awaited<ReturnType<typeof healthz>>> {
  let h = await healthz(url);
  for (let i = 0; i < 100 && !want(h); i++) {
    await new Promise((r) => setTimeout(r, 100));
    h = await healthz(url);
  }
  return h;
}

describe('a full disk', () => {
  let entry: string;
  beforeAll(() => {
    entry = buildChildCli();
  }, 120_000);

  it.skipIf(!existsSync(PRLIMIT))(
    'makes /healthz answer 503 naming disk, and 200 again once there is room',
    async () => {
      const emu = await emulator();
      const port = await freePort();
      const db = tempDb();
      await onboard(emu.url, db, port, ['--mode', 'shadow']);
      const child = new ChildDaemon(entry, [
        '--db',
        db,
        '--stripe-api-base',
        emu.url,
        '--log-format',
        'json',
        'run',
        '--port',
        String(port),
      ]);
      try {
        await child.next((l) => typeof l.msg === 'string' && l.msg.startsWith('recover run:'), 30_000);
        const url = `http://127.0.0.1:${port}`;
        expect(await healthz(url)).toMatchObject({ status: 200, disk: { ok: true } });
        // No file of this process may grow any more: the disk is full. (The soft limit only: raising
        // a hard limit again would need CAP_SYS_RESOURCE.)
        execFileSync(PRLIMIT, ['--pid', String(child.proc.pid), '--fsize=0:unlimited']);
        const full = await until(url, (h) => h.status === 503);
        expect(full).toMatchObject({
          status: 503,
          disk: { ok: false, detail: 'the database cannot be written (disk full or read-only?)' },
        });
        execFileSync(PRLIMIT, ['--pid', String(child.proc.pid), '--fsize=unlimited:unlimited']);
        expect(await until(url, (h) => h.status === 200)).toMatchObject({ status: 200, disk: { ok: true } });
      } finally {
        child.kill('SIGKILL');
        await child.exited;
      }
    },
  );
});
