// Benchmark: metrics overhead. The spool → local HDFS layout case of bench/spool-to-hdfs.mjs
// (same pipeline: seed interceptors, parse/validate, text files) with `metrics.enabled` true and
// false, interleaved in one run so both see the same machine state; best of `runs` each.
//
// Wired by bench/run.mjs:  import { metricsOverhead } from './metrics.mjs';
//                          const rows = await metricsOverhead(work, dayFile, dayLines, runs);
// Standalone: `npm run build && node bench/metrics.mjs [cars] [runs]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeStatusDay, spoolRun, statusPipelineConfig } from './spool-to-hdfs.mjs';

/** Rows `{ name, lines, seconds, metrics }` for metrics on and off, best of `runs` each. */
export async function metricsOverhead(work, dayFile, dayLines, runs = 3) {
  const best = { on: undefined, off: undefined };
  for (let i = 0; i < runs; i++) {
    for (const mode of i % 2 === 0 ? ['on', 'off'] : ['off', 'on']) {
      const dir = join(work, `metrics-${mode}`);
      const r = await spoolRun(dir, statusPipelineConfig(dir, { metrics: mode === 'on' }), dayFile, dayLines);
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
