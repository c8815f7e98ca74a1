/**
 * Builds a source's buffer from its `buffer` config: the flow gate the source reads through,
 * and for `type: disk` the disk log the pipeline puts between validation and the sinks.
 *
 * With a memory buffer the gate is the whole buffer (events settle when every sink has them).
 * With a disk buffer the gate only bounds what is read and not yet durable in the log (events
 * settle once appended), so it is small and blocks when its own bound is reached; `whenFull`
 * applies to the log's `maxBytes`:
 * - `block`: appends wait for space, so the intake fills and the source waits.
 * - `drop_newest`: the log itself still only waits (a batch that reached it passed validation
 *   and is counted accepted there, so dropping it would break the books of metrics.ts); instead
 *   the intake gate answers `dropped` while appends are waiting for space, so the source drops
 *   (and counts `buffer_full`) its newest batches before validation, as with a memory buffer.
 *   Memory stays bounded by the intake gate.
 *
 * A source on a memory buffer whose default disk buffer folder still holds undelivered events
 * (it was switched from disk) gets a clear error in the log (disk/leftover.ts).
 */
import { join, resolve } from 'node:path';
import type { BufferOptions } from '../config/schema.js';
import type { ComponentContext } from '../core/component.js';
import type { BufferReading } from '../metrics/metrics.js';
import { DiskLog } from './disk/disk-log.js';
import { reportUndeliveredLog } from './disk/leftover.js';
import { type AdmitResult, FlowGate } from './memory.js';

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
    // Switched from a disk buffer: what that log still holds was acknowledged to the source already.
    void reportUndeliveredLog(join(ctx.stateDir, 'buffers', ctx.id), ctx.id, ctx.logger);
    const gate = new FlowGate(config);
    return { gate, reading: gate };
  }
  ctx.metrics.diskBufferCreated(ctx.id);
  const disk = new DiskLog({
    dir: resolve(config.dir ?? join(ctx.stateDir, 'buffers', ctx.id)),
    maxBytes: config.maxBytes,
    segmentBytes: Math.min(config.segmentBytes, config.maxBytes),
    fsync: config.fsync,
    fsyncIntervalMs: config.fsyncIntervalMs,
    // drop_newest drops at the intake (see the module header): what reaches the log waits.
    whenFull: 'block',
    sinkIds,
    logger: ctx.logger,
    onTorn: (n) => ctx.metrics.bufferTornRecords(ctx.id, n),
    onWriteError: (code) => ctx.metrics.bufferWriteError(ctx.id, code),
  });
  const gate =
    config.whenFull === 'drop_newest' ? new DroppingIntakeGate(disk) : new FlowGate({ ...DISK_INTAKE_BOUNDS, whenFull: 'block' });
  return { gate, disk, reading: diskReading(disk, config.maxBytes) };
}

/** The intake of a `drop_newest` disk buffer: drops while the log holds appends for space. */
class DroppingIntakeGate extends FlowGate {
  private isClosed = false;

  constructor(private readonly log: DiskLog) {
    super({ ...DISK_INTAKE_BOUNDS, whenFull: 'block' });
  }

  override admit(events: number, bytes: number): Promise<AdmitResult> | AdmitResult {
    if (!this.isClosed && this.log.holdingForSpace) return 'dropped';
    return super.admit(events, bytes);
  }

  override close(): void {
    this.isClosed = true;
    super.close();
  }
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
