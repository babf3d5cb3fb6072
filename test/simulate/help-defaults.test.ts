/** `recover simulate --help` states each default, and they are the ones a run without the flags uses. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('simulate --help defaults', () => {
  it('names the defaults of --seed, --count, --days, --dunning-days, --warm as a run uses them', async () => {
    const help = (await runCli(['simulate', '--help'])).stdout.replace(/\s+/g, ' ');
    const def = (flag: string) => Number(new RegExp(`${flag} <\\w+> [^(]*\\(default (\\d+)`).exec(help)?.[1]);
    const r = await runCli(['--json', 'simulate', '--policy', 'fixed:3,5,7']);
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout);
    expect([run.seed, run.count, run.days, run.dunningDays, run.warmDays]).toEqual(
      ['--seed', '--count', '--days', '--dunning-days', '--warm'].map(def),
    );
  });
});
