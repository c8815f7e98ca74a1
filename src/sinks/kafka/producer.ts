/**
 * The small producer interface the Kafka sink needs, and its kafkajs implementation.
 *
 * Why an interface: kafkajs has had no release since 2.2.4 and is known to misbehave after
 * broker loss (lost connections it never re-opens, hangs); the sink only ever connects, sends
 * one request's messages and disconnects, and replaces a producer that failed on a connection
 * error. Another client can be put behind the same three calls.
 *
 * kafkajs settings and why: its own retries are off (`retries: 0`), so our retry operator owns
 * the policy and a failure surfaces at once; topics auto-create (the pilot creates none up front);
 * the idempotent producer is off (the mock broker and older clusters reject it; duplicates are
 * bounded and identifiable by the `rxflume.event.id` header instead); the Java-compatible
 * partitioner, so keys land where Java producers would put them. Its logs go to our logger at
 * debug level (our sink logs every failure it acts on once, with its classification).
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import {
  CompressionTypes,
  type IHeaders,
  Kafka,
  type KafkaConfig,
  type logCreator,
  logLevel,
  Partitioners,
  type SASLOptions,
} from 'kafkajs';
import type { Logger } from '../../core/logger.js';
import type { KafkaSinkConfig } from './config.js';

export interface KafkaMessage {
  key: Buffer | string | null;
  value: Buffer | string;
  headers?: IHeaders;
}

export interface TopicMessages {
  topic: string;
  messages: KafkaMessage[];
}

/** The broker's answer for one partition of a produce request. */
export interface PartitionAck {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  readonly baseOffset?: string;
}

export interface ProducerClient {
  connect(): Promise<void>;
  /** Resolves with the broker's per-partition answers once it acknowledged every message. */
  send(request: readonly TopicMessages[]): Promise<PartitionAck[]>;
  disconnect(): Promise<void>;
}

export type ProducerFactory = () => ProducerClient;

function kafkajsLogs(logger: Logger): logCreator {
  return () => (entry) => {
    logger.debug({ kafkajs: entry.namespace, ...entry.log }, `kafkajs: ${entry.log.message}`);
  };
}

/** TLS options for kafkajs (the PEM files read now), or false for plain TCP. */
export function tlsOptions(ssl: NonNullable<KafkaSinkConfig['ssl']>): ConnectionOptions | false {
  if (!ssl.enabled) return false;
  const read = (file: string | undefined) => (file === undefined ? undefined : readFileSync(file, 'utf8'));
  return { ca: read(ssl.ca), cert: read(ssl.cert), key: read(ssl.key), rejectUnauthorized: ssl.rejectUnauthorized };
}

/** The kafkajs client options for a sink config (also used by `rxflume consume` and the bench). */
export function kafkajsClientConfig(
  config: Pick<KafkaSinkConfig, 'brokers' | 'clientId' | 'connectionTimeoutMs' | 'requestTimeoutMs' | 'ssl' | 'sasl'>,
  logger: Logger,
): KafkaConfig {
  const client: KafkaConfig = {
    brokers: [...config.brokers],
    clientId: config.clientId,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.WARN,
    logCreator: kafkajsLogs(logger),
  };
  if (config.ssl) client.ssl = tlsOptions(config.ssl);
  if (config.sasl) client.sasl = { ...config.sasl } as SASLOptions;
  return client;
}

/** A factory of kafkajs producers for one sink; each call gives a fresh client (a fresh connection pool). */
export function kafkajsProducerFactory(config: KafkaSinkConfig, logger: Logger): ProducerFactory {
  const compression = config.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  return () => {
    const producer = new Kafka(kafkajsClientConfig(config, logger)).producer({
      allowAutoTopicCreation: true,
      idempotent: false,
      retry: { retries: 0 },
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    return {
      connect: () => producer.connect(),
      async send(request) {
        const answers = await producer.sendBatch({
          acks: config.acks,
          timeout: config.requestTimeoutMs,
          compression,
          topicMessages: request as TopicMessages[],
        });
        return answers.map((a) => ({ topic: a.topicName, partition: a.partition, errorCode: a.errorCode, baseOffset: a.baseOffset }));
      },
      disconnect: () => producer.disconnect(),
    };
  };
}
