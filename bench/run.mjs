// `npm run bench`: runs every benchmark and writes docs/benchmarks.md with the machine, each
// result and its ratio to the baseline measured in the same run. Wall-clock numbers live here
// only; tests never depend on speed.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { baselineReadSplit, makeStatusDay, spoolToHdfs } from './spool-to-hdfs.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const cars = Number(process.env.BENCH_CARS ?? 100);
const work = mkdtempSync(join(tmpdir(), 'rxflume-bench-'));

function best(results) {
  return results.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
}

async function repeat(fn) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await fn());
  return best(results);
}

try {
  const day = makeStatusDay(work, cars);
  const baseline = await repeat(() => baselineReadSplit(day.file));
  const text = await repeat(() => spoolToHdfs(join(work, 'text'), day.file, 'text', day.lines));
  const avro = await repeat(() => spoolToHdfs(join(work, 'avro'), day.file, 'avro', day.lines));
  const rate = (r) => r.lines / r.seconds;
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  const rows = [
    ['plain read + split of the file (baseline)', baseline],
    ['spooldir → seed interceptors → parse/validate → HDFS layout, text', text],
    ['spooldir → seed interceptors → parse/validate → HDFS layout, Avro (deflate)', avro],
  ];
  const cpu = cpus();
  const report = `# Benchmarks

Written by \`npm run bench\` (bench/run.mjs); numbers are from the run below, best of ${runs}.

- date: ${new Date().toISOString()}
- machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} GiB free), Node ${process.version}, ${process.platform}/${process.arch}
- input: one pilot status day, ${cars} cars, ${fmt(day.lines)} lines (headers included), seed 11

## Batch path: status day → local HDFS layout

| case | lines/s | seconds | ratio to baseline |
|---|---:|---:|---:|
${rows.map(([name, r]) => `| ${name} | ${fmt(rate(r))} | ${r.seconds.toFixed(2)} | ${(rate(r) / rate(baseline)).toFixed(3)} |`).join('\n')}

The pipeline figures run from the moment the file is renamed into the spool folder until the
source deletes it, which happens only after every line was written, fsynced and acknowledged.
Target (HDFS sink issue): ≥ 500,000 lines/s on the local backend.
`;
  writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), report);
  process.stdout.write(report);
} finally {
  rmSync(work, { recursive: true, force: true });
}
