/**
 * Acceptance for the real-time path: the pilot config's driving tail → Kafka sink against the
 * mock Kafka-protocol broker. A clean run delivers every line exactly once, keyed by car, in
 * per-car order, in both value formats; a 10 s broker outage loses nothing, keeps the tail
 * checkpoint behind what the broker acknowledged and the buffer within its bound; injected
 * retriable errors are retried, a permanent one dead-letters its batch and the run goes on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/core/agent.js';
import { loadSchemaRegistry } from '../../src/schemas/registry.js';
import { DRIVING_HEADER, drivingLine } from '../support/driving.js';
import { KafkaErrorCode, type MockBroker, startMockBroker } from '../support/kafka/mock-broker.js';
import { type ConsumedMessage, collectTopic, type TopicCollector } from '../support/kafka/topic.js';
import { startPilotAgent } from '../support/pilot.js';
import { sleep, tempDir, waitFor } from '../support/wait.js';

const lines = (from: number, n: number) => Array.from({ length: n }, (_, k) => drivingLine(from + k));

interface Run {
  dir: string;
  log: string;
  broker: MockBroker;
  agent: Agent;
  topic: string;
}

/** The pilot config with a private topic, smaller bounds where a test needs them. */
function pilot(topic: string, edits: { format?: 'avro'; maxEvents?: number; retryMaxDelayMs?: number } = {}) {
  return (yaml: string) => {
    let out = yaml.replace('topic: SmartCar-Topic', `topic: ${topic}`);
    if (edits.format) out = out.replace(/(type: kafka[\s\S]*?)format: text/, `$1format: ${edits.format}`);
    if (edits.maxEvents)
      out = out.replace(
        /buffer:\n {6}maxEvents: 100000\n {4}sinks: \[driving_kafka\]/,
        `buffer:\n      maxEvents: ${edits.maxEvents}\n    sinks: [driving_kafka]`,
      );
    if (edits.retryMaxDelayMs)
      out = out.replace('    batchTimeoutMs: 5\n', `    batchTimeoutMs: 5\n    retry: { maxDelayMs: ${edits.retryMaxDelayMs} }\n`);
    return out;
  };
}

/** Event offsets in the driving log, parsed from the `rxflume.event.id` header (`driving:<file>:<offset>`). */
const offsetOf = (m: ConsumedMessage) => Number(m.headers['rxflume.event.id']?.split(':').at(-1));

/** The tail checkpoint's committed offset (0 before the first save). */
function checkpointOffset(dir: string): number {
  const file = join(dir, 'state', 'source-driving.json');
  if (!existsSync(file)) return 0;
  const state = JSON.parse(readFileSync(file, 'utf8')) as { state: { current: { offset: number } | null } };
  return state.state.current?.offset ?? 0;
}

/** Byte offset just past each line of the log (line i ends at ends[i]). */
function lineEnds(all: readonly string[], headerBytes: number): number[] {
  const ends: number[] = [];
  let pos = headerBytes;
  for (const l of all) {
    pos += Buffer.byteLength(l) + 1;
    ends.push(pos);
  }
  return ends;
}

