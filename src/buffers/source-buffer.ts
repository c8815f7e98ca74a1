/**
 * Builds a source's buffer from its `buffer` config: the flow gate the source reads through,
 * and for `type: disk` the disk log the pipeline puts between validation and the sinks.
 *
 * With a memory buffer the gate is the whole buffer (events settle when every sink has them).
 * With a disk buffer the gate only bounds what is read and not yet durable in the log (events
 * settle once appended), so it is small and always blocks: `whenFull` applies to the log.
 */
import { join, resolve } from 'node:path';
import type { BufferOptions } from '../config/schema.js';
import type { ComponentContext } from '../core/component.js';
import type { BufferReading } from '../metrics/metrics.js';
import { DiskLog } from './disk/disk-log.js';
import { FlowGate } from './memory.js';

/** What is read from the source and not yet in the disk log, at most. */
export const DISK_INTAKE_BOUNDS = { maxEvents: 50_000, maxBytes: 32 * 1024 * 1024 } as const;

export interface SourceBuffer {
  readonly gate: FlowGate;
  /** Set for `type: disk`. */
  readonly disk?: DiskLog;
  /** What the buffer gauges report (the gate, or the disk log's fill). */
  readonly reading: BufferReading;
}

export function createSourceBuffer(config: BufferOptions, ctx: ComponentContext, sinkIds: readonly string[]): SourceBuffer {
  if (config.type === 'memory') {
    const gate = new FlowGate(config);
    return { gate, reading: gate };
  }
  const gate = new FlowGate({ ...DISK_INTAKE_BOUNDS, whenFull: 'block' });
  ctx.metrics.diskBufferCreated(ctx.id);
  const disk = new DiskLog({
    dir: resolve(config.dir ?? join(ctx.stateDir, 'buffers', ctx.id)),
    maxBytes: config.maxBytes,
    segmentBytes: Math.min(config.segmentBytes, config.maxBytes),
    fsync: config.fsync,
    fsyncIntervalMs: config.fsyncIntervalMs,
    whenFull: config.whenFull,
    sinkIds,
    logger: ctx.logger,
    onTorn: (n) => ctx.metrics.bufferTornRecords(ctx.id, n),
    onWriteError: (code) => ctx.metrics.bufferWriteError(ctx.id, code),
  });
  return { gate, disk, reading: diskReading(disk, config.maxBytes) };
}

/**
 * The disk log as the buffer gauges see it: events = appended and not yet acknowledged by every
 * sink, bytes = frame bytes on disk, capacity = maxBytes (there is no event bound: 0).
 */
function diskReading(disk: DiskLog, maxBytes: number): BufferReading {
  return {
    get inFlightEvents() {
      return Math.max(0, disk.unackedEvents);
    },
    get inFlightBytes() {
      return disk.bytesOnDisk;
    },
    maxEvents: 0,
    maxBytes,
    get fillRatio() {
      return disk.bytesOnDisk / maxBytes;
    },
  };
}
