/**
 * The one-pass Produce encoder writes exactly the bytes kafkajs's own v3 encoder writes (the
 * producer thread swaps one for the other), declines what it does not handle, and the linear
 * partition grouping gives kafkajs's result.
 */
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeProduceBody, groupMessagesPerPartition, type ProduceRequestArgs } from '../../../src/sinks/kafka/record-batch.js';
import { drivingLine } from '../../support/driving.js';

const require = createRequire(import.meta.url);
type StockRequest = (args: unknown) => { encode(): Promise<{ buffer: Buffer }> };
const stockV3 = require('kafkajs/src/protocol/requests/produce/v3/request') as StockRequest;
const stockGroup = require('kafkajs/src/producer/groupMessagesPerPartition') as typeof groupMessagesPerPartition;
const crc32c = require('kafkajs/src/protocol/recordBatch/crc32C') as (b: Buffer) => number;
const { Partitioners } = require('kafkajs') as typeof import('kafkajs');

const NOW = 1_764_115_200_123;

async function stockBytes(args: ProduceRequestArgs): Promise<Buffer> {
  vi.spyOn(Date, 'now').mockReturnValue(NOW);
  return (await stockV3(args).encode()).buffer;
}

function messages(from: number, n: number) {
  return Array.from({ length: n }, (_, k) => {
    const line = drivingLine(from + k);
    return {
      key: Buffer.from(line.slice(15, 20)),
      value: Buffer.from(line),
      headers: { 'rxflume.event.id': Buffer.from(`driving:t:${from + k}`) },
    };
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('encodeProduceBody', () => {
  it('writes the bytes kafkajs writes for a request of many partitions and topics', async () => {
    const args: ProduceRequestArgs = {
      acks: -1,
      timeout: 30_000,
      topicData: [
        {
          topic: 'SmartCar-Topic',
          partitions: [
            { partition: 0, firstSequence: 0, messages: messages(0, 700) },
            { partition: 3, firstSequence: 0, messages: messages(700, 300) },
          ],
        },
        { topic: 'другой-topic', partitions: [{ partition: 1, messages: messages(1000, 1) }] },
      ],
    };
    const ours = encodeProduceBody(args, NOW, crc32c);
    expect(ours).toBeDefined();
    expect(ours?.equals(await stockBytes(args))).toBe(true);
  });

  it('writes string and null keys and values, multi-valued, empty and missing headers as kafkajs does', async () => {
    const args: ProduceRequestArgs = {
      acks: 1,
      timeout: 5000,
      producerId: -1,
      producerEpoch: 0,
      topicData: [
        {
          topic: 't',
          partitions: [
            {
              partition: 2,
              messages: [
                { key: null, value: 'plain text ünïcode' },
                { key: 'k', value: null, headers: {} },
                { key: '', value: Buffer.alloc(0), headers: { a: ['1', Buffer.from([0, 255])], b: 'x'.repeat(300) } },
                { key: 'long', value: Buffer.alloc(20_000, 7), headers: { ключ: 'значение' } },
              ],
            },
          ],
        },
      ],
    };
    const ours = encodeProduceBody(args, NOW, crc32c);
    expect(ours?.equals(await stockBytes(args))).toBe(true);
  });

  it('declines transactional requests and messages with their own timestamp (kafkajs encodes those)', () => {
    const base = { acks: -1, timeout: 1000 };
    const plain = [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'a', value: 'b' }] }] }];
    expect(encodeProduceBody({ ...base, transactionalId: 'tx', topicData: plain }, NOW, crc32c)).toBeUndefined();
    const stamped = [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'a', value: 'b', timestamp: '5' }] }] }];
    expect(encodeProduceBody({ ...base, topicData: stamped }, NOW, crc32c)).toBeUndefined();
  });
});

describe('groupMessagesPerPartition', () => {
  it('groups as kafkajs does, in message order, with the Java-compatible partitioner', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2, 3, 4].map((partitionId) => ({ partitionId, leader: 1 }));
    const list = messages(0, 500); // keyed: a null key goes to a randomly seeded round robin
    const args = { topic: 't', partitionMetadata, messages: list, partitioner: partitioner as never };
    const ours = groupMessagesPerPartition(args);
    expect(Object.keys(ours).length).toBeGreaterThan(1);
    expect(ours).toEqual(stockGroup({ ...args, partitioner: Partitioners.DefaultPartitioner() as never }));
    expect(groupMessagesPerPartition({ ...args, partitionMetadata: [] })).toEqual({});
  });
});
