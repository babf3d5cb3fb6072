import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SAFETY_AUTOCHECKPOINT_PAGES } from '../../src/db/checkpointer.js';
import { open, T0, tempDbPath } from './helpers.js';

/** Reads the WAL index in the -shm file: frames in the WAL (mxFrame) and frames already copied back (nBackfill). */
function walState(dbPath: string): { mxFrame: number; nBackfill: number } {
  const shm = fs.readFileSync(`${dbPath}-shm`);
  return { mxFrame: shm.readUInt32LE(16), nBackfill: shm.readUInt32LE(96) };
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

describe('background checkpoints', () => {
  it('a worker copies the WAL back into the database without any commit doing it', async () => {
    const p = tempDbPath();
    const store = open(p, { checkpoint: 'background', checkpointIntervalMs: 50 });
    const body = 'x'.repeat(4000);
    for (let i = 0; i < 300; i++) store.events.insertIfNew({ id: `evt_${i}`, type: 't', created: T0, raw: body });
    const written = walState(p).mxFrame;
    expect(written).toBeGreaterThan(300);
    expect(written).toBeLessThan(SAFETY_AUTOCHECKPOINT_PAGES); // below the safety net: no commit checkpointed
    expect(await until(() => walState(p).nBackfill >= written, 5000)).toBe(true);
    store.close();
    // Reopens fine, data intact, and a normal store still works on it.
    expect(open(p).events.count()).toBe(300);
  });

  it('close() stops the worker: many open/close cycles leave nothing behind', async () => {
    const p = tempDbPath();
    for (let i = 0; i < 5; i++) {
      const s = open(p, { checkpoint: 'background' });
      s.meta.set('k', String(i));
      s.close();
    }
    expect(open(p).meta.get('k')).toBe('4');
  });
});
