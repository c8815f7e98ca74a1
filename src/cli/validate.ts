/**
 * `rxflume validate -c FILE`: checks a config without running it. Prints `ok: …` and exits 0, or
 * lists every problem (one per line, each with its config path) on stderr and exits 2.
 */
import type { Command } from 'commander';
import { checkConfig } from '../config/check.js';
import { ConfigError } from '../config/issues.js';
import { loadConfigFile } from '../config/load.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('validate a config file and exit')
    .requiredOption('-c, --config <file>', 'config file (YAML, or a Flume .conf/.properties)')
    .option('--agent <name>', 'Flume config: the agent to check when the file holds several')
    .action(async (opts: { config: string; agent?: string }) => {
      try {
        const config = await loadConfigFile(opts.config, process.env, {
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
