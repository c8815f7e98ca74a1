// Benchmark: a pilot status day through spooldir → seed interceptors → parse/validate → HDFS sink
// writing Avro container files over WebHDFS to the test emulator (test/support/webhdfs), next to
// the same pipeline on the local backend and a plain read + split of the same file, all measured
// in the same run. The emulator is TypeScript: it is transpiled (typescript's transpileModule,
// a dev dependency) into a temp folder and imported from there.
//
// For bench/run.mjs:
//   import { webhdfsBench } from './webhdfs.mjs';
//   const rows = await webhdfsBench({ work, file: day.file, lines: day.lines, runs });
// rows: [{ name, lines, seconds, linesPerSecond }] for the baseline, the local backend and WebHDFS.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { baselineReadSplit, spoolRun, statusPipelineConfig } from './spool-to-hdfs.mjs';

const SUPPORT = new URL('../test/support/webhdfs/', import.meta.url);

/** Transpiles the emulator into `dir` and imports it. */
async function loadEmulator(dir) {
  mkdirSync(dir, { recursive: true });
  for (const name of ['namespace', 'emulator']) {
    const source = readFileSync(new URL(`${name}.ts`, SUPPORT), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(join(dir, `${name}.js`), outputText);
  }
  return (await import(pathToFileURL(join(dir, 'emulator.js')).href)).WebHdfsEmulator;
}

async function best(runs, fn) {
  let result;
  for (let i = 0; i < runs; i++) {
    const r = await fn();
    if (!result || r.seconds < result.seconds) result = r;
  }
  return result;
}

export async function webhdfsBench({ work, file, lines, runs = 3 }) {
  const WebHdfsEmulator = await loadEmulator(join(work, 'emulator-js'));
  const baseline = await best(runs, () => baselineReadSplit(file));
  const avro = (dir, sink) => statusPipelineConfig(dir, { format: 'avro', sink });
  const localDir = join(work, 'local');
  const local = await best(runs, () => spoolRun(localDir, avro(localDir, `root: ${join(localDir, 'hdfs')}`), file, lines));
  const remote = await best(runs, async () => {
    const emulator = await WebHdfsEmulator.start(join(work, 'namespace'));
    try {
      const dir = join(work, 'webhdfs');
      return await spoolRun(dir, avro(dir, `url: ${emulator.url()}`), file, lines);
    } finally {
      await emulator.stop();
      rmSync(join(work, 'namespace'), { recursive: true, force: true });
    }
  });
  const row = (name, r) => ({ name, lines: r.lines, seconds: r.seconds, linesPerSecond: r.lines / r.seconds });
  return [
    row('plain read + split of the file (baseline)', baseline),
    row('spooldir → HDFS sink, Avro (deflate), local backend', local),
    row('spooldir → HDFS sink, Avro (deflate), WebHDFS emulator', remote),
  ];
}

// `node bench/webhdfs.mjs` (after `npm run build`) runs it alone on one status day.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { makeStatusDay } = await import('./spool-to-hdfs.mjs');
  const work = mkdtempSync(join(tmpdir(), 'rxflume-bench-webhdfs-'));
  try {
    const day = makeStatusDay(work, Number(process.env.BENCH_CARS ?? 100));
    const rows = await webhdfsBench({ work, file: day.file, lines: day.lines, runs: Number(process.env.BENCH_RUNS ?? 1) });
    for (const r of rows)
      console.log(`${r.name}: ${Math.round(r.linesPerSecond).toLocaleString('en-US')} lines/s (${r.seconds.toFixed(2)} s)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
