/**
 * The Kafka sink against a real Kafka-protocol broker (librdkafka's mock cluster): what reaches
 * the topic (keys, values in both formats, headers, order), acknowledgement only from the broker,
 * and the fault classes — retriable errors retried without loss or repetition, permanent ones
 * dead-lettered with their reason, broker down / dropped connection survived by reconnecting.
 * Everything runs with kafkajs in its worker thread (the default) and in the agent's thread.
 */
import { randomUUID } from 'node:crypto';
import { firstValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetterEntry, DeadLetterSink } from '../../../src/core/component.js';
import { RxfError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import { createSinkLane } from '../../../src/operators/sink-lane.js';
import { schemaFingerprintHex } from '../../../src/schemas/fingerprint.js';
import type { KafkaSink } from '../../../src/sinks/kafka/kafka-sink.js';
import { drivingLine } from '../../support/driving.js';
import { KafkaErrorCode, type MockBroker, startMockBroker } from '../../support/kafka/mock-broker.js';
import { collectTopic, type TopicCollector } from '../../support/kafka/topic.js';
import { drivingBatch, drivingSchema, kafkaSink, type TestEvent } from './support.js';

const FAST_RETRY = { initialDelayMs: 20, maxDelayMs: 300, jitter: 0 };

class ArrayDeadLetters implements DeadLetterSink {
  readonly entries: DeadLetterEntry[] = [];
  async write(entries: readonly DeadLetterEntry[]): Promise<void> {
    this.entries.push(...entries);
  }
  async close(): Promise<void> {}
}

describe.each(['worker', 'main'])('kafka sink (producerThread %s)', (producerThread) => {
  let broker: MockBroker;
  const sinks: KafkaSink[] = [];
  const collectors: TopicCollector[] = [];
  const topic = () => `t-${randomUUID().slice(0, 8)}`;
  const open = (options: Record<string, unknown>) => {
    const made = kafkaSink({ brokers: broker.bootstrap, producerThread, ...options });
    sinks.push(made.sink);
    return made;
  };
  const collect = async (name: string) => {
    const c = await collectTopic(broker.bootstrap, name);
    collectors.push(c);
    return c;
  };

  beforeAll(async () => {
    broker = await startMockBroker();
  });
  afterEach(async () => {
    await Promise.all(sinks.splice(0).map((s) => s.close()));
    await Promise.all(collectors.splice(0).map((c) => c.stop()));
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('text format: the line as value, keyed by car, event headers and id carried, per-car order kept', async () => {
    const name = topic();
    const { sink, metrics } = open({ topic: name, format: 'text', requestMaxEvents: 100 });
    await sink.start();
    expect(metrics.isSinkConnected('kafka')).toBe(true);
    const reader = await collect(name);
    await sink.write(drivingBatch(0, 600));
    await sink.write(drivingBatch(600, 400));
    await reader.waitForCount(1000);
    const got = reader.messages;
    expect(got).toHaveLength(1000);
    expect(new Set(got.map((m) => m.value.toString()))).toEqual(new Set(Array.from({ length: 1000 }, (_, i) => drivingLine(i))));
    for (const m of got) {
      const line = m.value.toString();
      expect(m.key).toBe(line.split(',')[1]);
      expect(m.headers.logType).toBe('driver-realtime-log');
      expect(m.headers['rxflume.event.id']).toMatch(/^driving:test:\d+$/);
      expect(m.headers['rxflume.schema']).toBeUndefined();
    }
    // One car → one partition, in the order written.
    const byCar = new Map<string, { partitions: Set<number>; seq: number[] }>();
    for (const m of got) {
      const car = m.key as string;
      const entry = byCar.get(car) ?? { partitions: new Set(), seq: [] };
      entry.partitions.add(m.partition);
      entry.seq.push(Number(m.headers['rxflume.event.id']?.split(':')[2]));
      byCar.set(car, entry);
    }
    for (const { partitions, seq } of byCar.values()) {
      expect(partitions.size).toBe(1);
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }
  });

  it('avro format: Avro binary of the record with schema name, version and fingerprint headers', async () => {
    const name = topic();
    const { sink } = open({ topic: name, format: 'avro', compression: 'gzip' });
    await sink.start();
    const reader = await collect(name);
    const batch = drivingBatch(0, 300);
    await sink.write(batch);
    await reader.waitForCount(300);
    const type = drivingSchema.type;
    const decoded = new Map(
      reader.messages.map((m) => [m.headers['rxflume.event.id'], type.fromBuffer(m.value) as Record<string, unknown>]),
    );
    for (const e of batch.events) expect(decoded.get(e.id)).toEqual(e.record);
    for (const m of reader.messages) {
      expect(m.headers['rxflume.schema']).toBe('smartcar.DrivingEvent');
      expect(m.headers['rxflume.schema.version']).toBe(String(drivingSchema.version));
      expect(m.headers['rxflume.schema.fingerprint']).toBe(schemaFingerprintHex(drivingSchema.schema));
    }
  });

  it('expands the topic template from headers and takes the key from a header when asked', async () => {
    const suffix = randomUUID().slice(0, 8);
    const { sink } = open({ topic: `%{logType}-${suffix}`, keyHeader: 'host' });
    await sink.start();
    const reader = await collect(`driver-realtime-log-${suffix}`);
    await sink.write(drivingBatch(0, 10, { logType: 'driver-realtime-log', host: 'h1' }));
    await reader.waitForCount(10);
    expect(reader.messages.map((m) => m.key)).toEqual(Array(10).fill('h1'));
  });

  it('retriable produce errors: retried with backoff, every event delivered once, acknowledged after the broker', async () => {
    const name = topic();
    const { sink, metrics } = open({ topic: name, requestMaxEvents: 50, maxInFlight: 1 });
    await sink.start();
    const reader = await collect(name);
    // Request 1 is accepted, then leader-change and timeout errors, then the rest go through.
    await broker.pushProduceErrors([0, KafkaErrorCode.NOT_LEADER_FOR_PARTITION, KafkaErrorCode.REQUEST_TIMED_OUT]);
    const lane = createSinkLane(sink, { metrics, deadLetter: new ArrayDeadLetters(), logger: silentLogger(), retry: FAST_RETRY });
    const batch = drivingBatch(0, 200);
    let settled = false;
    const progress = await firstValueFrom(
      lane.deliver({
        batch,
        ack: {
          settle: () => {
            settled = true;
          },
          settled: false,
        },
      }),
    );
    expect(settled).toBe(true);
    expect(progress.outcome).toBe('delivered');
    expect(progress.attempts).toBe(3);
    expect(await metrics.value('rxflume_sink_retries_total', { component_id: 'kafka' })).toBe(2);
    await reader.waitForCount(200);
    // The request acknowledged before the failures was not sent again.
    const ids = reader.messages.map((m) => m.headers['rxflume.event.id']);
    expect(ids).toHaveLength(200);
    expect(new Set(ids).size).toBe(200);
  });

  it('permanent produce errors: the batch is dead-lettered with the reason and the sink goes on', async () => {
    const name = topic();
    const { sink, metrics } = open({ topic: name });
    await sink.start();
    const reader = await collect(name);
    const deadLetter = new ArrayDeadLetters();
    const lane = createSinkLane(sink, { metrics, deadLetter, logger: silentLogger(), retry: FAST_RETRY });
    await broker.pushProduceErrors([KafkaErrorCode.MESSAGE_TOO_LARGE]);
    const rejected = drivingBatch(0, 5);
    const first = await firstValueFrom(lane.deliver({ batch: rejected, ack: { settle: () => undefined, settled: false } }));
    expect(first.outcome).toBe('dead_lettered');
    expect(deadLetter.entries.map((e) => e.event.id)).toEqual(rejected.events.map((e) => e.id));
    expect(deadLetter.entries[0]?.reason).toMatch(/MESSAGE_TOO_LARGE/);
    expect(deadLetter.entries[0]?.code).toBe('RXF_SINK_PERMANENT');
    expect(deadLetter.entries[0]?.componentId).toBe('kafka');

    await broker.pushProduceErrors([KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED]);
    await expect(sink.write(drivingBatch(5, 5))).rejects.toMatchObject({
      retriable: false,
      message: expect.stringMatching(/TOPIC_AUTHORIZATION_FAILED/),
    });

    const next = await firstValueFrom(lane.deliver({ batch: drivingBatch(10, 5), ack: { settle: () => undefined, settled: false } }));
    expect(next.outcome).toBe('delivered');
    await reader.waitForCount(5);
    expect(reader.messages.map((m) => m.value.toString()).sort()).toEqual([10, 11, 12, 13, 14].map(drivingLine).sort());
  });

  it('broker down: writes fail as transient and mark the sink disconnected; after up it reconnects and delivers', async () => {
    const name = topic();
    const { sink, metrics } = open({ topic: name });
    await sink.start();
    await sink.write(drivingBatch(0, 10));
    await broker.down(1);
    try {
      const error = await sink.write(drivingBatch(10, 10)).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(RxfError);
      expect((error as RxfError).retriable).toBe(true);
      expect(metrics.isSinkConnected('kafka')).toBe(false);
      // Still down: the fresh producer cannot connect either, and says so as a transient error.
      await expect(sink.write(drivingBatch(10, 10))).rejects.toMatchObject({ retriable: true });
    } finally {
      await broker.up(1);
    }
    const lane = createSinkLane(sink, { metrics, deadLetter: new ArrayDeadLetters(), logger: silentLogger(), retry: FAST_RETRY });
    const progress = await firstValueFrom(lane.deliver({ batch: drivingBatch(10, 10), ack: { settle: () => undefined, settled: false } }));
    expect(progress.outcome).toBe('delivered');
    expect(metrics.isSinkConnected('kafka')).toBe(true);
    expect(await metrics.value('rxflume_sink_reconnects_total', { component_id: 'kafka' })).toBe(1);
    // Read only now: a consumer connected through the outage takes its own time to recover.
    const reader = await collect(name);
    await reader.waitForCount(20);
    expect(new Set(reader.messages.map((m) => m.value.toString()))).toEqual(new Set(Array.from({ length: 20 }, (_, i) => drivingLine(i))));
  });

  it('a connection the broker drops mid-request is replaced; nothing is lost', async () => {
    const name = topic();
    const { sink, metrics } = open({ topic: name, requestMaxEvents: 20, maxInFlight: 1 });
    await sink.start();
    const reader = await collect(name);
    // -195 is librdkafka's "transport" error: the mock closes the client's connection.
    await broker.pushProduceErrors([0, -195, -195]);
    const lane = createSinkLane(sink, { metrics, deadLetter: new ArrayDeadLetters(), logger: silentLogger(), retry: FAST_RETRY });
    const progress = await firstValueFrom(lane.deliver({ batch: drivingBatch(0, 100), ack: { settle: () => undefined, settled: false } }));
    expect(progress.outcome).toBe('delivered');
    expect(progress.attempts).toBeGreaterThan(1);
    await reader.waitForCount(100);
    const ids = new Set(reader.messages.map((m) => m.headers['rxflume.event.id']));
    expect(ids.size).toBe(100);
  });

  it('starts without a reachable broker (reporting it disconnected) and fails writes as transient', async () => {
    const { sink, metrics } = kafkaSink({ brokers: '127.0.0.1:1', topic: 'nowhere', connectionTimeoutMs: 500, producerThread });
    sinks.push(sink);
    await sink.start();
    // Reported at start, so /readyz says "not ready" before any event arrives.
    expect(metrics.isSinkConnected('kafka')).toBe(false);
    await expect(sink.write(drivingBatch(0, 1))).rejects.toMatchObject({ retriable: true });
    expect(metrics.isSinkConnected('kafka')).toBe(false);
  });

  it('refuses writes after close', async () => {
    const { sink } = open({ topic: topic() });
    await sink.start();
    await sink.close();
    await expect(sink.write(drivingBatch(0, 1))).rejects.toMatchObject({ code: 'RXF_SHUTDOWN' });
    const events = drivingBatch(0, 1).events as TestEvent[];
    expect(events[0]?.outcomes).toEqual([]);
  });
});
