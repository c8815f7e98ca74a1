/**
 * Config of the `hdfs` sink. Option names follow Flume's hdfs sink (`hdfs.path`, `hdfs.rollSize`,
 * ...) without the `hdfs.` prefix. Templates and the time zone are checked here, so a bad escape
 * or zone fails config validation with the escape named, never at the first write.
 */
import { z } from 'zod';
import { byteSize } from '../../config/units.js';
import { isValidTimeZone, ZonedCalendar } from './calendar.js';
import { SUPPORTED_ESCAPES, templateProblem } from './path-template.js';

const UTC = new ZonedCalendar('UTC');

const template = (what: string) =>
  z.string({ error: `required: ${what} template` }).superRefine((value, ctx) => {
    const problem = templateProblem(value, UTC);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const fileNamePart = z
  .string({ error: 'must be a string' })
  .refine((s) => !s.includes('/'), { error: 'must not contain "/" (it is part of a file name)' });

export const hdfsSinkConfigSchema = z.strictObject({
  root: z
    .string({ error: 'must be a folder path' })
    .min(1, { error: 'must not be empty' })
    .default('./data/hdfs')
    .describe("Local folder standing for HDFS '/' (the embedded local-filesystem backend)."),
  path: template('path')
    .refine((s) => s.length > 0, { error: 'required: a directory template, e.g. /pilot-pjt/collect/%{logType}/wrk_date=%Y%m%d' })
    .describe(`Directory template under the root. Escapes: ${SUPPORTED_ESCAPES}.`),
  filePrefix: template('filePrefix')
    .refine((s) => s.length > 0 && !s.includes('/'), { error: 'must be non-empty and contain no "/"' })
    .default('FlumeData')
    .describe('File name prefix template (same escapes as path).'),
  fileSuffix: fileNamePart.default('').describe("Suffix of finished files, e.g. '.log' or '.avro'."),
  inUseSuffix: fileNamePart
    .refine((s) => s.length > 0, { error: 'must not be empty (in-use files must never look finished)' })
    .default('.tmp')
    .describe('Suffix marking a file still being written.'),
  format: z
    .enum(['text', 'avro'], { error: 'must be "text" or "avro"' })
    .default('text')
    .describe("'text': Flume DataStream, body + '\\n' per event; 'avro': Avro object container of the parsed records."),
  codec: z
    .enum(['deflate', 'null'], { error: 'must be "deflate" or "null"' })
    .default('deflate')
    .describe('Avro block codec (avro format only).'),
  rollSize: byteSize()
    .default(67108864)
    .describe('Roll once a file reaches this many bytes (checked after each batch; 0 = off). Accepts 64MiB etc.'),
  rollCount: z
    .number({ error: 'must be a number of events' })
    .int({ error: 'must be a whole number' })
    .nonnegative({ error: 'must be >= 0' })
    .default(0)
    .describe('Roll once a file holds this many events (checked after each batch; 0 = off).'),
  rollInterval: z
    .number({ error: 'must be a number of seconds' })
    .nonnegative({ error: 'must be >= 0' })
    .default(3600)
    .describe('Roll a file this many seconds after it was opened (0 = off).'),
  idleTimeout: z
    .number({ error: 'must be a number of seconds' })
    .nonnegative({ error: 'must be >= 0' })
    .default(0)
    .describe('Roll a file after this many seconds without writes (0 = off).'),
  useLocalTimeStamp: z
    .boolean({ error: 'must be true or false' })
    .default(false)
    .describe('Use the agent clock instead of the `timestamp` header for time escapes.'),
  timeZone: z
    .string({ error: 'must be a string' })
    .refine(isValidTimeZone, { error: "must be 'local' or an IANA time zone such as 'UTC' or 'Asia/Seoul'" })
    .default('local')
    .describe("Zone for time escapes: 'local' (the process zone) or an IANA name."),
  maxOpenFiles: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .positive({ error: 'must be >= 1' })
    .default(5000)
    .describe('Most files open at once; past it the least recently written is rolled.'),
  fsync: z
    .enum(['batch'], { error: 'must be "batch"' })
    .default('batch')
    .describe("'batch': every file a batch touched is fsynced (and the sink state saved) before the batch is acknowledged."),
});

export type HdfsSinkConfig = z.output<typeof hdfsSinkConfigSchema>;
