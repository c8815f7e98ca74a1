/**
 * Reads what reached a topic, with a real kafkajs consumer (random group, from the beginning).
 * Start a collector before producing when a test writes more than the mock broker keeps per
 * partition (~100 k messages). A message is kept once per (partition, offset): after a broker
 * outage the consumer may rejoin and read again from the beginning, which is the reader
 * repeating itself, not the topic holding a duplicate.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { waitFor } from '../wait.js';

export interface ConsumedMessage {
  readonly partition: number;
  readonly offset: string;
  /** Producer time of the send (ms): a retried send gets a new one. */
  readonly timestamp: number;
  readonly key: string | null;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

export interface TopicCollector {
  readonly messages: ConsumedMessage[];
  /** Waits until at least `n` messages arrived (generous default deadline). */
  waitForCount(n: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function headersOf(raw: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) if (v !== undefined) out[k] = String(v);
  return out;
}

export async function collectTopic(bootstrap: string, topic: string): Promise<TopicCollector> {
  const kafka = new Kafka({ brokers: bootstrap.split(','), clientId: 'test-reader', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}`, allowAutoTopicCreation: true, maxWaitTimeInMs: 100 });
  const messages: ConsumedMessage[] = [];
  const seen = new Set<string>();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        const at = `${batch.partition}:${m.offset}`;
        if (seen.has(at)) continue;
        seen.add(at);
        messages.push({
          partition: batch.partition,
          offset: m.offset,
          timestamp: Number(m.timestamp),
          key: m.key === null ? null : m.key.toString(),
          value: m.value ?? Buffer.alloc(0),
          headers: headersOf(m.headers as Record<string, unknown>),
        });
      }
    },
  });
  return {
    messages,
    async waitForCount(n, timeoutMs = 120_000) {
      await waitFor(() => messages.length >= n, { timeoutMs, intervalMs: 50, what: `${n} messages on ${topic} (have ${messages.length})` });
    },
    stop: () => consumer.disconnect(),
  };
}
