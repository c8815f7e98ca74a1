/**
 * Config of the `hdfs` sink. Option names follow Flume's hdfs sink (`hdfs.path`, `hdfs.rollSize`,
 * ...) without the `hdfs.` prefix. Templates and the time zone are checked here, so a bad escape
 * or zone fails config validation with the escape named, never at the first write.
 *
 * Backend: `url` (or `namenodes`, a failover list) selects WebHDFS; none or `file:` selects the
 * embedded local layout under `root` (endpoint.ts). URLs are checked here with the option named.
 */
import { z } from 'zod';
import { byteSize, milliseconds } from '../../config/units.js';
import { isValidTimeZone, ZonedCalendar } from './calendar.js';
import { parseHdfsUrl } from './endpoint.js';
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

const hdfsUrl = (kinds: 'any' | 'webhdfs') =>
  z.string({ error: 'must be a URL string' }).superRefine((value, ctx) => {
    const parsed = parseHdfsUrl(value);
    if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem });
    else if (kinds === 'webhdfs' && parsed.kind !== 'webhdfs')
      ctx.addIssue({ code: 'custom', message: 'must be a webhdfs:, swebhdfs:, http: or https: URL' });
  });

const hdfsSinkOptions = z.strictObject({
  url: hdfsUrl('any')
    .optional()
    .describe(
      "Where HDFS is: 'webhdfs://namenode:9870' (or http(s)://, swebhdfs://) for WebHDFS; none or 'file:' for the local layout under root.",
    ),
  namenodes: z
    .array(hdfsUrl('webhdfs'), { error: 'must be a list of namenode URLs' })
    .min(1, { error: 'must name at least one namenode' })
    .optional()
    .describe(
      'WebHDFS namenodes in failover order (HA pair), instead of url; the next is tried on connection failure or StandbyException.',
    ),
  user: z
    .string({ error: 'must be a string' })
    .min(1, { error: 'must not be empty' })
    .optional()
    .describe('WebHDFS simple-auth user (user.name=); none: the cluster default user.'),
  delegationToken: z
    .string({ error: 'must be a string' })
    .min(1, { error: 'must not be empty' })
    .optional()
    .describe('WebHDFS delegation token (delegation=), instead of user.'),
  requestTimeoutMs: milliseconds(1)
    .default(30000)
    .describe('Longest wait for one WebHDFS request (each step of CREATE/APPEND); a timeout is retried.'),
  noredirect: z
    .boolean({ error: 'must be true or false' })
    .default(false)
    .describe('Ask the namenode for noredirect=true replies (Hadoop ≥ 2.8) instead of 307 redirects to the datanode.'),
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
    .enum(['deflate', 'snappy', 'null'], { error: 'must be "deflate", "snappy" or "null"' })
    .default('deflate')
    .describe('Avro block codec (avro format only): deflate (smallest), snappy (fastest, with CRC-32), or null.'),
  deflateLevel: z
    .number({ error: 'must be an integer from 1 to 9' })
    .int({ error: 'must be an integer from 1 to 9' })
    .min(1, { error: 'must be an integer from 1 to 9' })
    .max(9, { error: 'must be an integer from 1 to 9' })
    .default(6)
    .describe(
      "zlib level of deflate blocks (codec deflate): 1 fastest (about 30% of the CPU of 6; pilot Avro files 12% larger), 4 close to 6 in size at under half its CPU … 9 smallest; 6 as Avro's Java writer.",
    ),
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

export const hdfsSinkConfigSchema = hdfsSinkOptions.superRefine((config, ctx) => {
  if (config.url !== undefined && config.namenodes !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['namenodes'], message: 'set either url or namenodes, not both' });
  }
  if (config.user !== undefined && config.delegationToken !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['delegationToken'], message: 'set either user or delegationToken, not both' });
  }
});

export type HdfsSinkConfig = z.output<typeof hdfsSinkConfigSchema>;
