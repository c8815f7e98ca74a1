// Benchmark: a pilot status day through spooldir → seed interceptors → parse/validate → HDFS sink
// writing Avro container files over WebHDFS to the test emulator (test/support/webhdfs, loaded by
// bench/test-support.mjs). bench/run.mjs puts it next to the local-backend Avro case and the
// plain read + split measured in the same run:
//   import { webhdfsBench } from './webhdfs.mjs';
//   const row = await webhdfsBench({ work, file: day.file, lines: day.lines, runs });
// row: { name, lines, seconds }, the best of `runs`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeStatusDay, spoolRun, statusPipelineConfig } from './spool-to-hdfs.mjs';
import { loadTestSupport } from './test-support.mjs';

export async function webhdfsBench({ work, file, lines, runs = 3 }) {
  const { WebHdfsEmulator } = await loadTestSupport(['webhdfs/namespace.ts', 'webhdfs/emulator.ts'], 'webhdfs/emulator.ts');
  let best;
  for (let i = 0; i < runs; i++) {
    const emulator = await WebHdfsEmulator.start(join(work, 'namespace'));
    try {
      const dir = join(work, 'webhdfs');
      const yaml = statusPipelineConfig(dir, { format: 'avro', sink: `url: ${emulator.url()}` });
      const r = await spoolRun(dir, yaml, file, lines);
      if (!best || r.seconds < best.seconds) best = r;
    } finally {
      await emulator.stop();
      rmSync(join(work, 'namespace'), { recursive: true, force: true });
    }
  }
  return { name: 'spooldir → HDFS sink, Avro (deflate), WebHDFS emulator', lines: best.lines, seconds: best.seconds };
}

// `node bench/webhdfs.mjs` (after `npm run build`) runs it alone on one status day.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const work = mkdtempSync(join(tmpdir(), 'rxflume-bench-webhdfs-'));
  try {
    const day = makeStatusDay(work, Number(process.env.BENCH_CARS ?? 100));
    const r = await webhdfsBench({ work, file: day.file, lines: day.lines, runs: Number(process.env.BENCH_RUNS ?? 1) });
    console.log(`${r.name}: ${Math.round(r.lines / r.seconds).toLocaleString('en-US')} lines/s (${r.seconds.toFixed(2)} s)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