describe('pilot driving log → Kafka (mock broker)', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  async function start(
    topic: string,
    edits: Parameters<typeof pilot>[1],
    initial: readonly string[],
  ): Promise<Run & { reader: TopicCollector }> {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const broker = await startMockBroker();
    cleanups.push(() => broker.stop());
    const reader = await collectTopic(broker.bootstrap, topic);
    cleanups.push(() => reader.stop());
    const log = join(t.dir, 'driver-realtime-log', 'SmartCarDriverInfo.log');
    await mkdir(join(t.dir, 'driver-realtime-log'), { recursive: true });
    await writeFile(log, `${DRIVING_HEADER}\n${initial.map((l) => `${l}\n`).join('')}`);
    const agent = await startPilotAgent(t.dir, pilot(topic, edits), { RXFLUME_KAFKA_BROKERS: broker.bootstrap });
    cleanups.push(() => agent.stop());
    return { dir: t.dir, log, broker, agent, topic, reader };
  }

  it('100 k lines tailed → every record in the topic exactly once, keyed by car, per-car order kept (text)', {
    timeout: 300_000,
  }, async () => {
    const all = lines(0, 100_000);
    const run = await start('drive-text', {}, all.slice(0, 50_000));
    for (let from = 50_000; from < 100_000; from += 5000) {
      await appendFile(run.log, `${all.slice(from, from + 5000).join('\n')}\n`);
      await sleep(20);
    }
    await run.reader.waitForCount(100_000, 240_000);
    const { drained } = await run.agent.stop();
    expect(drained).toBe(true);
    await sleep(500); // anything extra (a duplicate) would have arrived by now
    const got = run.reader.messages;
    expect(got).toHaveLength(100_000);
    expect(new Set(got.map((m) => m.headers['rxflume.event.id'])).size).toBe(100_000);
    expect(new Set(got.map((m) => m.value.toString()))).toEqual(new Set(all));
    const partitionOfCar = new Map<string, number>();
    const lastOffsetOfCar = new Map<string, number>();
    let outOfOrder = 0;
    for (const m of [...got].sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset))) {
      const car = m.value.toString().split(',')[1] as string;
      expect(m.key).toBe(car);
      expect(partitionOfCar.get(car) ?? m.partition).toBe(m.partition);
      partitionOfCar.set(car, m.partition);
      if (offsetOf(m) < (lastOffsetOfCar.get(car) ?? -1)) outOfOrder++;
      lastOffsetOfCar.set(car, offsetOf(m));
    }
    expect(outOfOrder).toBe(0);
    expect(new Set(partitionOfCar.values()).size).toBeGreaterThan(1);
    expect(checkpointOffset(run.dir)).toBe(Buffer.byteLength(`${DRIVING_HEADER}\n${all.join('\n')}\n`));
  });

  it('avro values decode to the validated records, with schema headers', { timeout: 120_000 }, async () => {
    const all = lines(0, 20_000);
    const run = await start('drive-avro', { format: 'avro' }, all);
    await run.reader.waitForCount(20_000, 100_000);
    await run.agent.stop();
    // The pipeline names no version, so it writes the latest (v2); v1 lines get null GPS fields.
    const schema = loadSchemaRegistry().get('smartcar.DrivingEvent');
    expect(schema.version).toBe(2);
    const decoded = run.reader.messages.map((m) => {
      expect(m.headers['rxflume.schema']).toBe('smartcar.DrivingEvent');
      expect(m.headers['rxflume.schema.version']).toBe('2');
      const record = schema.type.fromBuffer(m.value) as Record<string, unknown>;
      expect([record.gps_lat, record.gps_lon]).toEqual([null, null]);
      return Object.values(record).slice(0, 8).join(',');
    });
    expect(decoded).toHaveLength(20_000);
    expect(new Set(decoded)).toEqual(new Set(all));
  });

  it('broker down 10 s: no crash, no loss, checkpoint never passes unacknowledged lines, buffer bounded, delivery resumes', {
    timeout: 300_000,
  }, async () => {
    const maxEvents = 5000;
    const all: string[] = lines(0, 10_000);
    const run = await start('drive-outage', { maxEvents, retryMaxDelayMs: 1000 }, all);
    await run.reader.waitForCount(10_000);
    const headerBytes = Buffer.byteLength(`${DRIVING_HEADER}\n`);

    await run.broker.down(1);
    const downAt = Date.now();
    let maxBuffered = 0;
    let writer = 10_000;
    while (Date.now() - downAt < 10_000) {
      const more = lines(writer, 500);
      writer += more.length;
      all.push(...more);
      await appendFile(run.log, `${more.join('\n')}\n`);
      maxBuffered = Math.max(maxBuffered, await run.agent.metrics.value('rxflume_buffer_events', { component_id: 'driving' }));
      await sleep(100);
    }
    const checkpointWhileDown = checkpointOffset(run.dir);
    const received = await run.agent.metrics.value('rxflume_events_received_total', { component_id: 'driving' });
    const upAt = Date.now();
    await run.broker.up(1);

    // Nothing acknowledged while down can have been checkpointed past: every line ending at or
    // before the checkpoint read just before `up` was in the topic from a send before `up`.
    const ends = lineEnds(all, headerBytes);
    const deliveredBeforeUp = () => new Set(run.reader.messages.filter((m) => m.timestamp < upAt).map((m) => m.value.toString()));
    await waitFor(() => run.reader.messages.length >= all.length, { timeoutMs: 240_000, what: 'every line after the outage' });
    const before = deliveredBeforeUp();
    let checkpointedButMissing = 0;
    for (let i = 0; i < all.length && (ends[i] as number) <= checkpointWhileDown; i++)
      if (!before.has(all[i] as string)) checkpointedButMissing++;
    expect(checkpointedButMissing).toBe(0);
    expect(checkpointWhileDown).toBeGreaterThanOrEqual(ends[9999] as number);

    // Bounded: the tail stopped reading once the buffer was full (it went on appending to disk).
    expect(maxBuffered).toBeLessThanOrEqual(maxEvents);
    expect(received).toBeLessThan(all.length);

    const { drained } = await run.agent.stop();
    expect(drained).toBe(true);
    const values = run.reader.messages.map((m) => m.value.toString());
    expect(new Set(values)).toEqual(new Set(all));
    const duplicates = values.length - new Set(values).size;
    expect(duplicates).toBeLessThanOrEqual(maxEvents + 1000);
    expect(await run.agent.metrics.value('rxflume_sink_reconnects_total', { component_id: 'driving_kafka' })).toBeGreaterThanOrEqual(1);
    expect(run.agent.metrics.isSinkConnected('driving_kafka')).toBe(true);
    console.log(`broker down 10 s: lines=${all.length} duplicates=${duplicates} maxBuffered=${maxBuffered} readWhileDown=${received}`);
  });

  it('injected retriable produce errors are retried without loss; a permanent one dead-letters its batch and the run goes on', {
    timeout: 180_000,
  }, async () => {
    const run = await start('drive-errors', { retryMaxDelayMs: 500 }, lines(0, 1000));
    await run.reader.waitForCount(1000);
    await run.broker.pushProduceErrors([
      KafkaErrorCode.NOT_LEADER_FOR_PARTITION,
      KafkaErrorCode.REQUEST_TIMED_OUT,
      KafkaErrorCode.NOT_ENOUGH_REPLICAS,
    ]);
    await appendFile(run.log, `${lines(1000, 1000).join('\n')}\n`);
    await run.reader.waitForCount(2000);
    // Requests of one write are in flight together, so the three errors may cost one retry or three.
    expect(await run.agent.metrics.value('rxflume_sink_retries_total', { component_id: 'driving_kafka' })).toBeGreaterThanOrEqual(1);
    const deadLetterFile = join(run.dir, 'dead-letter', 'dead-letter.test-agent.jsonl');
    expect(existsSync(deadLetterFile) ? readFileSync(deadLetterFile, 'utf8') : '').toBe('');

    await run.broker.pushProduceErrors([KafkaErrorCode.MESSAGE_TOO_LARGE]);
    await appendFile(run.log, `${lines(2000, 500).join('\n')}\n`);
    const deadLetters = join(run.dir, 'dead-letter', 'dead-letter.test-agent.jsonl');
    const rejected = await waitFor(
      async () => {
        if (!existsSync(deadLetters)) return undefined;
        const entries = (await readFile(deadLetters, 'utf8'))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { raw: string; reason: string; stage: string });
        return entries.length > 0 ? entries : undefined;
      },
      { timeoutMs: 60_000, what: 'the dead-lettered batch' },
    );
    expect(rejected.every((e) => e.stage === 'sink' && /MESSAGE_TOO_LARGE/.test(e.reason))).toBe(true);
    await appendFile(run.log, `${lines(2500, 500).join('\n')}\n`);
    const rejectedLines = new Set(rejected.map((e) => e.raw));
    const everyLineAccountedFor = () => {
      const inTopic = new Set(run.reader.messages.map((m) => m.value.toString()));
      return lines(0, 3000).every((l) => rejectedLines.has(l) || inTopic.has(l));
    };
    await waitFor(everyLineAccountedFor, { timeoutMs: 120_000, intervalMs: 250, what: 'every line in the topic or the dead-letter file' });
    await run.agent.stop();
    const delivered = new Set(run.reader.messages.map((m) => m.value.toString()));
    expect(delivered.size).toBe(run.reader.messages.length);
    // The batch is dead-lettered whole: the request the broker refused is only there, while
    // requests of the same write it accepted may be in both places (same event ids).
    expect(rejected.some((e) => !delivered.has(e.raw))).toBe(true);
    expect(rejected.length).toBeLessThanOrEqual(10_000);
    expect(new Set([...delivered, ...rejected.map((e) => e.raw)])).toEqual(new Set(lines(0, 3000)));
    expect(checkpointOffset(run.dir)).toBe(Buffer.byteLength(`${DRIVING_HEADER}\n${lines(0, 3000).join('\n')}\n`));
  });
});
