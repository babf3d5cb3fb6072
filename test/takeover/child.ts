/**
 * The real CLI in a child process, so a test can SIGKILL it mid-run. Node 20 cannot import
 * TypeScript, so the sources reachable from src/main.ts are transpiled (no type check) into a
 * temp dir that links the repo's node_modules (the same trick as test/db/build-for-child.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Returns the path of a script that runs `main(process.argv)` like bin/recover. */
export function buildCliForChild(outDir: string): string {
  const queue = [path.join(ROOT, 'src/main.ts')];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = fs.readFileSync(file, 'utf8');
    for (const m of source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g)) queue.push(path.resolve(path.dirname(file), `${m[1]}.ts`));
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    const out = path.join(outDir, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, js);
  }
  fs.writeFileSync(path.join(outDir, 'package.json'), '{"type":"module"}');
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(outDir, 'node_modules'), 'dir');
  const runner = path.join(outDir, 'recover.js');
  fs.writeFileSync(runner, "import { main } from './src/main.js';\nmain(process.argv).then((code) => { process.exitCode = code; });\n");
  return runner;
}
