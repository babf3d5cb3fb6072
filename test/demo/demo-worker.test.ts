/**
 * `recover demo` as bin/recover runs it, from compiled JavaScript: there the emulator runs in a
 * worker thread (src/commands/demo-emulator.ts), which the in-process tests (sources as .ts) do
 * not reach. The daemon must still receive the emulator's signed webhooks and see its clock move.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildChildCli } from '../helpers/child-build.js';
import { tempDir } from '../helpers/env.js';

let entry: string;
beforeAll(() => {
  entry = buildChildCli();
}, 120_000);

describe('recover demo with the emulator in a worker thread', () => {
  it('takes over, receives renewals by webhook over the days and reports', async () => {
    const dir = tempDir();
    const html = join(dir, 'demo-report.html');
    const args = ['demo', '--customers', '200', '--days', '6', '--seed', '2', '--html', html];
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [entry, ...args], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(stderr).toMatch(/Took over [1-9]\d* failed invoices/);
    expect(stderr).toContain('day  6/6');
    // Cases opened by webhook: the worker's webhooks reached the daemon as the clock moved.
    const opened = /(\d+) opened by webhook/.exec(stderr);
    expect(Number(opened?.[1])).toBeGreaterThan(0);
    expect(Number(/Simulated 6 days: (\d+) invoices recovered/.exec(stderr)?.[1])).toBeGreaterThan(0);
    expect(stdout).toContain('recover report');
  }, 180_000);
});
