/**
 * Flume channels → the `buffer` of each rxflume source that puts events into them.
 *
 *   memory: capacity → maxEvents (Flume default 100), byteCapacity → maxBytes.
 *   file:   → `{ type: disk, dir: <first dataDirs entry>, fsync }`; the disk buffer bounds bytes,
 *           so capacity (events) is reported; checkpointDir is reported as a note (the disk
 *           buffer keeps its index next to its data).
 * A channel is a queue between a source and its sinks; rxflume has one bounded buffer per source,
 * so a channel shared by two sources gives each source a buffer of that size (reported).
 */
import type { FlumeComponent } from './agent-model.js';
import { type MappingContext, type Origin, type RawSection, typeAlias } from './mapping-context.js';

export interface MappedChannel {
  readonly buffer: RawSection;
  /** Buffer field → the Flume property it came from. */
  readonly origins: ReadonlyMap<string, Origin>;
}

const CHANNEL_CLASSES: Record<string, string> = {
  'org.apache.flume.channel.MemoryChannel': 'memory',
  'org.apache.flume.channel.file.FileChannel': 'file',
};

/** Flume's memory channel capacity when the file does not set one. */
const FLUME_MEMORY_CAPACITY = 100;

export function mapChannel(c: FlumeComponent, ctx: MappingContext): MappedChannel | undefined {
  const type = c.type;
  if (type === undefined) return undefined;
  const buffer: RawSection = {};
  const origins = new Map<string, Origin>();
  const put = (field: string, value: unknown, sub: string) => {
    buffer[field] = value;
    origins.set(field, c.at(sub));
  };
  const kind = typeAlias(type, CHANNEL_CLASSES);
  const harmlessTx = 'rxflume has no channel transactions: the source batchSize and sink batchSize size the batches';
  if (kind === 'memory') {
    put('maxEvents', ctx.int(c, 'capacity', 1) ?? FLUME_MEMORY_CAPACITY, 'capacity');
    const bytes = ctx.int(c, 'byteCapacity', 1);
    if (bytes !== undefined) put('maxBytes', bytes, 'byteCapacity');
    ctx.harmless(c, 'transactionCapacity', harmlessTx);
    ctx.harmless(c, 'byteCapacityBufferPercentage', 'rxflume counts body bytes only, so no header allowance is needed');
    ctx.harmless(c, 'keep-alive', 'a full buffer makes the source wait (whenFull: block) for as long as it takes');
    return { buffer, origins };
  }
  if (kind === 'file') {
    put('type', 'disk', 'type');
    const dirs = (c.value('dataDirs') ?? '')
      .split(',')
      .map((d) => d.trim())
      .filter(Boolean);
    if (dirs.length > 0) put('dir', dirs[0], 'dataDirs');
    else ctx.report.warn(c.at('type'), 'no dataDirs: the disk buffer lives under <agent.stateDir>/buffers/<source id>');
    if (dirs.length > 1) ctx.report.warn(c.at('dataDirs'), `several data folders: rxflume uses the first (${dirs[0]})`);
    ctx.harmless(c, 'checkpointDir', 'rxflume keeps the disk buffer index in its data folder (its own checkpoints)');
    ctx.harmless(c, 'useDualCheckpoints', 'rxflume keeps the disk buffer index in its data folder (its own checkpoints)');
    ctx.harmless(c, 'backupCheckpointDir', 'rxflume keeps the disk buffer index in its data folder (its own checkpoints)');
    ctx.harmless(c, 'checkpointInterval', 'the disk buffer index is written with each fsync');
    ctx.harmless(c, 'capacity', 'the disk buffer is bounded in bytes (buffer.maxBytes), not in events');
    ctx.harmless(c, 'transactionCapacity', harmlessTx);
    ctx.harmless(c, 'maxFileSize', 'the disk buffer sizes its segment files itself');
    ctx.harmless(c, 'minimumRequiredSpace', 'a full disk stops the buffer (the source waits) instead of a free-space threshold');
    ctx.harmless(c, 'keep-alive', 'a full buffer makes the source wait (whenFull: block) for as long as it takes');
    const perTx = ctx.bool(c, 'fsyncPerTransaction');
    if (perTx !== undefined) put('fsync', perTx ? 'batch' : 'interval', 'fsyncPerTransaction');
    const interval = ctx.int(c, 'fsyncInterval', 1);
    if (interval !== undefined) put('fsyncIntervalMs', interval * 1000, 'fsyncInterval');
    for (const sub of c.keysUnder('encryption.'))
      ctx.unsupported(c, sub, 'file channel encryption is not supported (encrypt the volume instead)');
    return { buffer, origins };
  }
  ctx.report.error(c.at('type'), `channel type "${type}" is not supported (rxflume has memory and file/disk buffers)`);
  return undefined;
}
