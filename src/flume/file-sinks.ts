/**
 * Flume sinks that write files → the rxflume `hdfs` sink (DataStream text: body + '\n' per event,
 * the bytes Flume's DataStream/TEXT serializer writes).
 *
 *   hdfs       hdfs.path (see hdfs-location.ts), filePrefix, fileSuffix, inUseSuffix, rollSize,
 *              rollCount, rollInterval, idleTimeout, batchSize, maxOpenFiles, timeZone,
 *              useLocalTimeStamp, callTimeout → requestTimeoutMs, proxyUser → user (WebHDFS).
 *              Flume's defaults are applied when unset (rollInterval 30, rollSize 1024,
 *              rollCount 10, batchSize 100), so the files roll as Flume's would.
 *   file_roll  sink.directory → the local layout rooted there (path '/'), sink.rollInterval
 *              (default 30) → rollInterval, sink.batchSize (default 100); file names differ
 *              (reported).
 * Refused (errors): SequenceFile/CompressedStream, codeC, inUsePrefix, emptyInUseSuffix, round,
 * Kerberos, serializers other than TEXT, serializer.appendNewline = false.
 */
import type { FlumeComponent } from './agent-model.js';
import { resolveHdfsPath } from './hdfs-location.js';
import type { MappingContext, RawSection } from './mapping-context.js';

const FLUME_HDFS_DEFAULTS = { rollInterval: 30, rollSize: 1024, rollCount: 10, batchSize: 100 } as const;

function textSerializer(c: FlumeComponent, prefix: string, ctx: MappingContext): void {
  const serializer = c.value(`${prefix}serializer`);
  if (serializer !== undefined && serializer.toUpperCase() !== 'TEXT')
    ctx.report.error(
      c.at(`${prefix}serializer`),
      `serializer ${serializer} is not supported: imported sinks write text lines (a YAML config can choose format: avro)`,
    );
  if (ctx.bool(c, `${prefix}serializer.appendNewline`) === false)
    ctx.report.error(c.at(`${prefix}serializer.appendNewline`), 'lines are always written with a newline');
}

