// Benchmark: metrics overhead. The spool → local HDFS layout case of bench/spool-to-hdfs.mjs
// (same pipeline: seed interceptors, parse/validate, text files) with `metrics.enabled` true and
// false, interleaved in one run so both see the same machine state; best of `runs` each.
//
// Wired by bench/run.mjs:  import { metricsOverhead } from './metrics.mjs';
//                          const rows = await metricsOverhead(work, dayFile, dayLines, runs);
// Standalone: `npm run build && node bench/metrics.mjs [cars] [runs]`.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../dist/config/load.js';
import { Agent } from '../dist/core/agent.js';
import { silentLogger } from '../dist/core/logger.js';
import { makeStatusDay } from './spool-to-hdfs.mjs';

function config(dir, enabled) {
  return `
agent: { id: bench, stateDir: ${dir}/state }
metrics: { enabled: ${enabled} }
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
    root: ${dir}/hdfs
    path: /pilot-pjt/collect/%{logType}/wrk_date=%Y%m%d
    filePrefix: '%{logType}'
    fileSuffix: .log
    format: text
    rollSize: 64MiB
    batchSize: 10000
`;
}

async function once(dir, source, lines, enabled) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'spool'), { recursive: true });
  const agent = await Agent.create(parseConfig(config(dir, enabled), 'bench.yaml', {}), { logger: silentLogger() });
  await agent.start();
  const target = join(dir, 'spool', 'day.txt');
  copyFileSync(source, join(dir, 'incoming.txt'));
  const started = performance.now();
  renameSync(join(dir, 'incoming.txt'), target);
  while (existsSync(target)) await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - started) / 1000;
  await agent.stop();
  const counted = await agent.metrics.value('rxflume_events_received_total', { component_id: 'status' });
  return { lines, seconds, counted };
}

/** Rows `{ name, lines, seconds, metrics }` for metrics on and off, best of `runs` each. */
export async function metricsOverhead(work, dayFile, dayLines, runs = 3) {
  const best = { on: undefined, off: undefined };
  for (let i = 0; i < runs; i++) {
    for (const mode of i % 2 === 0 ? ['on', 'off'] : ['off', 'on']) {
      const r = await once(join(work, `metrics-${mode}`), dayFile, dayLines, mode === 'on');
      // Sanity: the switch really switches (on counts every line, off counts none).
      if ((mode === 'on') !== (r.counted === dayLines)) throw new Error(`metrics ${mode}: counted ${r.counted} of ${dayLines}`);
      if (!best[mode] || r.seconds < best[mode].seconds) best[mode] = r;
    }
  }
  const overhead = best.on.seconds / best.off.seconds - 1;
  return [
    { name: 'spool → HDFS layout (text), metrics on', lines: dayLines, seconds: best.on.seconds, metrics: 'on' },
    {
      name: 'spool → HDFS layout (text), metrics off',
      lines: dayLines,
      seconds: best.off.seconds,
      metrics: 'off',
      overhead: `metrics on vs off: ${overhead >= 0 ? '+' : ''}${(overhead * 100).toFixed(1)} % time (within noise when small)`,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cars = Number(process.argv[2] ?? 100);
  const runs = Number(process.argv[3] ?? 3);
  const work = mkdtempSync(join(tmpdir(), 'rxflume-bench-metrics-'));
  try {
    const day = makeStatusDay(work, cars);
    for (const row of await metricsOverhead(work, day.file, day.lines, runs)) {
      console.log(
        `${row.name}: ${Math.round(row.lines / row.seconds).toLocaleString('en-US')} lines/s${row.overhead ? ` (${row.overhead})` : ''}`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
