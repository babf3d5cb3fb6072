#!/usr/bin/env node
// Lint step (issue 14 §5): every export of src/ is used by another file of src/, bench/ or test/.
// An export used nowhere else is dead code or should not be exported. Uses the TypeScript compiler
// already installed (no knip): every identifier of the program is resolved to the symbol it names,
// through imports and re-exports; an export no other file resolves to is reported.
// Entry points used from outside TypeScript (bin/recover imports dist/src/main.js) are listed below.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(import.meta.dirname, '..');
const ENTRY = new Map([['src/main.ts', new Set(['main', 'defaultIO', 'interruptedLine', 'INTERRUPTED_EXIT'])]]);
// The unused exports found when this step came in (issue 14), as "file: name". The list only
// shrinks: remove an entry when its export goes (or gets used); a new unused export fails.
const BASELINE = new Set(JSON.parse(fs.readFileSync(path.join(ROOT, 'unused-exports-baseline.json'), 'utf8')));

const parsed = ts.getParsedCommandLineOfConfigFile(
  path.join(ROOT, 'tsconfig.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  },
);
const program = ts.createProgram(parsed.fileNames, parsed.options);
const checker = program.getTypeChecker();
const ours = program.getSourceFiles().filter((f) => !f.isDeclarationFile && !f.fileName.includes('/node_modules/'));

const resolve = (s) => (s && s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
/** Symbols named from a file other than the one declaring them. */
const usedElsewhere = new Set();
for (const file of ours) {
  const visit = (node) => {
    // `export { x } from './y.js'` passes x on; it is not a use of x.
    if (ts.isExportDeclaration(node)) return;
    if (ts.isIdentifier(node)) {
      const s = resolve(checker.getSymbolAtLocation(node));
      if (s?.declarations?.some((d) => d.getSourceFile() !== file)) usedElsewhere.add(s);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
}

const unused = [];
const stillUnused = new Set();
for (const file of ours) {
  const rel = path.relative(ROOT, file.fileName);
  if (!rel.startsWith('src/')) continue;
  const moduleSymbol = checker.getSymbolAtLocation(file);
  if (!moduleSymbol) continue;
  for (const exp of checker.getExportsOfModule(moduleSymbol)) {
    const s = resolve(exp);
    // Re-exports are judged in the file that declares them.
    if (!s.declarations?.some((d) => d.getSourceFile() === file)) continue;
    if (usedElsewhere.has(s) || ENTRY.get(rel)?.has(exp.name)) continue;
    const key = `${rel}: ${exp.name}`;
    if (BASELINE.has(key)) {
      stillUnused.add(key);
      continue;
    }
    const line = file.getLineAndCharacterOfPosition(s.declarations[0].getStart()).line + 1;
    unused.push(`${rel}:${line}: ${exp.name}`);
  }
}
const gone = [...BASELINE].filter((k) => !stillUnused.has(k));
if (gone.length)
  console.error(`unused-exports-baseline.json: used now or removed, take off the list:\n  ${gone.join('\n  ')}`);
if (unused.length) {
  console.error(`unused exports (used by no other file; remove them or drop the export):\n  ${unused.join('\n  ')}`);
  process.exit(1);
}
