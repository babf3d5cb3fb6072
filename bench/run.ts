/**
 * `npm run bench`: runs each benchmark in its own child process (so its peak RSS is its own)
 * and prints the figures. Never part of `npm test`.
 *   npm run bench                 all benchmarks
 *   npm run bench -- emulator db  only those
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BENCHES } from './registry.js';

type Figures = Record<string, number | string>;

async function runOne(name: string): Promise<void> {
  const bench = BENCHES[name];
  if (!bench) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}`);
  const figures: Figures = await bench();
  figures['peak RSS (MiB)'] = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(JSON.stringify(figures) + '\n');
}

function format(v: number | string): string {
  if (typeof v !== 'number') return v;
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(v < 10 ? 3 : 1);
}

async function runAll(names: string[]): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  for (const name of names) {
    process.stdout.write(`\n== ${name}\n`);
    const started = Date.now();
    const raw = execFileSync(process.execPath, ['--expose-gc', self, '--child', name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    });
    const figures = JSON.parse(raw.trim().split('\n').pop()!) as Figures;
    const width = Math.max(...Object.keys(figures).map((k) => k.length));
    for (const [k, v] of Object.entries(figures)) process.stdout.write(`  ${k.padEnd(width)}  ${format(v)}\n`);
    process.stdout.write(`  ${'wall time (s)'.padEnd(width)}  ${((Date.now() - started) / 1000).toFixed(1)}\n`);
  }
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  await runOne(args[1]);
} else {
  await runAll(args.length ? args : Object.keys(BENCHES));
}
