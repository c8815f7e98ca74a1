// Lets the benchmarks use the test harness (TypeScript under test/support) instead of copies of
// it: the named files are transpiled (typescript's transpileModule, a dev dependency) into
// node_modules/.cache/rxflume-bench/, side by side, and imported from there. That folder is
// three levels below the project root, like test/support/kafka/, so modules that find the
// project root relative to themselves (the mock broker's C source and build cache) still do.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = join(ROOT, 'node_modules/.cache/rxflume-bench');

/** Transpiles `files` (paths under test/support, with their relative imports among them) and imports `entry`. */
export async function loadTestSupport(files, entry) {
  mkdirSync(OUT, { recursive: true });
  for (const file of files) {
    const source = readFileSync(join(ROOT, 'test/support', file), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(join(OUT, basename(file).replace(/\.ts$/, '.js')), outputText);
  }
  return import(pathToFileURL(join(OUT, basename(entry).replace(/\.ts$/, '.js'))).href);
}
