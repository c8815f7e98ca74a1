/**
 * Flume's `org.apache.flume.sink.kafka.KafkaSink` → the rxflume `kafka` sink, producing what Flume
 * produced: the record value is the event body (the line), no Kafka headers from event headers,
 * the key from the `key` event header when one is set (Flume's rule; none otherwise).
 *
 * Property names (Flume ≥ 1.7, then the older ones, which Flume 1.7+ still reads with a warning):
 *   kafka.bootstrap.servers | brokerList     → brokers (replaced by --kafka-brokers)
 *   kafka.topic | topic                       → topic (Flume default default-flume-topic)
 *   flumeBatchSize | batchSize                → batchSize (Flume default 100)
 *   kafka.producer.acks | requiredAcks        → acks (Flume default 1; 0 is refused by the sink)
 *   kafka.producer.compression.type, linger.ms, max.request.size, request.timeout.ms, client.id
 * Flume's sink sends what it took from the channel without waiting, so batchTimeoutMs is
 * linger.ms (default 0). Security settings, Flume event (Avro) format, partition headers are
 * errors; other producer tuning is reported as not carried over.
 */
import type { FlumeComponent } from './agent-model.js';
import type { MappingContext, RawSection } from './mapping-context.js';

export const KAFKA_SINK_CLASS = 'org.apache.flume.sink.kafka.KafkaSink';

/** Reads the new name, else the old one (warned as deprecated); answers the sub-key that was read. */
function either(c: FlumeComponent, current: string, old: string, ctx: MappingContext): { value: string; sub: string } | undefined {
  const now = c.value(current);
  const before = c.value(old);
  if (now !== undefined) {
    if (before !== undefined) ctx.report.warn(c.at(old), `${current} is also set and wins (as in Flume)`);
    return { value: now, sub: current };
  }
  if (before !== undefined) {
    ctx.report.warn(c.at(old), `old property name (Flume < 1.7), read as ${current}`);
    return { value: before, sub: old };
  }
  return undefined;
}

const PRODUCER = 'kafka.producer.';

export function mapKafkaSink(c: FlumeComponent, ctx: MappingContext): RawSection {
  const path = `sinks.${c.name}`;
  const s: RawSection = { type: 'kafka', format: 'text', headers: false, keyField: '', keyHeader: 'key' };
  const brokers = either(c, 'kafka.bootstrap.servers', 'brokerList', ctx);
  if (ctx.options.kafkaBrokers) {
    s.brokers = ctx.options.kafkaBrokers;
    if (brokers) ctx.report.warn(c.at(brokers.sub), `brokers replaced by --kafka-brokers: ${ctx.options.kafkaBrokers}`);
  } else if (brokers) ctx.put(s, path, 'brokers', brokers.value, c, brokers.sub);
  else ctx.report.error(c.at('kafka.bootstrap.servers'), 'required: the Kafka brokers (or pass --kafka-brokers)');

  const topic = either(c, 'kafka.topic', 'topic', ctx);
  if (topic) ctx.put(s, path, 'topic', topic.value, c, topic.sub);
  else {
    s.topic = 'default-flume-topic';
    ctx.report.warn(c.at('kafka.topic'), "no topic: Flume's default, default-flume-topic");
  }
  const batch = either(c, 'flumeBatchSize', 'batchSize', ctx);
  if (batch && /^\d+$/.test(batch.value) && Number(batch.value) > 0) ctx.put(s, path, 'batchSize', Number(batch.value), c, batch.sub);
  else if (batch) ctx.report.error(c.at(batch.sub), `"${batch.value}" is not a whole number above 0`);
  else s.batchSize = 100;
  const acks = either(c, `${PRODUCER}acks`, 'requiredAcks', ctx);
  if (acks) ctx.put(s, path, 'acks', acks.value === 'all' ? 'all' : Number(acks.value), c, acks.sub);
  else s.acks = 1;

  const compression = c.value(`${PRODUCER}compression.type`);
  if (compression !== undefined) ctx.put(s, path, 'compression', compression.toLowerCase(), c, `${PRODUCER}compression.type`);
  const linger = ctx.int(c, `${PRODUCER}linger.ms`);
  if (linger !== undefined) ctx.put(s, path, 'batchTimeoutMs', linger, c, `${PRODUCER}linger.ms`);
  else s.batchTimeoutMs = 0;
  const maxRequest = ctx.int(c, `${PRODUCER}max.request.size`, 1);
  if (maxRequest !== undefined) ctx.put(s, path, 'requestMaxBytes', maxRequest, c, `${PRODUCER}max.request.size`);
  const timeout = ctx.int(c, `${PRODUCER}request.timeout.ms`, 1);
  if (timeout !== undefined) ctx.put(s, path, 'requestTimeoutMs', timeout, c, `${PRODUCER}request.timeout.ms`);
  const clientId = c.value(`${PRODUCER}client.id`);
  if (clientId !== undefined) ctx.put(s, path, 'clientId', clientId, c, `${PRODUCER}client.id`);

  if (ctx.bool(c, 'useFlumeEventFormat') === true)
    ctx.report.error(c.at('useFlumeEventFormat'), 'the Flume Avro event format is not supported: values are the event body');
  ctx.unsupported(c, 'partitionIdHeader', 'partition choice by header is not supported: partitions follow the key');
  ctx.unsupported(c, 'defaultPartitionId', 'a fixed partition is not supported: partitions follow the key');
  ctx.harmless(c, 'allowTopicOverride', 'the topic header is not read: events go to the configured topic (a YAML topic can be %{header})');
  ctx.harmless(c, 'topicHeader', 'the topic header is not read: events go to the configured topic (a YAML topic can be %{header})');
  for (const e of c.unused()) {
    const sub = e.key.slice(c.prefix.length + 1);
    if (!sub.startsWith(PRODUCER)) continue;
    const option = sub.slice(PRODUCER.length);
    if (option.startsWith('security.') || option.startsWith('ssl.') || option.startsWith('sasl.'))
      ctx.unsupported(c, sub, 'TLS/SASL settings are not imported: configure ssl and sasl in a YAML config');
    else ctx.harmless(c, sub, 'producer tuning is not carried over (the rxflume Kafka client has its own settings)');
  }
  return s;
}
