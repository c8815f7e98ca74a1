/**
 * Registration of the `hdfs` sink: Flume's HDFS sink layout (path templates, in-use suffix,
 * rolls) over a pluggable backend. The only backend in this slice is the local filesystem under
 * `root`, standing for HDFS '/'; see hdfs-sink.ts for the write, roll and recovery protocol.
 */
import type { ComponentRegistration, Sink } from '../../core/component.js';
import { type HdfsSinkConfig, hdfsSinkConfigSchema } from './config.js';
import { HdfsSink } from './hdfs-sink.js';
import { LocalBackend } from './local-backend.js';

export type { HdfsBackend, OutputFile } from './backend.js';
export type { HdfsSinkConfig } from './config.js';
export { hdfsSinkConfigSchema } from './config.js';
export { HdfsSink } from './hdfs-sink.js';
export { LocalBackend } from './local-backend.js';

export const hdfsSink: ComponentRegistration<HdfsSinkConfig, Sink> = {
  type: 'hdfs',
  configSchema: hdfsSinkConfigSchema,
  create: (config, ctx) => new HdfsSink(config, ctx, new LocalBackend(config.root)),
};
