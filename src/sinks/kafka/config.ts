/**
 * Config of the `kafka` sink. Names are clear YAML names; the Flume equivalents are given in each
 * description (`kafka.bootstrap.servers`, `kafka.topic`, `kafka.producer.acks`, ...) so the
 * Flume importer can map them. Batching: the common `batchSize`/`batchTimeoutMs` (linger) build
 * a write; `requestMaxEvents`/`requestMaxBytes` cut it into produce requests, up to `maxInFlight`
 * of which are in flight at once.
 *
 * Checked here, not at the first write: broker addresses, `acks` (0 is refused: it gives no
 * delivery confirmation, and events are acknowledged only from the broker's response), the
 * topic template, TLS/SASL completeness.
 */
import { z } from 'zod';
import { byteSize, milliseconds } from '../../config/units.js';
import { loadSchemaIds } from '../../schemas/schema-ids.js';

const BROKER = /^[^\s:,]+:\d{1,5}$/;

const brokers = z
  .union([z.string(), z.array(z.string())], { error: 'required: broker addresses, e.g. "127.0.0.1:9092" or a list' })
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((b) => b.trim()).filter((b) => b.length > 0))
  .superRefine((list, ctx) => {
    if (list.length === 0) ctx.addIssue({ code: 'custom', message: 'required: at least one broker address host:port' });
    for (const b of list) if (!BROKER.test(b)) ctx.addIssue({ code: 'custom', message: `"${b}" is not host:port` });
  });

const acks = z
  .union([z.enum(['all']), z.number().int()], { error: 'must be "all" (or -1) or 1' })
  .superRefine((v, ctx) => {
    if (v === 0) ctx.addIssue({ code: 'custom', message: 'acks 0 gives no delivery confirmation (events could be lost); use "all" or 1' });
    else if (v !== 'all' && v !== -1 && v !== 1) ctx.addIssue({ code: 'custom', message: 'must be "all" (or -1) or 1' });
  })
  .transform((v): -1 | 1 => (v === 1 ? 1 : -1));

const sslSchema = z
  .strictObject({
    enabled: z.boolean({ error: 'must be true or false' }).default(true).describe('Connect with TLS.'),
    ca: z.string({ error: 'must be a file path' }).optional().describe('PEM file of the CA(s) to trust (default: the system CAs).'),
    cert: z.string({ error: 'must be a file path' }).optional().describe('PEM client certificate (mutual TLS).'),
    key: z.string({ error: 'must be a file path' }).optional().describe('PEM private key of the client certificate.'),
    rejectUnauthorized: z
      .boolean({ error: 'must be true or false' })
      .default(true)
      .describe('Refuse brokers whose certificate does not verify.'),
  })
  .refine((s) => (s.cert === undefined) === (s.key === undefined), { error: 'cert and key go together (mutual TLS needs both)' });

const saslSchema = z.strictObject({
  mechanism: z
    .enum(['plain', 'scram-sha-256', 'scram-sha-512'], { error: 'must be "plain", "scram-sha-256" or "scram-sha-512"' })
    .describe('SASL mechanism.'),
  username: z.string({ error: 'required' }).min(1, { error: 'must not be empty' }).describe('SASL user name.'),
  password: z.string({ error: 'required' }).describe('SASL password (take it from an environment variable in the config file).'),
});

