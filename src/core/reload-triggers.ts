/**
 * What starts a config reload in `rxflume run`: SIGHUP always, and with `--watch-config` a change
 * of the config file's content (reload-watch.ts). Both go through one ConfigReloader, so reloads
 * are serialized whatever asks for them.
 *
 * The SIGHUP handler is installed before the agent has started (otherwise a SIGHUP during a slow
 * start would kill the process, Node's default): a reload asked for then runs once the start is
 * over. During shutdown every request is ignored (the reloader checks the agent).
 */
import type { AgentConfig } from '../config/load.js';
import type { Agent } from './agent.js';
import type { Logger } from './logger.js';
import { ConfigReloader } from './reload.js';
import { type ConfigWatch, watchConfigFile } from './reload-watch.js';

export interface ReloadTriggerOptions {
  readonly agent: Agent;
  readonly file: string;
  /** Loads and validates `file` the way the running config was loaded. */
  readonly load: () => Promise<AgentConfig>;
  readonly logger: Logger;
  /** Also reload when the file's content changes. */
  readonly watch: boolean;
  /** Reloads wait for this (the agent's start). */
  readonly after?: Promise<unknown>;
}

export interface ReloadTriggers {
  readonly reloader: ConfigReloader;
  close(): void;
}

export function startReloadTriggers(opts: ReloadTriggerOptions): ReloadTriggers {
  const { logger } = opts;
  const reloader = new ConfigReloader({ agent: opts.agent, load: opts.load, logger, after: opts.after });
  const onHangup = (): void => {
    logger.info({ signal: 'SIGHUP' }, 'signal received: reloading the config');
    void reloader.request('SIGHUP');
  };
  process.on('SIGHUP', onHangup);
  let watch: ConfigWatch | undefined;
  if (opts.watch) {
    watch = watchConfigFile(opts.file, () => void reloader.request('watch'), { logger });
    logger.info({ file: opts.file }, 'watching the config file for changes');
  }
  return {
    reloader,
    close() {
      reloader.close();
      watch?.close();
      process.off('SIGHUP', onHangup);
    },
  };
}
