/**
 * Registration of the `kafka` sink: batches to a Kafka topic through kafkajs, acknowledged only
 * from the broker's answer; see kafka-sink.ts for the write protocol, messages.ts for the message
 * layout (key, value formats, headers) and errors.ts for what is retried and what dead-lettered.
 */
import type { ComponentRegistration, Sink } from '../../core/component.js';
import type { Logger } from '../../core/logger.js';
import { type KafkaSinkConfig, kafkaSinkConfigSchema } from './config.js';
import { KafkaSink } from './kafka-sink.js';
import { kafkajsProducerFactory, type ProducerFactory, tlsOptions } from './producer.js';
import { threadProducerFactory } from './producer-thread.js';

export type { KafkaSinkConfig } from './config.js';
export { kafkaSinkConfigSchema } from './config.js';
export { classifyKafkaError, KafkaSendError } from './errors.js';
export { KafkaSink } from './kafka-sink.js';
export { HEADER_EVENT_ID, HEADER_SCHEMA, HEADER_SCHEMA_FINGERPRINT, HEADER_SCHEMA_VERSION, MessageEncoder } from './messages.js';
export { type PackedRequest, packRequest } from './packed-request.js';
export type { KafkaMessage, PartitionAck, ProducerClient, ProducerFactory, TopicMessages } from './producer.js';
export { kafkajsClientConfig, kafkajsProducerFactory, tlsOptions } from './producer.js';
export { threadProducerFactory } from './producer-thread.js';

/** The producer factory a config asks for (`producerThread`). */
export function kafkaProducerFactory(config: KafkaSinkConfig, logger: Logger): ProducerFactory {
  if (config.producerThread === 'main') return kafkajsProducerFactory(config, logger);
  return threadProducerFactory(config, config.ssl ? tlsOptions(config.ssl) : undefined, logger);
}

export const kafkaSink: ComponentRegistration<KafkaSinkConfig, Sink> = {
  type: 'kafka',
  configSchema: kafkaSinkConfigSchema,
  create: (config, ctx) => new KafkaSink(config, ctx, kafkaProducerFactory(config, ctx.logger)),
};
