/** Builders for Kafka sink tests: driving lines parsed by the real CSV parser against the real schema. */
import { OnceAck } from '../../../src/core/ack.js';
import type { AckOutcome, EventBatch, FlumeEvent } from '../../../src/core/event.js';
import { Metrics } from '../../../src/metrics/metrics.js';
import { createCsvParser } from '../../../src/schemas/csv-parser.js';
import { loadSchemaRegistry } from '../../../src/schemas/registry.js';
import { type KafkaSinkConfig, kafkaSinkConfigSchema } from '../../../src/sinks/kafka/config.js';
import { kafkaProducerFactory } from '../../../src/sinks/kafka/index.js';
import { KafkaSink } from '../../../src/sinks/kafka/kafka-sink.js';
import { testContext } from '../../support/context.js';
import { drivingLine } from '../../support/driving.js';

export const registry = loadSchemaRegistry();
export const drivingSchema = registry.get('smartcar.DrivingEvent');
const parser = createCsvParser(drivingSchema);

export type TestEvent = FlumeEvent & { outcomes: AckOutcome[] };

/** Driving events `from .. from+n-1`, parsed, with headers and recording acks. */
export function drivingBatch(from: number, n: number, headers: Record<string, string> = { logType: 'driver-realtime-log' }): EventBatch {
  const events: TestEvent[] = [];
  for (let i = from; i < from + n; i++) {
    const body = Buffer.from(drivingLine(i));
    const parsed = parser.parse(body);
    if (!parsed.ok) throw new Error(`test line ${i} does not parse: ${parsed.reason}`);
    const outcomes: AckOutcome[] = [];
    events.push({
      id: `driving:test:${i}`,
      body,
      headers: { ...headers },
      record: parsed.record,
      position: { fileKey: 'test', path: '/in/driving.log', offset: i * 40, end: i * 40 + body.length + 1 },
      ack: new OnceAck((o) => outcomes.push(o)),
      outcomes,
    });
  }
  return { sourceId: 'driving', events, schema: drivingSchema };
}

export function sinkConfig(options: Record<string, unknown>): KafkaSinkConfig {
  return kafkaSinkConfigSchema.parse(options);
}

/** A real Kafka sink (kafkajs producer) with a fresh Metrics. */
export function kafkaSink(options: Record<string, unknown>, id = 'kafka'): { sink: KafkaSink; metrics: Metrics } {
  const metrics = new Metrics();
  const config = sinkConfig({ requestTimeoutMs: 5000, connectionTimeoutMs: 1000, ...options });
  const ctx = testContext(id, '/nonexistent-state', { metrics });
  return { sink: new KafkaSink(config, ctx, kafkaProducerFactory(config, ctx.logger)), metrics };
}
