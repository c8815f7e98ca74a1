// `npm run bench`: runs every benchmark and writes docs/benchmarks.md with the machine, each
// result and its ratio to the baseline measured in the same run. Wall-clock numbers live here
// only; tests never depend on speed. BENCH_RUNS (default 3), BENCH_CARS (default 100),
// BENCH_KAFKA_LINES (default 200000), BENCH_KAFKA_ROUNDS (default 3).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { diskBufferBench } from './disk-buffer.mjs';
import { kafkaBench } from './kafka.mjs';
import { metricsOverhead } from './metrics.mjs';
import { baselineReadSplit, makeStatusDay, spoolToHdfs } from './spool-to-hdfs.mjs';
import { webhdfsBench } from './webhdfs.mjs';

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

const rate = (r) => r.lines / r.seconds;
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const table = (rows, baseline, baseName = 'baseline') =>
  `| case | lines/s | seconds | ratio to ${baseName} |
|---|---:|---:|---:|
${rows.map(([name, r]) => `| ${name} | ${fmt(rate(r))} | ${r.seconds.toFixed(2)} | ${(rate(r) / rate(baseline)).toFixed(3)} |`).join('\n')}`;

try {
  const load = loadavg()[0];
  const day = makeStatusDay(work, cars);
  const step = (what) => process.stderr.write(`bench: ${what}\n`);

  step('batch path, local layout');
  const baseline = await repeat(() => baselineReadSplit(day.file));
  const text = await repeat(() => spoolToHdfs(join(work, 'text'), day.file, 'text', day.lines));
  const avro = await repeat(() => spoolToHdfs(join(work, 'avro'), day.file, 'avro', day.lines));
  const avroLevel1 = await repeat(() => spoolToHdfs(join(work, 'avro1'), day.file, 'avro', day.lines, { deflateLevel: 1 }));
  const avroSnappy = await repeat(() => spoolToHdfs(join(work, 'snappy'), day.file, 'avro', day.lines, { codec: 'snappy' }));
  const avroNull = await repeat(() => spoolToHdfs(join(work, 'null'), day.file, 'avro', day.lines, { codec: 'null' }));
  for (const r of [text, avro, avroLevel1, avroSnappy, avroNull]) {
    if (r.counted !== day.lines) throw new Error(`a batch run read ${r.counted} of ${day.lines} lines`);
  }

  step('batch path, WebHDFS emulator');
  const webhdfs = await webhdfsBench({ work: join(work, 'webhdfs'), file: day.file, lines: day.lines, runs });

  step('memory vs disk buffer');
  const disk = await diskBufferBench({ work: join(work, 'disk'), file: day.file, lines: day.lines, runs });

  step('metrics on vs off');
  const [metricsOn, metricsOff] = await metricsOverhead(join(work, 'metrics'), day.file, day.lines, runs);

  step('real-time path, Kafka');
  const kafka = await kafkaBench({ work: join(work, 'kafka') });
  const [bare, pipeline] = kafka.throughput;

  const cpu = cpus();
  const report = `# Benchmarks

Written by \`npm run bench\` (bench/run.mjs); numbers are from the run below.

- date: ${new Date().toISOString()}
- machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} GiB free), Node ${process.version}, ${process.platform}/${process.arch}; load average at start ${load.toFixed(2)}
- input: one pilot status day, ${cars} cars, ${fmt(day.lines)} lines (headers included), seed 11

## Batch path: status day → local HDFS layout (best of ${runs})

${table(
  [
    ['plain read + split of the file (baseline)', baseline],
    ['spooldir → seed interceptors → parse/validate → HDFS layout, text', text],
    ['spooldir → seed interceptors → parse/validate → HDFS layout, Avro (deflate, level 6: the default)', avro],
    ['… Avro (deflate, `deflateLevel: 1`)', avroLevel1],
    ['… Avro (snappy)', avroSnappy],
    ['… Avro (codec null)', avroNull],
  ],
  baseline,
)}

The pipeline figures run from the moment the file is renamed into the spool folder until the
source deletes it, which happens only after every line was written, fsynced and acknowledged.
Target (HDFS sink issue): ≥ 500,000 lines/s on the local backend, with the default codec. How
the pipeline gets there on 2 cores: the parse worker turns CSV bytes straight into Avro bytes
(generated per schema version, no record objects); the HDFS sink starts cutting and compressing a
batch's Avro blocks when the batch is queued (at most 2 blocks on the libuv pool at once, so file
writes and fsyncs never wait behind them) and only frames them when its turn comes; the sink's
per-batch state save runs on a small worker thread (one round trip instead of one event-loop turn
per fs step); the spool reader yields to the event loop after every batch; line events keep
offsets into the read chunk instead of a Buffer per line. Lower deflate levels trade file size
(level 1: ~12 % larger on these records) for CPU.

## Batch path over WebHDFS (emulator in the same process, best of ${runs})

${table(
  [
    ['plain read + split of the file (baseline, above)', baseline],
    ['spooldir → HDFS sink, Avro (deflate), local backend (above)', avro],
    [webhdfs.name, webhdfs],
  ],
  baseline,
)}

One CREATE per file, one APPEND per sink batch (10,000 lines), TRUNCATE + RENAME per roll. The
emulator (test/support/webhdfs) runs in the benchmark's process and shares its cores.

## Memory vs disk buffer (status pipeline, text, best of ${runs})

| case | lines/s, all in the sink | seconds | ratio to memory | lines/s, all acknowledged to the source |
|---|---:|---:|---:|---:|
${disk.map((r) => `| ${r.name} | ${fmt(rate(r))} | ${r.seconds.toFixed(2)} | ${(rate(r) / rate(disk[0])).toFixed(3)} | ${fmt(r.lines / r.ackSeconds)} |`).join('\n')}

The same status day through the same pipeline with \`buffer: {type: memory}\` and \`{type: disk}\`.
With the disk buffer a line is acknowledged to the source (and the spool file deleted) once its
batch is framed in the write-ahead log (\`fsync: batch\`: after an fsync; \`interval\`: the log is
fsynced every second), and the sinks read from the log.

## Metrics overhead (text case, on vs off interleaved, best of ${runs})

${table(
  [
    [metricsOn.name, metricsOn],
    [metricsOff.name, metricsOff],
  ],
  metricsOff,
  'metrics off',
)}

${metricsOff.overhead}.

## Real-time path: driving lines tail → Kafka (mock broker)

${table(
  [
    [bare.name, bare],
    ['pipeline config (tail → interceptors → parse/validate → Kafka sink), acknowledged', pipeline],
  ],
  bare,
  'bare kafkajs',
)}

Median of ${pipeline.rounds} interleaved rounds; per-round pipeline/bare ratios: ${pipeline.ratios}. Both send
the same lines with the same request size (1,000), in-flight requests (5), acks (all), no
compression and the same \`rxflume.event.id\` header, to librdkafka's mock cluster
(native/mock-broker.c) on this machine. Target (Kafka sink issue): ≥ 0.9× bare kafkajs.

| case | rate | lines | p50 append → ack | p99 | max | max in the first second |
|---|---:|---:|---:|---:|---:|---:|
${kafka.latency.map((l) => `| ${l.name} | ${fmt(l.rate)} lines/s | ${fmt(l.lines)} | ${l.p50Ms.toFixed(1)} ms | ${l.p99Ms.toFixed(1)} ms | ${l.maxMs.toFixed(1)} ms | ${l.coldMaxMs.toFixed(1)} ms |`).join('\n')}

Latency is measured from the append of a line to the driving log until the Kafka sink's write
holding it resolved (the broker acknowledged it); the bare rows send each line when it is
"appended" (5 ms linger, 1,000 per request, 5 in flight), the floor set by kafkajs, the broker and
the machine. Percentiles are over the steady state after a 1 s warm-up, whose worst case is shown
apart (the agent's start: the follower's first read, the parse worker starting). Targets: p99 ≤ 20
ms at 1 k lines/s and ≤ 100 ms at 20 k lines/s. Everything (agent, kafkajs thread, broker) shares
the machine's ${cpu.length} cores.
`;
  writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), report);
  process.stdout.write(report);
} finally {
  rmSync(work, { recursive: true, force: true });
}
