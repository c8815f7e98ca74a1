/**
 * Config reload for a running agent (SIGHUP, `rxflume run --watch-config`).
 *
 * One reload: load the file and validate it exactly as at start (syntax, options, references,
 * schemas); diff it against the config in effect (config-diff.ts); reject it if it is invalid or
 * changes something that applies only at start; otherwise let the agent drain and rebuild the
 * pipelines that changed (Agent.applyConfig) while the others keep running.
 *
 * Invariants:
 * - A rejected reload changes nothing: the old config keeps running. Its problems are logged
 *   (one line per problem, each starting with its config path) and counted.
 * - Reloads are serialized: a request during a reload is queued and runs after it; several
 *   requests while one is queued share that queued run (it reads the newest file anyway).
 * - Once the agent is stopping (or `close()` was called) requests are ignored, not queued.
 *
 * Metrics: rxflume_config_reloads_total{result=applied|unchanged|rejected|failed},
 * rxflume_config_last_reload_success (1/0), rxflume_config_last_reload_timestamp_seconds.
 * `failed`: the config was valid but a sink or pipeline could not be restarted (it stays down,
 * not ready, and the next reload retries it).
 */
import { checkConfig } from '../config/check.js';
import { ConfigError } from '../config/issues.js';
import type { AgentConfig } from '../config/load.js';
import type { SchemaRegistry } from '../schemas/registry.js';
import type { Agent, AppliedConfig } from './agent.js';
import { type ConfigDiff, diffConfigs, isEmptyDiff, schemaTexts } from './config-diff.js';
import type { Logger } from './logger.js';

export type ReloadOutcome =
  | { readonly result: 'applied'; readonly diff: ConfigDiff; readonly applied: AppliedConfig }
  | { readonly result: 'unchanged' }
  | { readonly result: 'rejected'; readonly problems: readonly string[] }
  | { readonly result: 'failed'; readonly diff: ConfigDiff; readonly error: unknown; readonly applied?: AppliedConfig }
  | { readonly result: 'ignored'; readonly reason: string };

export interface ConfigReloaderOptions {
  readonly agent: Agent;
  /** Loads and validates the config file the way the agent's was loaded at start. */
  readonly load: () => Promise<AgentConfig>;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Reloads wait for this first (the agent's start): a request made earlier is not lost. */
  readonly after?: Promise<unknown>;
}

export class ConfigReloader {
  private tail: Promise<unknown>;
  /** A requested reload that has not begun yet (later requests join it). */
  private pending: Promise<ReloadOutcome> | undefined;
  private closed = false;

  constructor(private readonly opts: ConfigReloaderOptions) {
    opts.agent.metrics.configReloadsTracked();
    this.tail = (opts.after ?? Promise.resolve()).catch(() => undefined);
  }

  /** Asks for a reload; `trigger` is logged (`SIGHUP`, `watch`). Never rejects. */
  request(trigger: string): Promise<ReloadOutcome> {
    if (this.isShuttingDown()) return Promise.resolve(this.ignored(trigger));
    if (this.pending) return this.pending;
    const run: Promise<ReloadOutcome> = this.tail.then(() => {
      if (this.pending === run) this.pending = undefined;
      return this.reloadOnce(trigger);
    });
    this.pending = run;
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** No more reloads (shutdown began); a reload in progress finishes, queued ones are ignored. */
  close(): void {
    this.closed = true;
  }

  private isShuttingDown(): boolean {
    return this.closed || this.opts.agent.status().stopping;
  }

  private ignored(trigger: string): ReloadOutcome {
    this.opts.logger.info({ trigger }, 'config reload ignored: the agent is shutting down');
    return { result: 'ignored', reason: 'shutting down' };
  }

  private async reloadOnce(trigger: string): Promise<ReloadOutcome> {
    const { agent, logger } = this.opts;
    if (this.isShuttingDown()) return this.ignored(trigger);
    const file = agent.config.file;
    logger.info({ trigger, file }, 'config reload: loading');
    let next: AgentConfig;
    let registry: SchemaRegistry;
    try {
      next = await this.opts.load();
      registry = await checkConfig(next);
    } catch (err) {
      return this.reject(file, err instanceof ConfigError ? err.problems : [(err as Error).message]);
    }
    const diff = diffConfigs(agent.config, next, {
      schemas: { previous: agent.currentSchemaTexts(), next: schemaTexts(next, registry) },
      forceRestart: agent.failedComponents,
    });
    if (diff.blockers.length > 0) return this.reject(file, diff.blockers);
    if (isEmptyDiff(diff)) {
      logger.info({ trigger, file }, 'config reload: nothing changed');
      return this.count({ result: 'unchanged' });
    }
    if (this.isShuttingDown()) return this.ignored(trigger);
    logger.info(
      {
        file,
        restart: diff.sources.changed,
        add: diff.sources.added,
        remove: diff.sources.removed,
        unchanged: diff.sources.unchanged,
        sinks: diff.sinks,
        settings: diff.settingsChanged,
        reasons: diff.reasons,
      },
      'config reload: applying',
    );
    try {
      const applied = await agent.applyConfig(next, registry, diff);
      if (applied.failed.sources.length + applied.failed.sinks.length > 0) {
        logger.error(
          { file, failed: applied.failed },
          'config reload: some pipelines could not be restarted; they stay down until the next reload',
        );
        return this.count({ result: 'failed', diff, applied, error: new Error('restart failed') });
      }
      logger.info({ file, ...applied }, 'config reload applied');
      return this.count({ result: 'applied', diff, applied });
    } catch (error) {
      // A stop that began after the checks above: the shutdown owns the agent now.
      if (agent.status().stopping) return this.ignored(trigger);
      logger.error({ file, err: error }, 'config reload failed');
      return this.count({ result: 'failed', diff, error });
    }
  }

  private reject(file: string, problems: readonly string[]): ReloadOutcome {
    this.opts.logger.error({ file, problems }, `config reload rejected; the old config keeps running:\n  ${problems.join('\n  ')}`);
    return this.count({ result: 'rejected', problems });
  }

  private count<T extends ReloadOutcome & { result: 'applied' | 'unchanged' | 'rejected' | 'failed' }>(outcome: T): T {
    this.opts.agent.metrics.configReloaded(outcome.result, (this.opts.now ?? Date.now)());
    return outcome;
  }
}
