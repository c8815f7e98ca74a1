// Benchmark: the pilot status pipeline (spooldir → interceptors → parse/validate → local HDFS
// layout, text) with the memory buffer and with the disk buffer (fsync batch and interval), in
// the same run on the same file. Two times per case: `ackSeconds`, from the file's arrival to
// its deletion (every line acknowledged to the source: for the disk buffer, durable in the log),
// and `seconds`, until the agent stopped with every line in the sink (the disk buffer drained).
//
// Use from bench/run.mjs:
//   import { diskBufferBench } from './disk-buffer.mjs';
//   const disk = await diskBufferBench({ work: join(work, 'disk'), file: day.file, lines: day.lines, runs });
//   // disk: [{ name, lines, seconds, ackSeconds, bytesPerLine? }, ...], memory first.
// Or alone: `npm run build && node bench/disk-buffer.mjs` (BENCH_CARS, default 100 = the day file;
// 24 ≈ a 500 k-line slice).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeStatusDay, spoolRun, statusPipelineConfig } from './spool-to-hdfs.mjs';

export const DISK_BUFFER_CASES = [
  { name: 'memory buffer', buffer: '{ type: memory }' },
  { name: 'disk buffer, fsync batch', buffer: '{ type: disk, fsync: batch }' },
  { name: 'disk buffer, fsync interval (1 s)', buffer: '{ type: disk, fsync: interval, fsyncIntervalMs: 1000 }' },
];

/** The status pipeline config of spool-to-hdfs.mjs with `buffer` set on its source. */
export function bufferedStatusConfig(dir, buffer) {
  const yaml = statusPipelineConfig(dir);
  const marker = '    batchSize: 1000\n';
  if (!yaml.includes(marker)) throw new Error('statusPipelineConfig changed: cannot place the buffer option');
  return yaml.replace(marker, `${marker}    buffer: ${buffer}\n`);
}

async function runCase(dir, buffer, source, lines) {
  const r = await spoolRun(dir, bufferedStatusConfig(dir, buffer), source, lines);
  return { lines, seconds: r.stoppedSeconds, ackSeconds: r.seconds, delivered: r.delivered };
}

/** Runs every case `runs` times (interleaved, so load changes hit all alike); keeps each case's best. */
export async function diskBufferBench({ work, file, lines, runs = 3 }) {
  const best = new Map();
  for (let i = 0; i < runs; i++) {
    for (const c of DISK_BUFFER_CASES) {
      const r = await runCase(join(work, c.name.replace(/[^a-z0-9]+/gi, '-')), c.buffer, file, lines);
      const prev = best.get(c.name);
      if (!prev || r.seconds < prev.seconds) best.set(c.name, r);
    }
  }
  return DISK_BUFFER_CASES.map((c) => ({ name: c.name, ...best.get(c.name) }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const work = mkdtempSync(join(tmpdir(), 'rxflume-bench-disk-'));
  try {
    const day = makeStatusDay(work, Number(process.env.BENCH_CARS ?? 100));
    const rows = await diskBufferBench({ work, file: day.file, lines: day.lines, runs: Number(process.env.BENCH_RUNS ?? 1) });
    for (const r of rows) {
      console.log(
        `${r.name}: ${Math.round(r.lines / r.seconds).toLocaleString('en-US')} lines/s end to end (${r.seconds.toFixed(2)} s), ` +
          `${Math.round(r.lines / r.ackSeconds).toLocaleString('en-US')} lines/s acknowledged (${r.ackSeconds.toFixed(2)} s), delivered ${r.delivered}`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
