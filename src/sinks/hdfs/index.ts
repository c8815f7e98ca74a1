/**
 * Registration of the `hdfs` sink: Flume's HDFS sink layout (path templates, in-use suffix,
 * rolls) over a pluggable backend chosen by `url`/`namenodes` (endpoint.ts): WebHDFS, or the
 * embedded local filesystem under `root` standing for HDFS '/'. One roller serves both; see
 * hdfs-sink.ts for the write, roll and recovery protocol, webhdfs/backend.ts for the WebHDFS one.
 */
import type { ComponentContext, ComponentRegistration, Sink } from '../../core/component.js';
import type { HdfsBackend } from './backend.js';
import { type HdfsSinkConfig, hdfsSinkConfigSchema } from './config.js';
import { parseHdfsUrl } from './endpoint.js';
import { HdfsSink } from './hdfs-sink.js';
import { LocalBackend } from './local-backend.js';
import { WebHdfsBackend } from './webhdfs/backend.js';
import { WebHdfsClient } from './webhdfs/client.js';

export type { HdfsBackend, OutputFile } from './backend.js';
export type { HdfsSinkConfig } from './config.js';
export { hdfsSinkConfigSchema } from './config.js';
export { type HdfsEndpoint, parseHdfsUrl } from './endpoint.js';
export { HdfsSink } from './hdfs-sink.js';
export { LocalBackend } from './local-backend.js';
export { WebHdfsBackend } from './webhdfs/backend.js';
export { type FileStatus, WebHdfsClient, type WebHdfsClientOptions } from './webhdfs/client.js';
export { WebHdfsError } from './webhdfs/errors.js';

/** The backend a validated config names. */
export function createHdfsBackend(config: HdfsSinkConfig, ctx: ComponentContext): HdfsBackend {
  const urls = config.namenodes ?? (config.url === undefined ? [] : [config.url]);
  const endpoints = urls.map((u) => parseHdfsUrl(u));
  const bases: string[] = [];
  let localRoot = config.root;
  for (const e of endpoints) {
    if ('problem' in e) throw new Error(`invalid hdfs url: ${e.problem}`); // unreachable: the schema checked it
    if (e.kind === 'webhdfs') bases.push(e.base);
    else if (e.root !== undefined) localRoot = e.root;
  }
  if (bases.length === 0) return new LocalBackend(localRoot);
  const client = new WebHdfsClient({
    namenodes: bases,
    user: config.user,
    delegationToken: config.delegationToken,
    requestTimeoutMs: config.requestTimeoutMs,
    noredirect: config.noredirect,
    onConnection: (connected) => ctx.metrics.sinkConnection(ctx.id, connected),
  });
  return new WebHdfsBackend(client, config.requestTimeoutMs);
}

export const hdfsSink: ComponentRegistration<HdfsSinkConfig, Sink> = {
  type: 'hdfs',
  configSchema: hdfsSinkConfigSchema,
  create: (config, ctx) => new HdfsSink(config, ctx, createHdfsBackend(config, ctx)),
};
