/**
 * `rxflume validate -c FILE`: checks a config without running it. Prints `ok: …` and exits 0, or
 * lists every problem (one per line, each with its config path) on stderr and exits 2.
 * `--hdfs-url` / `--kafka-brokers`: see target-flags.ts.
 */
import type { Command } from 'commander';
import { checkConfig } from '../config/check.js';
import { ConfigError } from '../config/issues.js';
import { loadConfigFile } from '../config/load.js';
import { addTargetFlags, configEnv, type TargetFlags } from './target-flags.js';

export function registerValidate(program: Command): void {
  addTargetFlags(
    program
      .command('validate')
      .description('validate a config file and exit')
      .requiredOption('-c, --config <file>', 'config file (YAML, or a Flume .conf/.properties)')
      .option('--agent <name>', 'Flume config: the agent to check when the file holds several'),
  ).action(async (opts: { config: string; agent?: string } & TargetFlags) => {
    try {
      const config = await loadConfigFile(opts.config, configEnv(opts), {
        ...(opts.agent === undefined ? {} : { flumeAgent: opts.agent }),
        onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
      });
      await checkConfig(config);
      process.stdout.write(`ok: ${opts.config}: ${config.sources.length} source(s), ${config.sinks.length} sink(s)\n`);
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`${err.message}\n`);
        process.exit(2);
      }
      throw err;
    }
  });
}
