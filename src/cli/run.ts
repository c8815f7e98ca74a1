/**
 * `rxflume run -c FILE`: runs the agent until SIGINT/SIGTERM, then drains (stop reading, flush,
 * acknowledge, write checkpoints) and exits 0 (1 when the drain deadline cut it short or a
 * pipeline failed). A second signal exits at once with 130; that is as safe as a kill -9
 * (checkpoints only ever claim acknowledged data).
 */
import type { Command } from 'commander';
import { ConfigError } from '../config/issues.js';
import { loadConfigFile } from '../config/load.js';
import { Agent } from '../core/agent.js';
import { createLogger, type LogLevel } from '../core/logger.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run the agent until SIGINT/SIGTERM, then drain and exit')
    .requiredOption('-c, --config <file>', 'config file (YAML)')
    .action(async (opts: { config: string }) => {
      const logger = createLogger(program.opts<{ logLevel: LogLevel }>().logLevel);
      let agent: Agent;
      try {
        agent = await Agent.create(await loadConfigFile(opts.config), { logger });
      } catch (err) {
        if (err instanceof ConfigError) {
          process.stderr.write(`${err.message}\n`);
          process.exit(2);
        }
        throw err;
      }
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        signals++;
        if (signals > 1) {
          logger.warn({ signal }, 'second signal: exiting without draining');
          process.exit(130);
        }
        logger.info({ signal }, 'signal received: draining');
        void agent.stop().then(({ drained }) => process.exit(drained ? 0 : 1));
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      await agent.start();
      try {
        await agent.finished;
      } catch (err) {
        logger.fatal({ err }, 'a pipeline failed; draining the others');
        await agent.stop();
        process.exit(1);
      }
      // Every source completed (after a signal, or a finite source by itself): sinks must still
      // close and checkpoints flush before the process ends; stop() is the drain already running.
      const { drained } = await agent.stop();
      process.exit(drained ? 0 : 1);
    });
}
