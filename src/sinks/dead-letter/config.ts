/** Config of the dead-letter sink (`deadLetter:` in the agent config). */
import { z } from 'zod';
import { byteSize } from '../../config/units.js';

export const DEFAULT_DEAD_LETTER_MAX_FILE_BYTES = 64 * 1024 * 1024;

export const deadLetterConfigSchema = z.strictObject({
  dir: z
    .string({ error: 'must be a folder path' })
    .min(1, 'must not be empty')
    .default('./data/dead-letter')
    .describe('Folder of the dead-letter files (dead-letter.<agentId>.jsonl and its rolled .1, .2, …).'),
  maxFileBytes: byteSize()
    .refine((n) => n > 0, { error: 'must be more than 0 bytes' })
    .default(DEFAULT_DEAD_LETTER_MAX_FILE_BYTES)
    .describe('Roll the file once it would grow past this size (bytes, or e.g. 64MiB).'),
  fsync: z
    .boolean({ error: 'must be true or false' })
    .default(true)
    .describe('fsync each write before it counts as durable (turn off only for tests or throwaway data).'),
});
export type DeadLetterConfig = z.output<typeof deadLetterConfigSchema>;
