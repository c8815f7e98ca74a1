/**
 * Config of the disk buffer (`sources.<id>.buffer` with `type: disk`). The memory buffer's
 * options stay in src/config/schema.ts; both form the `buffer` union there.
 */
import { z } from 'zod';
import { byteSize, milliseconds } from '../../config/units.js';

export const DISK_BUFFER_DEFAULTS = {
  maxBytes: 1024 * 1024 * 1024,
  segmentBytes: 32 * 1024 * 1024,
  fsync: 'batch',
  fsyncIntervalMs: 1000,
  whenFull: 'block',
} as const;

export const diskBufferSchema = z.strictObject({
  type: z
    .literal('disk', { error: 'must be memory or disk' })
    .describe('disk: a write-ahead log on disk (survives crashes and sink outages).'),
  dir: z
    .string({ error: 'must be a folder path' })
    .min(1, 'must be a folder path')
    .optional()
    .describe('Folder of the log segments and sink positions (one per source). Default: <agent.stateDir>/buffers/<source id>.'),
  maxBytes: byteSize()
    .default(DISK_BUFFER_DEFAULTS.maxBytes)
    .describe('Most bytes the log holds on disk (events not yet acknowledged by every sink); then whenFull applies.'),
  segmentBytes: byteSize()
    .default(DISK_BUFFER_DEFAULTS.segmentBytes)
    .describe('Size at which a segment file is closed and a new one started; a segment is deleted once every sink has read it.'),
  fsync: z
    .enum(['batch', 'interval'], { error: 'must be batch or interval' })
    .default(DISK_BUFFER_DEFAULTS.fsync)
    .describe(
      'batch: fsync before the source is acknowledged (nothing lost on a machine crash); interval: fsync every ' +
        'fsyncIntervalMs (a process crash loses nothing, a machine crash may lose up to that interval).',
    ),
  fsyncIntervalMs: milliseconds().default(DISK_BUFFER_DEFAULTS.fsyncIntervalMs).describe('fsync period with fsync: interval.'),
  whenFull: z
    .enum(['block', 'drop_newest'], { error: 'must be block or drop_newest' })
    .default(DISK_BUFFER_DEFAULTS.whenFull)
    .describe(
      'block: the source waits for space; drop_newest: while the log is full, the source drops its newest batches ' +
        '(counted buffer_full, before validation).',
    ),
});

export type DiskBufferOptions = z.output<typeof diskBufferSchema>;