export function mapHdfsSink(c: FlumeComponent, ctx: MappingContext): RawSection | undefined {
  const path = `sinks.${c.name}`;
  const s: RawSection = { type: 'hdfs', format: 'text' };
  const hdfsPath = c.value('hdfs.path');
  if (hdfsPath === undefined) {
    ctx.report.error(c.at('hdfs.path'), 'required: the directory (e.g. /flume/events/%Y%m%d)');
    return undefined;
  }
  const where = resolveHdfsPath(hdfsPath, ctx.options.hdfsUrl);
  if ('problem' in where) {
    ctx.report.error(c.at('hdfs.path'), where.problem);
    return undefined;
  }
  if (where.url !== undefined) ctx.put(s, path, 'url', where.url, c, 'hdfs.path');
  if (where.root !== undefined) ctx.put(s, path, 'root', where.root, c, 'hdfs.path');
  ctx.put(s, path, 'path', where.path, c, 'hdfs.path');
  for (const note of where.notes) ctx.report.warn(c.at('hdfs.path'), note);

  for (const name of ['filePrefix', 'fileSuffix', 'inUseSuffix', 'timeZone']) {
    const v = c.value(`hdfs.${name}`);
    if (v !== undefined) ctx.put(s, path, name, v, c, `hdfs.${name}`);
  }
  for (const [name, fallback] of Object.entries(FLUME_HDFS_DEFAULTS)) {
    const v = ctx.int(c, `hdfs.${name}`, name === 'batchSize' ? 1 : 0);
    if (v !== undefined) ctx.put(s, path, name, v, c, `hdfs.${name}`);
    else s[name] = fallback;
  }
  const idle = ctx.int(c, 'hdfs.idleTimeout');
  if (idle !== undefined) ctx.put(s, path, 'idleTimeout', idle, c, 'hdfs.idleTimeout');
  const maxOpen = ctx.int(c, 'hdfs.maxOpenFiles', 1);
  if (maxOpen !== undefined) ctx.put(s, path, 'maxOpenFiles', maxOpen, c, 'hdfs.maxOpenFiles');
  const callTimeout = ctx.int(c, 'hdfs.callTimeout', 1);
  if (callTimeout !== undefined) ctx.put(s, path, 'requestTimeoutMs', callTimeout, c, 'hdfs.callTimeout');
  const localTs = ctx.bool(c, 'hdfs.useLocalTimeStamp');
  if (localTs !== undefined) ctx.put(s, path, 'useLocalTimeStamp', localTs, c, 'hdfs.useLocalTimeStamp');
  const proxyUser = c.value('hdfs.proxyUser');
  if (proxyUser !== undefined) {
    if (where.url !== undefined) ctx.put(s, path, 'user', proxyUser, c, 'hdfs.proxyUser');
    else ctx.report.warn(c.at('hdfs.proxyUser'), 'the local layout is written as the agent user');
  }

  const fileType = c.value('hdfs.fileType');
  if (fileType === undefined)
    ctx.report.warn(c.at('type'), "no hdfs.fileType: Flume's default is SequenceFile; rxflume writes DataStream (text lines)");
  else if (fileType.toLowerCase() !== 'datastream')
    ctx.report.error(c.at('hdfs.fileType'), `fileType ${fileType} is not supported: only DataStream (text lines)`);
  const writeFormat = c.value('hdfs.writeFormat');
  if (writeFormat !== undefined && !['text', 'writable'].includes(writeFormat.toLowerCase()))
    ctx.report.error(c.at('hdfs.writeFormat'), 'must be Text or Writable');
  ctx.unsupported(c, 'hdfs.codeC', 'compressed text output is not supported (Flume refuses codeC with DataStream too)');
  const inUsePrefix = c.value('hdfs.inUsePrefix');
  if (inUsePrefix !== undefined && inUsePrefix !== '')
    ctx.report.error(c.at('hdfs.inUsePrefix'), 'in-use files cannot get a prefix: rxflume marks them with inUseSuffix (default .tmp)');
  if (ctx.bool(c, 'hdfs.emptyInUseSuffix') === true)
    ctx.report.error(c.at('hdfs.emptyInUseSuffix'), 'in-use files always carry inUseSuffix, so they never look finished');
  const round = ctx.bool(c, 'hdfs.round');
  if (round === true) ctx.report.error(c.at('hdfs.round'), 'rounding the time escapes down is not supported');
  for (const sub of ['hdfs.roundValue', 'hdfs.roundUnit']) {
    if (round === true) c.entry(sub);
    else ctx.harmless(c, sub, 'unused: hdfs.round is not true');
  }
  ctx.unsupported(c, 'hdfs.kerberosPrincipal', 'Kerberos is not supported (WebHDFS user or delegationToken in YAML)');
  ctx.unsupported(c, 'hdfs.kerberosKeytab', 'Kerberos is not supported (WebHDFS user or delegationToken in YAML)');
  for (const sub of ['hdfs.threadsPoolSize', 'hdfs.rollTimerPoolSize'])
    ctx.harmless(c, sub, 'rxflume writes from one event loop; no thread pools to size');
  for (const sub of ['hdfs.closeTries', 'hdfs.retryInterval'])
    ctx.harmless(c, sub, 'a failed write, close or rename is retried with backoff (the sink retry options) until it succeeds');
  ctx.harmless(c, 'hdfs.minBlockReplicas', 'block replication is left to HDFS');
  ctx.harmless(c, 'hdfs.useRawLocalFileSystem', 'the local layout is written and fsynced by the sink itself');
  textSerializer(c, '', ctx);
  return s;
}

export function mapFileRollSink(c: FlumeComponent, ctx: MappingContext): RawSection | undefined {
  const path = `sinks.${c.name}`;
  const dir = c.value('sink.directory');
  if (dir === undefined) {
    ctx.report.error(c.at('sink.directory'), 'required: the output folder');
    return undefined;
  }
  const s: RawSection = { type: 'hdfs', format: 'text', path: '/', rollSize: 0, rollCount: 0 };
  ctx.put(s, path, 'root', dir, c, 'sink.directory');
  ctx.put(s, path, 'rollInterval', ctx.int(c, 'sink.rollInterval') ?? 30, c, 'sink.rollInterval');
  ctx.put(s, path, 'batchSize', ctx.int(c, 'sink.batchSize', 1) ?? 100, c, 'sink.batchSize');
  const prefix = c.value('sink.pathManager.prefix');
  if (prefix) ctx.put(s, path, 'filePrefix', prefix, c, 'sink.pathManager.prefix');
  const extension = c.value('sink.pathManager.extension');
  if (extension) ctx.put(s, path, 'fileSuffix', `.${extension}`, c, 'sink.pathManager.extension');
  c.value('sink.pathManager');
  ctx.report.warn(
    c.at('type'),
    'file_roll is written by the hdfs sink in its local layout: files are named <prefix>.<agent id>.<counter><suffix> (Flume: <time>-<n>) and carry .tmp while open',
  );
  textSerializer(c, 'sink.', ctx);
  return s;
}
