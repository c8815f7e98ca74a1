/**
 * Runs the driving simulator in real time: appends one step (a line per car) to the log every
 * `rateMs` (default 100 ms; 0 = as fast as the disk takes it), until `steps` steps were written,
 * `durationMs` passed or `signal` aborted, whichever comes first.
 *
 * Writes go through a write stream in append mode and respect its backpressure (a full stream
 * is awaited, never buffered without bound). Pacing aims at absolute times (start + k × rate), so a
 * slow step is caught up rather than drifting. Stopping finishes the step being written and
 * flushes the stream, so the file always ends with a complete line. A write error rejects.
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DrivingOptions, DrivingSimulator } from './driving.js';

export interface DrivingRunOptions extends DrivingOptions {
  /** The log file (created with its folder; appended to if it exists). */
  file: string;
  /** Real time between steps, ms (default 100; 0 = no pause). */
  rateMs?: number;
  /** Stop after this long, ms. */
  durationMs?: number;
  /** Stop after this many steps (each writes one line per car). */
  steps?: number;
  signal?: AbortSignal;
  /** Called after each step with the running totals. */
  onStep?(totals: DrivingTotals): void;
}

export interface DrivingTotals {
  steps: number;
  dataLines: number;
  headerLines: number;
  garbageLines: number;
}

export async function runDrivingSimulator(opts: DrivingRunOptions): Promise<DrivingTotals> {
  const sim = new DrivingSimulator(opts);
  const rateMs = opts.rateMs ?? 100;
  if (!(rateMs >= 0)) throw new Error(`rate must be ≥ 0 ms, got ${rateMs}`);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) stop.abort();
  const timer = opts.durationMs === undefined ? undefined : setTimeout(onAbort, opts.durationMs);
  mkdirSync(dirname(opts.file), { recursive: true });
  const out = createWriteStream(opts.file, { flags: 'a' });
  let failure: Error | undefined;
  out.on('error', (err) => {
    failure = err;
    stop.abort();
  });
  const totals: DrivingTotals = { steps: 0, dataLines: 0, headerLines: 0, garbageLines: 0 };
  const startedAt = performance.now();
  try {
    while (!stop.signal.aborted && (opts.steps === undefined || totals.steps < opts.steps)) {
      const step = sim.step();
      totals.steps++;
      totals.dataLines += step.dataLines;
      totals.headerLines += step.headerLines;
      totals.garbageLines += step.garbageLines;
      if (!out.write(step.text)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
      opts.onStep?.(totals);
      const wait = startedAt + totals.steps * rateMs - performance.now();
      if (wait > 0 && !stop.signal.aborted) await sleep(wait, undefined, { signal: stop.signal }).catch(() => undefined);
    }
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    if (!out.destroyed) {
      out.end();
      await once(out, 'close').catch(() => undefined);
    }
  }
  if (failure) throw new Error(`writing ${opts.file} failed: ${failure.message}`, { cause: failure });
  return totals;
}
