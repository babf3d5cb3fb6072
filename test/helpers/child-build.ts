/**
 * Compiles the CLI for a child process on the fly: every file under src/ is transpiled (no type
 * check — `npm test` does that) with TypeScript's own transpileModule into a directory inside
 * node_modules/.cache, so `node <dir>/recover.mjs run …` is the real CLI and resolves the real
 * node_modules. Independent of `npm run build` and of dist/ being current.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import ts from 'typescript';

const ROOT = path.resolve(import.meta.dirname, '../..');

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Returns the path of an ESM entry point equivalent to bin/recover. */
export function buildChildCli(): string {
  return path.join(buildSources(), 'recover.mjs');
}

/** Path of one transpiled module for a child process, e.g. `childModule('src/db/index.js')`. */
export function childModule(relJs: string): string {
  return path.join(buildSources(), relJs);
}

/**
 * Transpiles all of src/ once per content hash. Test workers may race here: each builds in its
 * own temp dir and renames it into place; a rename onto an existing build fails and the loser
 * discards its copy, so a build in use is never removed.
 */
function buildSources(): string {
  const files = walk(path.join(ROOT, 'src')).sort();
  const hash = createHash('sha256');
  for (const f of files) hash.update(f).update(fs.readFileSync(f));
  hash.update(launcher());
  const out = path.join(ROOT, 'node_modules', '.cache', 'recover-test-cli', hash.digest('hex').slice(0, 16));
  const entry = path.join(out, 'recover.mjs');
  if (fs.existsSync(entry)) return out;
  const tmp = `${out}.tmp-${process.pid}`;
  for (const f of files) {
    const rel = path.relative(ROOT, f).replace(/\.ts$/, '.js');
    const { outputText } = ts.transpileModule(fs.readFileSync(f, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, esModuleInterop: true, resolveJsonModule: true },
      fileName: f,
    });
    fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
    fs.writeFileSync(path.join(tmp, rel), outputText);
  }
  fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ type: 'module' }));
  fs.writeFileSync(
    path.join(tmp, 'recover.mjs'),
    // bin/recover itself (exit codes, flushing, EPIPE), importing the transpiled sources instead of dist/.
    launcher(),
  );
  try {
    fs.renameSync(tmp, out);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(entry)) throw e;
    return out;
  }
  // Older builds (of older sources) are of no further use.
  for (const old of fs.readdirSync(path.dirname(out))) {
    if (old !== path.basename(out) && !old.includes('.tmp-')) fs.rmSync(path.join(path.dirname(out), old), { recursive: true, force: true });
  }
  return out;
}

function launcher(): string {
  const bin = fs.readFileSync(path.join(ROOT, 'bin/recover'), 'utf8').replace(/^#!.*\n/, '');
  if (!bin.includes("'../dist/src/main.js'")) throw new Error('bin/recover no longer imports ../dist/src/main.js');
  return bin.replace("'../dist/src/main.js'", "'./src/main.js'");
}
