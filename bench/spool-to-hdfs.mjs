// Benchmark: a pilot status day (spooldir → seed interceptors → parse/validate → HDFS layout on the
// local filesystem), text and Avro, next to a plain read + split of the same file measured in the
// same run. Results are appended to the report by bench/run.mjs.
import { copyFileSync, createReadStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../dist/config/load.js';
import { Agent } from '../dist/core/agent.js';
import { silentLogger } from '../dist/core/logger.js';
import { statusFileName, writeStatusDay } from '../dist/simulator/status.js';

/**
 * The baseline: read the file in 1 MiB chunks and split it into one Buffer per line (what any
 * line-oriented collector must do at least), keeping nothing.
 */
export async function baselineReadSplit(file) {
  const started = performance.now();
  let lines = 0;
  let carry = Buffer.alloc(0);
  let sink = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    let nl = data.indexOf(10);
    while (nl !== -1) {
      const line = data.subarray(start, nl);
      sink += line.length;
      lines++;
      start = nl + 1;
      nl = data.indexOf(10, start);
    }
    carry = Buffer.from(data.subarray(start));
  }
  if (sink < 0) throw new Error('unreachable');
  return { lines, seconds: (performance.now() - started) / 1000 };
}

/**
 * The pilot's status pipeline as in config/smartcar.yaml (seed interceptors, parse/validate),
 * writing `format` files through the HDFS sink: `sink` is the backend line (`root: …` for the
 * local layout, `url: …` for WebHDFS); `metrics` toggles `metrics.enabled`; `codec` and
 * `deflateLevel` are the Avro block codec options (defaults as the sink's).
 */
export function statusPipelineConfig(
  dir,
  { format = 'text', sink = `root: ${dir}/hdfs`, metrics = true, codec = 'deflate', deflateLevel = 6 } = {},
) {
  return `
agent: { id: bench, stateDir: ${dir}/state }
metrics: { enabled: ${metrics} }
deadLetter: { dir: ${dir}/dead-letter }
sources:
  status:
    type: spooldir
    spoolDir: ${dir}/spool
    deletePolicy: immediate
    minFileAgeMs: 0
    pollDelay: 10
    batchSize: 1000
    schema: smartcar.CarStatus
    interceptors:
      - { type: timestamp, preserveExisting: true }
      - { type: static, key: logType, value: car-batch-log }
      - { type: append_field }
      - { type: regex_filter, regex: '^\\d{14}' }
    sinks: [hdfs]
sinks:
  hdfs:
    type: hdfs
    ${sink}
    path: /pilot-pjt/collect/%{logType}/wrk_date=%Y%m%d
    filePrefix: '%{logType}'
    fileSuffix: ${format === 'avro' ? '.avro' : '.log'}
    format: ${format}
    codec: '${codec}'
    deflateLevel: ${deflateLevel}
    rollSize: 64MiB
    batchSize: 10000
`;
}

/**
 * Runs an agent on `yaml` (from statusPipelineConfig(dir, …)) and one copy of `source`; answers
 * `seconds` from the file's arrival in the spool folder to its deletion (all acknowledged to the
 * source), `stoppedSeconds` until the agent stopped (every sink drained), the lines the source
 * counted and the events the `hdfs` sink acknowledged (0 with metrics off).
 */
export async function spoolRun(dir, yaml, source, lines) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'spool'), { recursive: true });
  const agent = await Agent.create(parseConfig(yaml, 'bench.yaml', {}), { logger: silentLogger() });
  await agent.start();
  const target = join(dir, 'spool', 'day.txt');
  copyFileSync(source, join(dir, 'incoming.txt'));
  const started = performance.now();
  renameSync(join(dir, 'incoming.txt'), target);
  while (existsSync(target)) await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - started) / 1000;
  await agent.stop();
  const stoppedSeconds = (performance.now() - started) / 1000;
  const counted = await agent.metrics.value('rxflume_events_received_total', { component_id: 'status' });
  const delivered = await agent.metrics.value('rxflume_sink_events_total', { component_id: 'hdfs', result: 'acknowledged' });
  return { lines, seconds, stoppedSeconds, counted, delivered };
}

/** The local-layout case: one copy of `source` through the pipeline writing `format` files (`options`: codec, deflateLevel). */
export function spoolToHdfs(dir, source, format, lines, options = {}) {
  return spoolRun(dir, statusPipelineConfig(dir, { format, ...options }), source, lines);
}

export function makeStatusDay(dir, cars = 100) {
  const file = join(dir, statusFileName('20160101'));
  const { dataLines, headerLines } = writeStatusDay({ date: '20160101', cars, file, seed: 11 });
  return { file, lines: dataLines + headerLines };
}
