/**
 * `rxflume consume` end to end: the pilot pipeline tails driving lines into the mock broker's
 * topic (Avro values), and the real CLI reads them back — decoded records in JSON, the values
 * only in text, `--max` and `--timeout-ms` stopping it, bad messages reported but printed.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/core/agent.js';
import { killAll, runCli } from '../support/cli.js';
import { DRIVING_HEADER, drivingLine } from '../support/driving.js';
import { type MockBroker, startMockBroker } from '../support/kafka/mock-broker.js';
import { collectTopic } from '../support/kafka/topic.js';
import { startPilotAgent } from '../support/pilot.js';
import { tempDir } from '../support/wait.js';

const TOPIC = 'SmartCar-Topic';
const N = 500;

describe('rxflume consume', () => {
  let broker: MockBroker;
  let agent: Agent | undefined;
  let cleanup: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    broker = await startMockBroker();
    const log = join(t.dir, 'driver-realtime-log', 'SmartCarDriverInfo.log');
    await mkdir(join(t.dir, 'driver-realtime-log'), { recursive: true });
    await writeFile(log, `${DRIVING_HEADER}\n`);
    const reader = await collectTopic(broker.bootstrap, TOPIC);
    agent = await startPilotAgent(t.dir, (y) => y.replace(/(type: kafka[\s\S]*?)format: text/, '$1format: avro'), {
      RXFLUME_KAFKA_BROKERS: broker.bootstrap,
    });
    await appendFile(log, `${Array.from({ length: N }, (_, i) => drivingLine(i)).join('\n')}\n`);
    await reader.waitForCount(N);
    await reader.stop();
  }, 120_000);

  afterAll(async () => {
    killAll();
    await agent?.stop();
    await broker?.stop();
    await cleanup();
  });

  /** `rxflume consume` of `topic` on the mock broker from its first offset, with more options. */
  const consumeFromBeginning = (topic: string, options: string[]) =>
    runCli(['consume', '--brokers', broker.bootstrap, '--topic', topic, '--from-beginning', ...options]);

  it('--from-beginning --max N prints N JSON objects with the decoded records', { timeout: 120_000 }, async () => {
    const r = await consumeFromBeginning(TOPIC, ['--max', String(N), '--log-level', 'warn']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out).toHaveLength(N);
    const first = out[0] as { topic: string; key: string; schema: string; headers: Record<string, string>; value: Record<string, unknown> };
    expect(first.topic).toBe(TOPIC);
    // The pilot names no schema version, so it writes the latest (v2): v1 lines get null GPS.
    expect(first.schema).toBe('smartcar.DrivingEvent v2');
    expect([first.value.gps_lat, first.value.gps_lon]).toEqual([null, null]);
    expect(first.headers['rxflume.event.id']).toMatch(/^driving:/);
    expect(first.key).toBe(first.value.car_number);
    const lines = out.map((m) =>
      Object.values(m.value as Record<string, unknown>)
        .slice(0, 8)
        .join(','),
    );
    expect(new Set(lines)).toEqual(new Set(Array.from({ length: N }, (_, i) => drivingLine(i))));
  });

  it('--format text prints only the values and --timeout-ms stops an idle reader', { timeout: 120_000 }, async () => {
    const r = await consumeFromBeginning(TOPIC, ['--format', 'text', '--timeout-ms', '3000']);
    expect(r.code).toBe(0);
    const out = r.stdout.trim().split('\n');
    expect(out).toHaveLength(N);
    expect(JSON.parse(out[0] as string)).toHaveProperty('car_number');
  });

  it('prints a message it cannot decode with the reason, and plain values as text', { timeout: 120_000 }, async () => {
    const topic = 'mixed';
    const producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer({ allowAutoTopicCreation: true });
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: 'a', value: 'plain,line', headers: { h: 'x' } },
        { key: 'b', value: Buffer.from([1, 2, 3]), headers: { 'rxflume.schema': 'smartcar.Nope' } },
        {
          key: 'c',
          value: Buffer.from([1]),
          headers: { 'rxflume.schema': 'smartcar.DrivingEvent', 'rxflume.schema.fingerprint': '0000000000000000' },
        },
      ],
    });
    await producer.disconnect();
    const r = await consumeFromBeginning(topic, ['--max', '3']);
    expect(r.code).toBe(0);
    const byKey = new Map(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => {
          const m = JSON.parse(l) as { key: string; value: unknown; error?: string };
          return [m.key, m];
        }),
    );
    expect(byKey.get('a')?.value).toBe('plain,line');
    expect(byKey.get('b')).toMatchObject({ value: 'AQID', error: 'unknown schema smartcar.Nope' });
    expect(byKey.get('c')?.error).toMatch(
      /^schema fingerprint 0000000000000000 matches no version of smartcar\.DrivingEvent \(versions 1, 2 in .*schemas\/smartcar\)$/,
    );
  });

  it('names a bad option', async () => {
    const r = await runCli(['consume', '--topic', TOPIC, '--max', 'lots']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--max must be a positive integer, got "lots"');
  });
});
