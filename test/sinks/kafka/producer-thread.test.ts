/**
 * The producer thread installs its one-pass Produce encoder (and says so in its debug log), and
 * what it sends through it reaches the broker intact: keys, values, headers, per-partition order,
 * with the broker's offsets in the answer.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threadProducerFactory } from '../../../src/sinks/kafka/producer-thread.js';
import { drivingLine } from '../../support/driving.js';
import { type MockBroker, startMockBroker } from '../../support/kafka/mock-broker.js';
import { collectTopic } from '../../support/kafka/topic.js';
import { waitFor } from '../../support/wait.js';
import { sinkConfig } from './support.js';

/** A debug-level logger that keeps each line's message. */
function recordingLogger() {
  const messages: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) messages.push(String(JSON.parse(line).msg));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), messages };
}

describe('producer thread', () => {
  let broker: MockBroker;
  beforeAll(async () => {
    broker = await startMockBroker();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('sends through the one-pass encoder: everything arrives as sent, in order per partition', async () => {
    const { logger, messages: logged } = recordingLogger();
    const topic = 'producer-thread-one-pass';
    const config = sinkConfig({ brokers: [broker.bootstrap], topic, requestTimeoutMs: 10_000, connectionTimeoutMs: 5000 });
    const producer = threadProducerFactory(config, undefined, logger)();
    const collector = await collectTopic(broker.bootstrap, topic);
    try {
      await producer.connect();
      const sent = Array.from({ length: 1500 }, (_, i) => {
        const line = drivingLine(i);
        return { key: line.slice(15, 20), value: Buffer.from(line), headers: { 'rxflume.event.id': `t:${i}`, logType: 'drive' } };
      });
      const answers = await producer.send([{ topic, messages: sent }]);
      expect(answers.length).toBeGreaterThan(0);
      expect(answers.every((a) => a.topic === topic && a.errorCode === 0 && a.baseOffset !== undefined)).toBe(true);
      await waitFor(() => logged.includes('kafkajs: one-pass produce encoder installed'), { what: 'the encoder log line' });

      await collector.waitForCount(sent.length, 60_000);
      const got = collector.messages;
      expect(got).toHaveLength(sent.length);
      const byId = new Map(got.map((m) => [m.headers['rxflume.event.id'], m]));
      for (let i = 0; i < sent.length; i++) {
        const m = byId.get(`t:${i}`);
        expect(m?.key).toBe(sent[i]?.key);
        expect(m?.value.equals(sent[i]?.value as Buffer)).toBe(true);
        expect(m?.headers.logType).toBe('drive');
      }
      // Within a partition, offsets follow the send order.
      const partitions = new Set(got.map((m) => m.partition));
      for (const p of partitions) {
        const ids = got
          .filter((m) => m.partition === p)
          .sort((a, b) => Number(a.offset) - Number(b.offset))
          .map((m) => Number(m.headers['rxflume.event.id']?.slice(2)));
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
      }
    } finally {
      await collector.stop();
      await producer.disconnect();
    }
  });
});
