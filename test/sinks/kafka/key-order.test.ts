/**
 * Per-key order under retries with several requests in flight: retriable Produce errors are
 * injected mid-write while 5 lanes send at once; every car's events must reach the topic in the
 * order written, nothing lost, and any repeat only a contiguous replay that runs on to the end.
 * (Before lanes, a retried request landed after later requests of the same write.)
 */
import { randomUUID } from 'node:crypto';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetterSink } from '../../../src/core/component.js';
import { silentLogger } from '../../../src/core/logger.js';
import { createSinkLane } from '../../../src/operators/sink-lane.js';
import { KafkaErrorCode, type MockBroker, startMockBroker } from '../../support/kafka/mock-broker.js';
import { collectTopic } from '../../support/kafka/topic.js';
import { drivingBatch, kafkaSink } from './support.js';

const noDeadLetters: DeadLetterSink = {
  write: async () => {
    throw new Error('nothing should be dead-lettered');
  },
  close: async () => undefined,
};

/**
 * Checks one key's sequence against what was written (ascending): each element continues the
 * previous one by exactly one step, or restarts at an earlier element (a replay of what the
 * broker already had); the sequence ends at the last element written. Returns a reason or ''.
 */
function orderViolation(seen: readonly number[], written: readonly number[]): string {
  const index = new Map(written.map((v, i) => [v, i]));
  let pos = -1;
  for (const v of seen) {
    const i = index.get(v);
    if (i === undefined) return `${v} was never written`;
    if (i > pos + 1) return `${v} came before ${written[pos + 1]} (seen ${seen.join(',')})`;
    pos = i;
  }
  if (pos !== written.length - 1) return `does not end at ${written.at(-1)} (seen ${seen.join(',')})`;
  if (new Set(seen).size !== written.length) return 'lost events';
  return '';
}

describe('kafka sink per-key order under retries (maxInFlight 5)', () => {
  let broker: MockBroker;
  beforeAll(async () => {
    broker = await startMockBroker();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('the order check itself accepts replays of a suffix and rejects reorders, gaps and losses', () => {
    expect(orderViolation([1, 2, 3], [1, 2, 3])).toBe('');
    expect(orderViolation([1, 2, 3, 2, 3], [1, 2, 3])).toBe('');
    expect(orderViolation([1, 2, 1, 2, 3], [1, 2, 3])).toBe('');
    expect(orderViolation([1, 3, 2], [1, 2, 3])).not.toBe('');
    expect(orderViolation([1, 2, 3, 2], [1, 2, 3])).not.toBe('');
    expect(orderViolation([1, 2, 1, 3], [1, 2, 3])).not.toBe('');
    expect(orderViolation([1, 2], [1, 2, 3])).not.toBe('');
  });

  it('keeps every car in order with retriable errors injected mid-write; nothing lost', { timeout: 180_000 }, async () => {
    const topic = `order-${randomUUID().slice(0, 8)}`;
    const { sink, metrics } = kafkaSink({ brokers: broker.bootstrap, topic, requestMaxEvents: 100, maxInFlight: 5 });
    const reader = await collectTopic(broker.bootstrap, topic);
    try {
      await sink.start();
      const lane = createSinkLane(sink, {
        metrics,
        deadLetter: noDeadLetters,
        logger: silentLogger(),
        retry: { initialDelayMs: 10, maxDelayMs: 100, jitter: 0 },
      });
      const { NOT_LEADER_FOR_PARTITION: leader, REQUEST_TIMED_OUT: timedOut, NOT_ENOUGH_REPLICAS: replicas } = KafkaErrorCode;
      const perWrite = 2000;
      const writes = 5;
      for (let w = 0; w < writes; w++) {
        // Each write is ~20 requests over 5 lanes; these fail some of them while others are in flight.
        await broker.pushProduceErrors([0, 0, 0, leader, 0, 0, timedOut, 0, replicas, 0, 0, 0, leader, timedOut]);
        const progress = await firstValueFrom(
          lane.deliver({ batch: drivingBatch(w * perWrite, perWrite), ack: { settle: () => undefined, settled: false } }),
        );
        expect(progress.outcome).toBe('delivered');
        expect(progress.attempts).toBeGreaterThan(1);
        await broker.clearRequestErrors(0);
      }
      const total = perWrite * writes;
      await reader.waitForCount(total);

      const byCar = new Map<string, { seen: number[]; partitions: Set<number> }>();
      for (const m of reader.messages) {
        const entry = byCar.get(m.key as string) ?? { seen: [], partitions: new Set<number>() };
        entry.seen.push(Number(m.headers['rxflume.event.id']?.split(':')[2]));
        entry.partitions.add(m.partition);
        byCar.set(m.key as string, entry);
      }
      const written = new Map<string, number[]>();
      for (const e of drivingBatch(0, total).events) {
        const car = e.record?.car_number as string;
        written.set(car, [...(written.get(car) ?? []), Number(e.id.split(':')[2])]);
      }
      expect(byCar.size).toBe(written.size);
      const violations: string[] = [];
      for (const [car, expected] of written) {
        const got = byCar.get(car);
        expect(got?.partitions.size).toBe(1);
        const why = orderViolation(got?.seen ?? [], expected);
        if (why) violations.push(`${car}: ${why}`);
      }
      expect(violations).toEqual([]);
      expect(new Set(reader.messages.map((m) => m.headers['rxflume.event.id'])).size).toBe(total);
    } finally {
      await reader.stop();
      await sink.close();
    }
  });
});
