/**
 * `rxflume consume`: reads a Kafka topic and prints one line per message on stdout — the seed's
 * "consumer program", and the way to watch what the Kafka sink produced.
 *
 * Output (`--format json`, the default): one JSON object per message,
 *   {"topic","partition","offset","timestamp","key","headers":{…},"value":…[,"schema","reader"][,"error"]}
 * where `value` is the decoded Avro record when the message carries `rxflume.schema` headers
 * (writer found by its fingerprint header) or, with `--schema-ids FILE`, the Confluent framing
 * (writer found by its id); `schema` names the writer version and `reader` the version the record
 * was resolved to (`--reader-version N`, default the latest of that name); see
 * src/schemas/kafka-value-decoder.ts. Other values print as UTF-8 text. `--format text` prints
 * only the value: the text itself, or the record as JSON.
 *
 * Failure modes: a message naming an unknown schema/version/fingerprint/id, a Confluent-framed
 * one without `--schema-ids`, one the reader version cannot read, or one that does not decode is
 * still printed, with its value in base64 and an `error` saying why (with `--format text` the
 * reason goes to stderr as `rxflume consume: <topic>/<partition>@<offset>: <reason>`); one bad
 * message never stops the reader.
 *
 * Stopping: after `--max N` messages, after `--timeout-ms` without a message (counted from
 * joining the group), or on
 * SIGINT/SIGTERM; the consumer leaves its group cleanly each time. Without `--group`, a random
 * group is used (nothing committed that matters); `--from-beginning` reads the whole topic.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { Kafka, type KafkaMessage } from 'kafkajs';
import { createLogger, type LogLevel } from '../core/logger.js';
import { KafkaValueDecoder } from '../schemas/kafka-value-decoder.js';
import { loadSchemaRegistry } from '../schemas/registry.js';
import { loadSchemaIds } from '../schemas/schema-ids.js';
import { kafkajsClientConfig } from '../sinks/kafka/producer.js';
import { positiveInt } from './option-values.js';

interface ConsumeOptions {
  brokers: string;
  topic: string;
  group?: string;
  fromBeginning?: boolean;
  max?: number;
  timeoutMs?: number;
  format: 'json' | 'text';
  schemas?: string;
  readerVersion?: number;
  schemaIds?: string;
}

function headersOf(message: KafkaMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers ?? {}))
    if (v !== undefined) out[k] = Array.isArray(v) ? v.map(String).join(',') : String(v);
  return out;
}

const toJson = (_key: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

function formatLine(opts: ConsumeOptions, topic: string, partition: number, message: KafkaMessage, values: KafkaValueDecoder): string {
  const headers = headersOf(message);
  const decoded = values.decode(headers, message.value);
  if (opts.format === 'text') {
    // The text shape has no room for the reason: say it on stderr, so a base64 value is explained.
    if (decoded.error) process.stderr.write(`rxflume consume: ${topic}/${partition}@${message.offset}: ${decoded.error}\n`);
    return typeof decoded.value === 'string' ? decoded.value : JSON.stringify(decoded.value, toJson);
  }
  return JSON.stringify(
    {
      topic,
      partition,
      offset: message.offset,
      timestamp: message.timestamp,
      key: message.key === null ? null : message.key.toString('utf8'),
      headers,
      ...decoded,
    },
    toJson,
  );
}

export function registerConsume(program: Command): void {
  program
    .command('consume')
    .description('print the messages of a Kafka topic, one JSON object per line (Avro values decoded)')
    .option('--brokers <list>', 'bootstrap brokers host:port[,…]', process.env.RXFLUME_KAFKA_BROKERS ?? '127.0.0.1:9092')
    .requiredOption('--topic <name>', 'topic to read')
    .option('--group <id>', 'consumer group (offsets committed); default a random group')
    .option('--from-beginning', 'read the topic from its start instead of only new messages')
    .option('--max <n>', 'stop after this many messages', positiveInt('--max'))
    .option('--timeout-ms <ms>', 'stop after this long without a message', positiveInt('--timeout-ms'))
    .option('--format <format>', 'json (message with metadata) or text (the value only)', 'json')
    .option('--schemas <dir>', "folder of .avsc files (default: the package's schemas/)")
    .option('--reader-version <n>', "schema version to read every record as (default: the name's latest)", positiveInt('--reader-version'))
    .option('--schema-ids <file>', 'YAML/JSON file of Confluent schema ids: decode values in the Confluent wire format')
    .action(async (opts: ConsumeOptions) => {
      if (opts.format !== 'json' && opts.format !== 'text') throw new Error(`--format must be json or text, got "${opts.format}"`);
      const logger = createLogger(program.opts<{ logLevel: LogLevel }>().logLevel);
      const registry = loadSchemaRegistry(opts.schemas);
      const values = new KafkaValueDecoder(registry, {
        ...(opts.readerVersion === undefined ? {} : { readerVersion: opts.readerVersion }),
        ...(opts.schemaIds === undefined ? {} : { schemaIds: loadSchemaIds(opts.schemaIds) }),
      });
      const brokers = opts.brokers
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean);
      const client = kafkajsClientConfig(
        { brokers, clientId: 'rxflume-consume', connectionTimeoutMs: 3000, requestTimeoutMs: 30_000, ssl: undefined, sasl: undefined },
        logger,
      );
      const kafka = new Kafka({ ...client, retry: { retries: 5 } });
      const consumer = kafka.consumer({ groupId: opts.group ?? `rxflume-consume-${randomUUID()}`, maxWaitTimeInMs: 200 });
      let printed = 0;
      let idle: NodeJS.Timeout | undefined;
      let finish: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const armIdle = () => {
        if (opts.timeoutMs === undefined) return;
        clearTimeout(idle);
        idle = setTimeout(finish, opts.timeoutMs);
      };
      const onSignal = () => finish();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      // The idle clock starts once the group is joined: joining can take seconds on a busy host.
      consumer.on(consumer.events.GROUP_JOIN, armIdle);
      try {
        await consumer.connect();
        await consumer.subscribe({ topic: opts.topic, fromBeginning: opts.fromBeginning === true });
        await consumer.run({
          autoCommit: opts.group !== undefined,
          eachMessage: async ({ topic, partition, message }) => {
            if (opts.max !== undefined && printed >= opts.max) return;
            process.stdout.write(`${formatLine(opts, topic, partition, message, values)}\n`);
            printed++;
            armIdle();
            if (opts.max !== undefined && printed >= opts.max) finish();
          },
        });
        await finished;
      } finally {
        clearTimeout(idle);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await consumer.disconnect().catch(() => undefined);
      }
      logger.info({ topic: opts.topic, messages: printed }, 'consume done');
    });
}
