/**
 * `rxflume run -c FILE`: runs the agent until SIGINT/SIGTERM, then drains (stop reading, flush,
 * acknowledge, write checkpoints) and exits 0 (1 when the drain deadline cut it short or a
 * pipeline failed). A second signal exits at once with 130; that is as safe as a kill -9
 * (checkpoints only ever claim acknowledged data).
 *
 * It also serves /metrics, /metrics.json, /healthz and /readyz (src/http/server.ts) on
 * `--metrics-address HOST:PORT`, else the config's `metrics.address` (default 127.0.0.1:9464);
 * port 0 picks a free port. The bound address is logged ("metrics server listening",
 * field `metricsAddress`) so a caller that asked for port 0 can find it. A server that cannot
 * listen is a startup failure (exit 1): an agent nobody can see must not run unnoticed.
 *
 * `--hdfs-url` / `--kafka-brokers` set RXFLUME_HDFS_URL / RXFLUME_KAFKA_BROKERS for the config
 * (target-flags.ts), at start and on every reload.
 *
 * SIGHUP reloads the config file (and, with `--watch-config`, so does a change of its content):
 * see src/core/reload.ts. An invalid file is rejected and the running config stays.
 */
import type { Command } from 'commander';
import { ConfigError } from '../config/issues.js';
import { loadConfigFile } from '../config/load.js';
import { Agent } from '../core/agent.js';
import { createLogger, type LogLevel } from '../core/logger.js';
import { startReloadTriggers } from '../core/reload-triggers.js';
import { formatListenAddress, type ListenAddress, parseListenAddress } from '../http/address.js';
import { readinessOf } from '../http/readiness.js';
import { type RunningHttpServer, startHttpServer } from '../http/server.js';
import { addTargetFlags, configEnv, type TargetFlags } from './target-flags.js';

export function registerRun(program: Command): void {
  addTargetFlags(
    program
      .command('run')
      .description('run the agent until SIGINT/SIGTERM, then drain and exit')
      .requiredOption('-c, --config <file>', 'config file (YAML, or a Flume .conf/.properties)')
      .option('--agent <name>', 'Flume config (.conf/.properties): the agent to run when the file holds several')
      .option('--metrics-address <host:port>', 'serve /metrics, /healthz, /readyz here (overrides metrics.address; port 0 = any free port)')
      .option('--watch-config', 'reload the config when the file changes (SIGHUP always reloads it)'),
  ).action(async (opts: { config: string; agent?: string; metricsAddress?: string; watchConfig?: boolean } & TargetFlags) => {
    const logger = createLogger(program.opts<{ logLevel: LogLevel }>().logLevel);
    // SIGHUP's default action kills the process: until the reload handler is installed (config
    // load and agent creation can take a while), remember a SIGHUP and reload after the start.
    let earlyReload = false;
    const onEarlyHup = () => {
      earlyReload = true;
    };
    process.on('SIGHUP', onEarlyHup);
    let flagAddress: ListenAddress | undefined;
    try {
      flagAddress = opts.metricsAddress === undefined ? undefined : parseListenAddress(opts.metricsAddress);
    } catch (err) {
      process.stderr.write(`--metrics-address: ${(err as Error).message}\n`);
      process.exit(2);
    }
    // The one way the config is loaded, at start and on every reload.
    const load = () =>
      loadConfigFile(opts.config, configEnv(opts), {
        ...(opts.agent === undefined ? {} : { flumeAgent: opts.agent }),
        onWarning: (message) => logger.warn({ config: opts.config }, `flume import: ${message}`),
      });
    let agent: Agent;
    let listen: ListenAddress;
    try {
      const config = await load();
      listen = flagAddress ?? parseListenAddress(config.metrics.address);
      agent = await Agent.create(config, { logger });
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`${err.message}\n`);
        process.exit(2);
      }
      throw err;
    }
    agent.metrics.collectProcessMetrics();
    const server: RunningHttpServer = await startHttpServer({
      address: listen,
      metrics: agent.metrics,
      readiness: () => readinessOf(agent.status()),
      logger,
    });
    logger.info({ metricsAddress: formatListenAddress(server.address), url: server.url }, 'metrics server listening');
    const exit = (code: number): void => {
      void server.close().finally(() => process.exit(code));
      // A stuck connection must not keep a finished agent alive.
      setTimeout(() => process.exit(code), 2000).unref();
    };
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        logger.warn({ signal }, 'second signal: exiting without draining');
        process.exit(130);
      }
      logger.info({ signal }, 'signal received: draining');
      void agent.stop().then(({ drained }) => exit(drained ? 0 : 1));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const started = agent.start();
    // Config reload (SIGHUP, --watch-config): changed pipelines drain and restart, the rest keep running.
    const { reloader } = startReloadTriggers({
      agent,
      file: opts.config,
      load,
      logger,
      watch: opts.watchConfig === true,
      after: started,
    });
    process.off('SIGHUP', onEarlyHup);
    if (earlyReload) void reloader.request('SIGHUP');
    await started;
    try {
      await agent.finished;
    } catch (err) {
      logger.fatal({ err }, 'a pipeline failed; draining the others');
      await agent.stop();
      exit(1);
      return;
    }
    // Every source completed (after a signal, or a finite source by itself): sinks must still
    // close and checkpoints flush before the process ends; stop() is the drain already running.
    const { drained } = await agent.stop();
    exit(drained ? 0 : 1);
  });
}
