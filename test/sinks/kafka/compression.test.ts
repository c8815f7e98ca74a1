/**
 * `compression: gzip` against the real Kafka-protocol broker: the broker accepts the gzip record
 * batches and a consumer reads back exactly the lines written, keyed by car. (The codec on the
 * wire is kafkajs's; this proves the option reaches it and the round trip is lossless.)
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivingLine } from '../../support/driving.js';
import { type MockBroker, startMockBroker } from '../../support/kafka/mock-broker.js';
import { collectTopic } from '../../support/kafka/topic.js';
import { drivingBatch, kafkaSink } from './support.js';

describe('kafka sink compression', () => {
  let broker: MockBroker;
  beforeAll(async () => {
    broker = await startMockBroker();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it.each(['gzip', 'none'])('compression %s: every line arrives once, keyed by car, acknowledged', async (compression) => {
    const topic = `gz-${randomUUID().slice(0, 8)}`;
    const { sink } = kafkaSink({ brokers: broker.bootstrap, topic, format: 'text', compression });
    const reader = await collectTopic(broker.bootstrap, topic);
    try {
      await sink.start();
      const batch = drivingBatch(0, 2000);
      await sink.write(batch);
      await reader.waitForCount(2000);
      const values = reader.messages.map((m) => m.value.toString());
      expect(values.sort()).toEqual(Array.from({ length: 2000 }, (_, i) => drivingLine(i)).sort());
      for (const m of reader.messages) expect(m.key).toBe(m.value.toString().split(',')[1]);
    } finally {
      await sink.close();
      await reader.stop();
    }
  });
});
