/**
 * Registration of the `spooldir` source (Flume's spooling directory source, with acknowledged,
 * checkpointed, demand-driven reading). See source.ts for the behaviour and its invariants.
 *
 * `create` resolves paths (spoolDir, quarantineDir default `<spoolDir>/.quarantine`) and compiles
 * the already validated regexes once, so nothing is parsed per scan or per line.
 */
import { join, resolve } from 'node:path';
import type { ComponentRegistration, Source, SourceContext } from '../../core/component.js';
import { type SpooldirSourceConfig, spooldirConfigSchema } from './config.js';
import { type SpooldirSettings, SpooldirSource } from './source.js';

export type { SpooldirSourceConfig } from './config.js';
export { spooldirConfigSchema } from './config.js';
export { SpooldirSource } from './source.js';

export function spooldirSettings(config: SpooldirSourceConfig): SpooldirSettings {
  const spoolDir = resolve(config.spoolDir);
  return {
    spoolDir,
    quarantineDir: resolve(config.quarantineDir ?? join(spoolDir, '.quarantine')),
    fileSuffix: config.fileSuffix,
    deletePolicy: config.deletePolicy,
    includePattern: new RegExp(config.includePattern),
    ignorePattern: new RegExp(config.ignorePattern),
    inProgressSuffixes: [...config.inProgressSuffixes],
    minFileAgeMs: config.minFileAgeMs,
    consumeOrder: config.consumeOrder,
    pollDelay: config.pollDelay,
    batchSize: config.batchSize,
    maxLineBytes: config.maxLineBytes,
    readChunkBytes: config.readChunkBytes,
    ...(config.fileHeader ? { fileHeaderKey: config.fileHeaderKey } : {}),
    ...(config.basenameHeader ? { basenameHeaderKey: config.basenameHeaderKey } : {}),
  };
}

export const spooldirSource: ComponentRegistration<SpooldirSourceConfig, Source, SourceContext> = {
  type: 'spooldir',
  configSchema: spooldirConfigSchema,
  create: (config, ctx) => new SpooldirSource(spooldirSettings(config), ctx),
};
