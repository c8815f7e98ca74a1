/**
 * `rxflume demo [--duration S] [--dir DIR] [--cars N]` (what `npm start` runs): the pilot end to
 * end on one machine — mock Kafka broker, agent, both simulators, live view, balanced summary.
 * See src/demo/run-demo.ts. Exit 0 when the agent drained and the summary balances, else 1.
 */
import type { Command } from 'commander';
import { runDemo } from '../demo/run-demo.js';

function number(name: string, min: number, integer: boolean): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      throw new Error(`${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got "${v}"`);
    }
    return n;
  };
}

interface DemoCliOptions {
  duration?: number;
  dir: string;
  cars: number;
  kafka: boolean;
  kafkaBrokers?: string;
  metricsAddress: string;
  seed: number;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the smart-car pilot on this machine: mock Kafka broker, agent, both simulators, live view; Ctrl-C stops')
    .option('--duration <s>', 'stop by itself after this many seconds', number('--duration', 1, false))
    .option('--dir <dir>', 'working folder for all demo data', './demo-data')
    .option('--cars <n>', 'simulated cars', number('--cars', 1, true), 100)
    .option('--kafka-brokers <list>', 'use these Kafka brokers (host:port,…) instead of the mock broker')
    .option('--no-kafka', 'leave Kafka out: driving lines go to the local HDFS layout')
    .option('--metrics-address <host:port>', 'serve /metrics here (a free port when taken)', '127.0.0.1:9464')
    .option('--seed <n>', 'random seed of the simulators', number('--seed', 0, true), 1)
    .action(async (opts: DemoCliOptions) => {
      const code = await runDemo({
        dir: opts.dir,
        cars: opts.cars,
        durationS: opts.duration,
        kafka: opts.kafka === false ? 'off' : (opts.kafkaBrokers ?? 'auto'),
        metricsAddress: opts.metricsAddress,
        seed: opts.seed,
        out: process.stdout,
      });
      process.exit(code);
    });
}
