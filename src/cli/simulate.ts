/**
 * `rxflume simulate status`: writes one simulated pilot status day (see src/simulator/status.ts)
 * in a working folder and moves it into the spool folder only when complete.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { statusFileName, writeStatusDay } from '../simulator/status.js';

export function registerSimulate(program: Command): void {
  const simulate = program.command('simulate').description('generate pilot data');
  simulate
    .command('status')
    .description('write one day of car status logs (one header per car, a line per car every 4 simulated seconds)')
    .requiredOption('--date <yyyyMMdd>', 'simulated day')
    .option('--cars <n>', 'number of cars', (v) => Number.parseInt(v, 10), 100)
    .option('--spool <dir>', 'spooling folder the finished file is moved into', './data/car-batch-log')
    .option('--work <dir>', 'working folder for the file while it is written', './data/work')
    .option('--seed <n>', 'random seed (same seed, same file)', (v) => Number.parseInt(v, 10), 1)
    .action((opts: { date: string; cars: number; spool: string; work: string; seed: number }) => {
      if (!Number.isInteger(opts.cars) || opts.cars < 1) throw new Error(`--cars must be a positive integer, got ${opts.cars}`);
      const file = join(opts.spool, statusFileName(opts.date));
      let lastPercent = -1;
      const { dataLines, headerLines } = writeStatusDay({
        date: opts.date,
        cars: opts.cars,
        seed: opts.seed,
        file,
        workDir: opts.work,
        onProgress(written, total) {
          const percent = Math.floor((written / total) * 100);
          if (percent >= lastPercent + 10 || written === total) {
            lastPercent = percent;
            process.stderr.write(
              `status ${opts.date}: ${percent}% (${written.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} lines)\n`,
            );
          }
        },
      });
      process.stdout.write(`${file}: ${dataLines} data lines + ${headerLines} header lines\n`);
    });
}