export const kafkaSinkConfigSchema = z
  .strictObject({
    brokers: brokers.describe('Bootstrap brokers, host:port, as a list or comma-separated (Flume kafka.bootstrap.servers).'),
    topic: z
      .string({ error: 'required: the topic, e.g. SmartCar-Topic or %{logType}' })
      .min(1, { error: 'required: the topic, e.g. SmartCar-Topic or %{logType}' })
      .refine((t) => /^(?:[A-Za-z0-9._-]|%\{[^}]+\})+$/.test(t), {
        error: 'must be topic characters [A-Za-z0-9._-] and %{header} escapes',
      })
      .describe('Topic, or a template taking event headers: %{logType} (Flume kafka.topic). A missing header expands to "".'),
    keyField: z
      .string({ error: 'must be a record field name' })
      .default('car_number')
      .describe("Record field whose value is the message key, so one car's events stay ordered in one partition; '' for no key."),
    keyHeader: z
      .string({ error: 'must be a header name' })
      .optional()
      .describe('Take the key from this event header instead of a record field (Flume uses the `key` header).'),
    format: z
      .enum(['text', 'avro'], { error: 'must be "text" or "avro"' })
      .default('text')
      .describe(
        "'text': the line as read (what the seed's downstream parses); 'avro': Avro binary of the parsed record with schema headers.",
      ),
    wireFormat: z
      .enum(['rxflume', 'confluent'], { error: 'must be "rxflume" or "confluent"' })
      .default('rxflume')
      .describe(
        "How an avro value names its schema. 'rxflume': the Avro body, with headers rxflume.schema, .version and .fingerprint; 'confluent': magic byte 0, the 4-byte big-endian schema id (from schemaIds), then the Avro body.",
      ),
    schemaIds: z
      .string({ error: 'must be a file path' })
      .min(1, { error: 'must be a file path' })
      .optional()
      .describe(
        'YAML/JSON file of Confluent schema ids, full name → { version: id }, e.g. {"smartcar.CarStatus": {"1": 11, "2": 12}}; needed by wireFormat confluent.',
      ),
    headers: z.boolean({ error: 'must be true or false' }).default(true).describe('Carry the event headers as Kafka message headers.'),
    acks: acks
      .default(-1)
      .describe('Broker acknowledgement: "all" or -1 (every in-sync replica) or 1 (the leader) (Flume kafka.producer.acks).'),
    compression: z
      .enum(['none', 'gzip'], { error: 'must be "none" or "gzip"' })
      .default('none')
      .describe('Compression of produce requests.'),
    requestMaxEvents: z
      .number({ error: 'must be a number of events' })
      .int({ error: 'must be a whole number' })
      .positive({ error: 'must be >= 1' })
      .default(1000)
      .describe('Most events in one produce request; a write is cut into requests of this size.'),
    requestMaxBytes: byteSize()
      .refine((n) => n > 0, { error: 'must be > 0' })
      .default(1024 * 1024)
      .describe('Most value bytes in one produce request (keep under the broker message.max.bytes).'),
    maxInFlight: z
      .number({ error: 'must be a number' })
      .int({ error: 'must be a whole number' })
      .positive({ error: 'must be >= 1' })
      .default(5)
      .describe(
        'Produce requests of one write in flight at once, in lanes by message key: per-key order holds for any value, retries included.',
      ),
    requestTimeoutMs: milliseconds(100)
      .default(30_000)
      .describe('How long a produce request may wait for the broker before it is retried.'),
    connectionTimeoutMs: milliseconds(100).default(3000).describe('How long connecting to a broker may take.'),
    producerThread: z
      .enum(['worker', 'main'], { error: 'must be "worker" or "main"' })
      .default('worker')
      .describe(
        "'worker': kafkajs runs in a thread of its own, so its encoding overlaps the pipeline's work; 'main': in the agent's thread.",
      ),
    clientId: z.string({ error: 'must be a string' }).min(1).default('rxflume').describe('Client id the brokers see.'),
    ssl: sslSchema.optional().describe('TLS options; absent = plain TCP.'),
    sasl: saslSchema.optional().describe('SASL authentication; absent = none.'),
  })
  .superRefine((c, ctx) => {
    if (c.wireFormat !== 'confluent') return;
    if (c.format !== 'avro') ctx.addIssue({ code: 'custom', path: ['wireFormat'], message: 'confluent needs format: avro' });
    if (c.schemaIds === undefined) {
      ctx.addIssue({ code: 'custom', path: ['schemaIds'], message: 'required with wireFormat confluent: a file of schema ids' });
      return;
    }
    try {
      loadSchemaIds(c.schemaIds);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['schemaIds'], message: (err as Error).message });
    }
  });

export type KafkaSinkConfig = z.output<typeof kafkaSinkConfigSchema>;
