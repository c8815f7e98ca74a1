/**
 * Configuration of the `spooldir` source. Option names follow Flume's spooling directory source
 * where one exists (spoolDir, fileSuffix, deletePolicy, includePattern, ignorePattern,
 * consumeOrder, pollDelay, batchSize, fileHeader, basenameHeader, …).
 *
 * Invariants: the schema is strict (unknown keys rejected); regexes are compiled here, so a bad
 * pattern is a config error naming its option instead of a crash at the first scan.
 */
import { z } from 'zod';
import { byteSize } from '../../config/units.js';

/** A regex option: validated by compiling it, so the error names the option and the cause. */
function regexOption(fallback: string, what: string) {
  return z
    .string({ error: 'must be a regular expression string' })
    .superRefine((value, ctx) => {
      try {
        new RegExp(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(err as Error).message}` });
      }
    })
    .default(fallback)
    .describe(what);
}

function positiveBytes(fallback: number, what: string) {
  return byteSize()
    .refine((n) => n > 0, 'must be greater than 0')
    .default(fallback)
    .describe(what);
}

function wholeNumber(min: 0 | 1) {
  const n = z.number({ error: 'must be a number' }).int('must be a whole number');
  return min === 0 ? n.min(0, 'must be 0 or more') : n.positive('must be greater than 0');
}

export const spooldirConfigSchema = z.strictObject({
  spoolDir: z
    .string({ error: 'required: the folder to watch' })
    .min(1, 'required: the folder to watch')
    .describe('Folder whose finished files are read, one at a time, then renamed or deleted.'),
  fileSuffix: z
    .string()
    .min(1, 'must not be empty (it marks finished files)')
    .default('.COMPLETED')
    .describe('Appended to a file once every event of it is delivered (deletePolicy never).'),
  deletePolicy: z
    .enum(['never', 'immediate'], { error: "must be 'never' or 'immediate'" })
    .default('never')
    .describe("'never' renames finished files with fileSuffix; 'immediate' deletes them."),
  includePattern: regexOption('^.*$', 'Only file names matching this regex are read.'),
  ignorePattern: regexOption('^$', 'File names matching this regex are never read (applied after includePattern).'),
  inProgressSuffixes: z
    .array(z.string().min(1, 'a suffix must not be empty'))
    .default(['.tmp', '.COPYING', '.part'])
    .describe('Names ending with one of these are still being written and are skipped.'),
  minFileAgeMs: wholeNumber(0).default(1000).describe('A file must be unmodified this long (by mtime) before it is read.'),
  consumeOrder: z
    .enum(['oldest', 'youngest', 'random'], { error: "must be 'oldest', 'youngest' or 'random'" })
    .default('oldest')
    .describe('Which eligible file to read next, by mtime then name.'),
  pollDelay: wholeNumber(1).default(500).describe('Milliseconds between directory scans when idle.'),
  batchSize: wholeNumber(1).default(1000).describe('Lines per emitted batch.'),
  maxLineBytes: positiveBytes(1024 * 1024, 'Longer lines are cut to a prefix and flagged (dead-lettered); e.g. 1MiB.'),
  readChunkBytes: positiveBytes(1024 * 1024, 'Bytes read per file read call; e.g. 1MiB.'),
  quarantineDir: z.string().min(1).optional().describe('Where unreadable or changing files are moved; default <spoolDir>/.quarantine.'),
  fileHeader: z.boolean().default(false).describe('Add the absolute file path as a header.'),
  fileHeaderKey: z.string().min(1).default('file').describe('Header name for the file path.'),
  basenameHeader: z.boolean().default(false).describe('Add the file name as a header.'),
  basenameHeaderKey: z.string().min(1).default('basename').describe('Header name for the file name.'),
});

export type SpooldirSourceConfig = z.output<typeof spooldirConfigSchema>;
export type ConsumeOrder = SpooldirSourceConfig['consumeOrder'];
