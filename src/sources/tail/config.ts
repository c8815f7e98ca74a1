/**
 * Configuration of the `tail` source (a `tail -F` follower of one file by name).
 *
 * Option names follow Flume's exec/TAILDIR sources where one exists (batchSize, fileHeader,
 * fileHeaderKey). The schema is strict: unknown keys are rejected with the option's path.
 */
import { z } from 'zod';
import { byteSize } from '../../config/units.js';

function positiveBytes(fallback: number, what: string) {
  return byteSize()
    .refine((n) => n > 0, 'must be greater than 0')
    .default(fallback)
    .describe(what);
}

export const tailConfigSchema = z.strictObject({
  path: z
    .string({ error: 'required: the file to follow' })
    .min(1, 'required: the file to follow')
    .describe('File followed by name (tail -F): rotated-away files are drained, then the new file is read from 0.'),
  startAt: z
    .enum(['beginning', 'end'], { error: "must be 'beginning' or 'end'" })
    .default('beginning')
    .describe("Where to start when there is no checkpoint: 'beginning' of the file, or its 'end' (after the last complete line)."),
  batchSize: z
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .positive('must be greater than 0')
    .default(1000)
    .describe('Most lines per emitted batch (capped at the buffer bound so one batch always fits).'),
  readChunkBytes: positiveBytes(65536, 'Bytes per read call; e.g. 64KiB.'),
  pollIntervalMs: z
    .number({ error: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(5, 'must be at least 5')
    .default(250)
    .describe('How often an idle follower looks for new bytes, rotation and truncation.'),
  watch: z
    .boolean({ error: 'must be true or false' })
    .default(true)
    .describe("Also use fs.watch on the file's folder to wake early; polling stays correct without it."),
  maxLineBytes: positiveBytes(1024 * 1024, 'Longer lines are cut to a prefix and flagged (dead-lettered); e.g. 1MiB.'),
  fileHeader: z.boolean({ error: 'must be true or false' }).default(false).describe('Add the absolute file path as a header.'),
  fileHeaderKey: z.string().min(1, 'must not be empty').default('file').describe('Header name for the file path.'),
});

export type TailSourceConfig = z.output<typeof tailConfigSchema>;
