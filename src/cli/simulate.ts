/**
 * `rxflume simulate status|driving`: the smart-car pilot's data (src/simulator/).
 *   status   one simulated day, written in the working folder (--out) and moved into the spool
 *            folder (--spool) only when complete; progress on stderr.
 *   driving  appends a line per car every --rate-ms to --file until --duration, --steps, SIGINT
 *            or SIGTERM; a signal finishes the current step and flushes, then exits 0. Started
 *            with an IPC channel (by the demo), it stops the same way when the channel closes,
 *            so it never outlives a demo that was killed outright.
 * Bad option values exit 1 with a message naming the option.
 */
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { runDrivingSimulator } from '../simulator/driving-writer.js';
import { progressReporter } from '../simulator/progress.js';
import { checkDate } from '../simulator/stamp.js';
import { statusFileName, writeStatusDay } from '../simulator/status.js';
import { integerAtLeast } from './option-values.js';

function decimal(name: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max)
      throw new Error(`${name} must be a number in ${min}–${max}, got "${v}"`);
    return n;
  };
}

/** `--date`: checked while parsing, so the message names the option. */
function day(v: string): string {
  try {
    checkDate(v);
  } catch (err) {
    throw new Error(`--date: ${(err as Error).message}`);
  }
  return v;
}

const schemaVersionOption = () =>
  new Option('--schema-version <n>', "line layout: 1 (the seed's) or 2 (extra trailing fields)").choices(['1', '2']).default('1');

interface StatusOpts {
  date: string;
  cars: number;
  out: string;
  work?: string;
  spool?: string;
  seed: number;
  schemaVersion: '1' | '2';
  quiet?: boolean;
}

interface DrivingOpts {
  date: string;
  cars: number;
  file: string;
  rateMs: number;
  duration?: number;
  steps?: number;
  garbageRate: number;
  seed: number;
  schemaVersion: '1' | '2';
  quiet?: boolean;
}

/** A parent's IPC channel (the demo's) must not keep a finished simulator alive. */
function unrefParentChannel(): void {
  (process.channel as { unref?: () => void } | undefined)?.unref?.();
}

export function registerSimulate(program: Command): void {
  const simulate = program.command('simulate').description('generate smart-car pilot data');
  simulate
    .command('status')
    .description('write one day of car status logs (a header per car, then a line per car every 4 simulated seconds)')
    .requiredOption('--date <yyyyMMdd>', 'simulated day', day)
    .option('--cars <n>', 'number of cars', integerAtLeast('--cars', 1), 100)
    .option('--out <dir>', 'working folder the day is written in', './data/work')
    .addOption(new Option('--work <dir>', 'same as --out').hideHelp())
    .option('--spool <dir>', 'spooling folder the finished file is moved into (default: it stays in --out)')
    .option('--seed <n>', 'random seed (same seed, same bytes)', integerAtLeast('--seed', 0), 1)
    .addOption(schemaVersionOption())
    .option('--quiet', 'no progress on stderr')
    .action((opts: StatusOpts) => {
      unrefParentChannel();
      const workDir = opts.work ?? opts.out;
      const file = join(opts.spool ?? workDir, statusFileName(opts.date));
      const progress = progressReporter(`status ${opts.date}`, process.stderr, { quiet: opts.quiet });
      const { dataLines, headerLines } = writeStatusDay({
        date: opts.date,
        cars: opts.cars,
        seed: opts.seed,
        schemaVersion: opts.schemaVersion === '2' ? 2 : 1,
        file,
        workDir,
        onProgress: progress,
      });
      process.stdout.write(`${file}: ${dataLines} data lines + ${headerLines} header lines\n`);
    });

  simulate
    .command('driving')
    .description('append driving log lines in real time: one per car every --rate-ms, 2 simulated seconds apart')
    .requiredOption('--date <yyyyMMdd>', 'simulated day the clock starts at', day)
    .requiredOption('--file <path>', 'driving log to append to (e.g. data/driver-realtime-log/SmartCarDriverInfo.log)')
    .option('--cars <n>', 'number of cars', integerAtLeast('--cars', 1), 100)
    .option('--rate-ms <ms>', 'real time between steps (0 = as fast as the disk allows)', integerAtLeast('--rate-ms', 0), 100)
    .option('--duration <s>', 'stop after this many seconds', decimal('--duration', 0, Number.MAX_SAFE_INTEGER))
    .option('--steps <n>', 'stop after this many lines per car', integerAtLeast('--steps', 0))
    .option('--garbage-rate <r>', 'chance of a broken line after each line (0–1)', decimal('--garbage-rate', 0, 1), 0)
    .option('--seed <n>', 'random seed (same seed and steps, same bytes)', integerAtLeast('--seed', 0), 1)
    .addOption(schemaVersionOption())
    .option('--quiet', 'no progress on stderr')
    .action(async (opts: DrivingOpts) => {
      unrefParentChannel();
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      // Started by the demo with an IPC channel: its closing means the demo is gone.
      process.on('disconnect', onSignal);
      const live = process.stderr.isTTY && !opts.quiet;
      let lastDraw = 0;
      try {
        const totals = await runDrivingSimulator({
          date: opts.date,
          cars: opts.cars,
          file: opts.file,
          rateMs: opts.rateMs,
          durationMs: opts.duration === undefined ? undefined : opts.duration * 1000,
          steps: opts.steps,
          garbageRate: opts.garbageRate,
          seed: opts.seed,
          schemaVersion: opts.schemaVersion === '2' ? 2 : 1,
          signal: stop.signal,
          onStep(t) {
            if (!live || Date.now() - lastDraw < 250) return;
            lastDraw = Date.now();
            process.stderr.write(`\rdriving: ${t.steps} steps, ${t.dataLines.toLocaleString('en-US')} lines`);
          },
        });
        if (live) process.stderr.write('\n');
        process.stdout.write(
          `${opts.file}: ${totals.steps} steps, ${totals.dataLines} data lines + ${totals.headerLines} header lines + ${totals.garbageLines} garbage lines\n`,
        );
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        process.off('disconnect', onSignal);
      }
    });
}
