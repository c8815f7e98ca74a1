/**
 * The shape of an rxflume config file, minus the component-specific options: those are
 * validated by each component's own registration (see load.ts), under the same config path.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { diskBufferSchema } from '../buffers/disk/config.js';
import { byteSize, milliseconds } from './units.js';

const id = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must match [A-Za-z0-9_.-]+ (it names files)');

export const agentSchema = z
  .strictObject({
    id: id.optional().describe('Agent id: part of sink file names and checkpoint paths. Default: the host name.'),
    stateDir: z.string().default('./data/state').describe('Folder for checkpoints and sink state.'),
    drainTimeoutMs: milliseconds().default(30_000).describe('How long a shutdown may drain before exiting.'),
  })
  .default({ stateDir: './data/state', drainTimeoutMs: 30_000 });

/** The default agent id: the host name, reduced to the characters allowed in file names. */
export function defaultAgentId(): string {
  return hostname().replace(/[^A-Za-z0-9_.-]/g, '-');
}

export const memoryBufferSchema = z.strictObject({
  type: z.literal('memory').default('memory').describe('memory (default): events wait in memory; disk: see the disk buffer options.'),
  maxEvents: z.number().int().positive().default(100_000).describe('Events read but not yet acknowledged (Flume memory channel capacity).'),
  maxBytes: byteSize()
    .default(64 * 1024 * 1024)
    .describe('Body bytes read but not yet acknowledged.'),
  whenFull: z
    .enum(['block', 'drop_newest'])
    .default('block')
    .describe('block: the source waits; drop_newest: new events are dropped and counted.'),
});

/** `buffer` left out: a memory buffer with every default (taken from the schema, so they cannot drift). */
const MEMORY_BUFFER_DEFAULTS = memoryBufferSchema.parse({});

/**
 * `buffer: {type: memory, ...}` (the default; a block without `type` is a memory buffer, as
 * before the disk buffer existed) or `buffer: {type: disk, ...}` (src/buffers/disk/config.ts).
 */
export const bufferSchema = z
  .preprocess(
    (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) && !('type' in v) ? { ...v, type: 'memory' } : v),
    z.discriminatedUnion('type', [memoryBufferSchema, diskBufferSchema], { error: 'type must be memory or disk' }),
  )
  .default(MEMORY_BUFFER_DEFAULTS);

export const retrySchema = z
  .strictObject({
    initialDelayMs: milliseconds().default(100).describe('First wait after a transient write error.'),
    maxDelayMs: milliseconds().default(30_000).describe('Longest wait between attempts.'),
    multiplier: z.number().min(1).default(2).describe('Growth of the wait per attempt.'),
    jitter: z.number().min(0).max(1).default(0.2).describe('Random spread of each wait, as a fraction (±).'),
    maxRetries: z.number().int().nonnegative().optional().describe('Default: retry transient errors forever (nothing is lost).'),
  })
  .default({ initialDelayMs: 100, maxDelayMs: 30_000, multiplier: 2, jitter: 0.2 });

/** `HOST:PORT` or `[IPv6]:PORT`; port 0 picks a free port (tests). */
export const listenAddress = z
  .string({ error: 'must be HOST:PORT' })
  .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}$/, 'must be HOST:PORT (e.g. 0.0.0.0:9464, or [::]:9464 for IPv6)')
  .refine((s) => Number(s.slice(s.lastIndexOf(':') + 1)) <= 65535, { error: 'port must be 0..65535' });

export const DEFAULT_METRICS_ADDRESS = '127.0.0.1:9464';

export const metricsSchema = z
  .strictObject({
    enabled: z
      .boolean({ error: 'must be true or false' })
      .default(true)
      .describe('Count metrics and serve /metrics; false makes every metric a no-op (health endpoints still answer).'),
    address: listenAddress
      .default(DEFAULT_METRICS_ADDRESS)
      .describe(
        'Where `rxflume run` serves /metrics, /metrics.json, /healthz and /readyz. In a container use 0.0.0.0:9464. ' +
          'Overridden by --metrics-address.',
      ),
  })
  .default({ enabled: true, address: DEFAULT_METRICS_ADDRESS });

export const interceptorEntrySchema = z.looseObject({ type: z.string({ error: 'required' }) });

/** Options every source has, whatever its type. */
export const commonSourceSchema = z.strictObject({
  type: z.string({ error: 'required' }).describe('The source type (a section below).'),
  sinks: z
    .array(z.string(), { error: 'required' })
    .min(1, 'must name at least one sink')
    .describe('Sink ids; every event goes to each, and is acknowledged once all of them have it.'),
  schema: z.string().optional().describe('Avro full name of the records (e.g. smartcar.CarStatus); without it lines are carried unparsed.'),
  schemaVersion: z.number().int().positive().optional().describe('Schema version; default the latest.'),
  delimiter: z.string().min(1).default(',').describe('Column delimiter of the CSV lines.'),
  parseWorker: z
    .boolean({ error: 'must be true or false' })
    .default(true)
    .describe('Parse and validate lines in a worker thread (uses a second core); false parses on the main thread.'),
  interceptors: z.array(interceptorEntrySchema).default([]).describe('Ordered interceptor chain (see Interceptors).'),
  buffer: bufferSchema,
});

/** Options every sink has, whatever its type. */
export const commonSinkSchema = z.strictObject({
  type: z.string({ error: 'required' }).describe('The sink type (a section below).'),
  batchSize: z.number().int().positive().default(1000).describe('Events per write (Flume batchSize); small source batches are coalesced.'),
  batchTimeoutMs: milliseconds(0).default(500).describe('Longest wait to fill a batch.'),
  retry: retrySchema,
});

export const topLevelSchema = z.strictObject({
  agent: agentSchema,
  metrics: metricsSchema,
  deadLetter: z.record(z.string(), z.unknown()).default({}),
  schemas: z.strictObject({ dir: z.string().optional().describe("Folder of .avsc files; default the package's schemas/.") }).default({}),
  sources: z.record(id, z.record(z.string(), z.unknown()), { error: 'required: at least one source' }),
  sinks: z.record(id, z.record(z.string(), z.unknown()), { error: 'required: at least one sink' }),
});

export type AgentOptions = z.output<typeof agentSchema> & { readonly id: string };
export type MetricsConfig = z.output<typeof metricsSchema>;
export type BufferOptions = z.output<typeof bufferSchema>;
export type RetryOptions = z.output<typeof retrySchema>;
export type CommonSourceOptions = z.output<typeof commonSourceSchema>;
export type CommonSinkOptions = z.output<typeof commonSinkSchema>;

export const COMMON_SOURCE_KEYS = Object.keys(commonSourceSchema.shape);
export const COMMON_SINK_KEYS = Object.keys(commonSinkSchema.shape);
