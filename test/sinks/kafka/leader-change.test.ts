/**
 * Leader changes on a 3-broker mock cluster: partition leadership moves, then the leader broker
 * goes down and leadership moves away from it. The sink (through its lane's retry) keeps
 * delivering every event; nothing is lost.
 */
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetterSink } from '../../../src/core/component.js';
import { silentLogger } from '../../../src/core/logger.js';
import { createSinkLane } from '../../../src/operators/sink-lane.js';
import { type MockBroker, startMockBroker } from '../../support/kafka/mock-broker.js';
import { collectTopic } from '../../support/kafka/topic.js';
import { drivingBatch, kafkaSink } from './support.js';

const noDeadLetters: DeadLetterSink = {
  write: async () => {
    throw new Error('nothing should be dead-lettered');
  },
  close: async () => undefined,
};

describe('kafka sink across leader changes (3 brokers)', () => {
  let cluster: MockBroker;
  beforeAll(async () => {
    cluster = await startMockBroker({ brokers: 3 });
    await cluster.createTopic('leaders', 4);
    for (let p = 0; p < 4; p++) await cluster.setLeader('leaders', p, 1);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('delivers everything while leaders move and a leader broker is down', { timeout: 120_000 }, async () => {
    const { sink, metrics } = kafkaSink({ brokers: cluster.bootstrap, topic: 'leaders', requestMaxEvents: 100 });
    const lane = createSinkLane(sink, {
      metrics,
      deadLetter: noDeadLetters,
      logger: silentLogger(),
      retry: { initialDelayMs: 50, maxDelayMs: 500, jitter: 0 },
    });
    const deliver = (from: number) =>
      firstValueFrom(lane.deliver({ batch: drivingBatch(from, 500), ack: { settle: () => undefined, settled: false } }));
    try {
      await sink.start();
      expect((await deliver(0)).outcome).toBe('delivered');
      for (let p = 0; p < 4; p++) await cluster.setLeader('leaders', p, 2);
      expect((await deliver(500)).outcome).toBe('delivered');
      await cluster.down(2);
      for (let p = 0; p < 4; p++) await cluster.setLeader('leaders', p, 3);
      expect((await deliver(1000)).outcome).toBe('delivered');
      // The moves were felt (answers from a broker that is no longer leader, or gone) and retried.
      expect(await metrics.value('rxflume_sink_retries_total', { component_id: 'kafka' })).toBeGreaterThanOrEqual(1);
      await cluster.up(2);
      const reader = await collectTopic(cluster.bootstrap, 'leaders');
      try {
        await reader.waitForCount(1500);
        expect(new Set(reader.messages.map((m) => m.headers['rxflume.event.id'])).size).toBe(1500);
      } finally {
        await reader.stop();
      }
    } finally {
      await sink.close();
    }
  });
});
