/**
 * Schema evolution over Kafka, end to end: v1 and v2 DrivingEvent records produced into one topic
 * by the real Kafka sink (Avro values, fingerprint headers) against the mock broker, then read
 * back by the real `rxflume consume` with reader version 1 and 2; and the same round trip in the
 * Confluent wire format (magic byte, 4-byte id from an id file).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnceAck } from '../../src/core/ack.js';
import type { EventBatch, FlumeEvent } from '../../src/core/event.js';
import { createCsvParser } from '../../src/schemas/csv-parser.js';
import { loadSchemaRegistry, type RegisteredSchema } from '../../src/schemas/registry.js';
import { kafkaSink } from '../sinks/kafka/support.js';
import { killAll, runCli } from '../support/cli.js';
import { drivingLine } from '../support/driving.js';
import { type MockBroker, startMockBroker } from '../support/kafka/mock-broker.js';
import { collectTopic } from '../support/kafka/topic.js';
import { tempDir } from '../support/wait.js';

const registry = loadSchemaRegistry();
const v1 = registry.get('smartcar.DrivingEvent', 1);
const v2 = registry.get('smartcar.DrivingEvent', 2);
const N = 200; // per version

/** A v2 line: the v1 line (simulator shape) plus a GPS position. */
const v2Line = (i: number) => `${drivingLine(i)},${(37.5 + (i % 100) / 1000).toFixed(6)},${(127 + (i % 50) / 1000).toFixed(6)}`;

/** Lines parsed by `schema`'s own parser into one batch against that schema. */
function batchOf(schema: RegisteredSchema, lines: string[], first: number): EventBatch {
  const parser = createCsvParser(schema, { worker: false });
  const events: FlumeEvent[] = lines.map((line, k) => {
    const parsed = parser.parse(Buffer.from(line));
    if (!parsed.ok) throw new Error(`test line does not parse: ${parsed.reason}`);
    return {
      id: `driving:test:${first + k}`,
      body: Buffer.from(line),
      headers: {},
      record: parsed.record,
      position: { fileKey: 'test', path: '/in/driving.log', offset: first + k, end: first + k + 1 },
      ack: new OnceAck(() => undefined),
    };
  });
  return { sourceId: 'driving', events, schema };
}

interface Printed {
  key: string;
  schema: string;
  reader: string;
  value: Record<string, unknown>;
  headers: Record<string, string>;
  error?: string;
}

async function consume(broker: MockBroker, topic: string, extra: string[]): Promise<Printed[]> {
  const args = [
    'consume',
    '--brokers',
    broker.bootstrap,
    '--topic',
    topic,
    '--from-beginning',
    '--max',
    String(2 * N),
    '--log-level',
    'warn',
  ];
  const r = await runCli([...args, ...extra]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Printed);
}

const v1Lines = Array.from({ length: N }, (_, i) => drivingLine(i));
const v2Lines = Array.from({ length: N }, (_, i) => v2Line(N + i));
/** A v2 line as a decoded record prints it: coordinates as JavaScript numbers (37.500000 → 37.5). */
const v2Printed = v2Lines.map((l) =>
  l
    .split(',')
    .map((c, k) => (k >= 8 ? String(Number(c)) : c))
    .join(','),
);
/** Field values of a printed record, joined as the CSV line (null → empty). */
const lineOf = (value: Record<string, unknown>) =>
  Object.values(value)
    .map((v) => (v === null ? '' : String(v)))
    .join(',');

describe('a topic with v1 and v2 records', () => {
  let broker: MockBroker;
  let cleanup: () => Promise<void> = async () => undefined;
  let idsFile = '';

  beforeAll(async () => {
    broker = await startMockBroker();
    const t = await tempDir();
    cleanup = t.cleanup;
    idsFile = join(t.dir, 'schema-ids.yaml');
    await writeFile(idsFile, 'smartcar.DrivingEvent:\n  1: 21\n  2: 22\n');
    for (const [topic, options] of [
      ['mixed-rxflume', {}],
      ['mixed-confluent', { wireFormat: 'confluent', schemaIds: idsFile }],
    ] as const) {
      const { sink } = kafkaSink({ brokers: broker.bootstrap, topic, format: 'avro', ...options });
      await sink.start();
      await sink.write(batchOf(v1, v1Lines, 0));
      await sink.write(batchOf(v2, v2Lines, N));
      await sink.close();
    }
  }, 120_000);

  afterAll(async () => {
    killAll();
    await broker?.stop();
    await cleanup();
  });

  it('carries the writer version and fingerprint in headers', { timeout: 60_000 }, async () => {
    const reader = await collectTopic(broker.bootstrap, 'mixed-rxflume');
    await reader.waitForCount(2 * N);
    await reader.stop();
    const prints = new Set(reader.messages.map((m) => `${m.headers['rxflume.schema.version']} ${m.headers['rxflume.schema.fingerprint']}`));
    expect(prints).toEqual(new Set([`1 ${v1.fingerprint}`, `2 ${v2.fingerprint}`]));
  });

  it('reads every record as v2 by default: v1 records get null GPS', { timeout: 120_000 }, async () => {
    const out = await consume(broker, 'mixed-rxflume', []);
    expect(out).toHaveLength(2 * N);
    expect(new Set(out.map((m) => m.reader))).toEqual(new Set(['smartcar.DrivingEvent v2']));
    const written = out.filter((m) => m.schema === 'smartcar.DrivingEvent v1');
    expect(written).toHaveLength(N);
    expect(new Set(out.map((m) => lineOf(m.value)))).toEqual(new Set([...v1Lines.map((l) => `${l},,`), ...v2Printed]));
    for (const m of out) expect(m.key).toBe(m.value.car_number);
  });

  it('reads every record as v1 with --reader-version 1: v2 records lose their GPS', { timeout: 120_000 }, async () => {
    const out = await consume(broker, 'mixed-rxflume', ['--reader-version', '1']);
    expect(new Set(out.map((m) => m.reader))).toEqual(new Set(['smartcar.DrivingEvent v1']));
    expect(new Set(out.map((m) => lineOf(m.value)))).toEqual(
      new Set([...v1Lines, ...v2Lines.map((l) => l.split(',').slice(0, 8).join(','))]),
    );
  });

  it('frames Confluent values as magic 0 + big-endian id + Avro body, without schema headers', { timeout: 60_000 }, async () => {
    const reader = await collectTopic(broker.bootstrap, 'mixed-confluent');
    await reader.waitForCount(2 * N);
    await reader.stop();
    const ids = new Set(reader.messages.map((m) => `${m.value[0]}:${m.value.readUInt32BE(1)}`));
    expect(ids).toEqual(new Set(['0:21', '0:22']));
    for (const m of reader.messages) {
      expect(m.headers['rxflume.schema']).toBeUndefined();
      expect(m.headers['rxflume.event.id']).toMatch(/^driving:test:/);
      const writer = m.value.readUInt32BE(1) === 21 ? v1 : v2;
      expect(writer.type.isValid(writer.type.fromBuffer(m.value.subarray(5)))).toBe(true);
    }
  });

  it('round-trips the Confluent format through consume --schema-ids, with both readers', { timeout: 120_000 }, async () => {
    const asV2 = await consume(broker, 'mixed-confluent', ['--schema-ids', idsFile]);
    expect(new Set(asV2.map((m) => m.schema))).toEqual(new Set(['smartcar.DrivingEvent v1', 'smartcar.DrivingEvent v2']));
    expect(new Set(asV2.map((m) => lineOf(m.value)))).toEqual(new Set([...v1Lines.map((l) => `${l},,`), ...v2Printed]));
    const asV1 = await consume(broker, 'mixed-confluent', ['--schema-ids', idsFile, '--reader-version', '1']);
    expect(new Set(asV1.map((m) => lineOf(m.value)))).toEqual(
      new Set([...v1Lines, ...v2Lines.map((l) => l.split(',').slice(0, 8).join(','))]),
    );
  });

  it('names Confluent values consumed without --schema-ids, on stderr in text format', { timeout: 120_000 }, async () => {
    const base = [
      'consume',
      '--brokers',
      broker.bootstrap,
      '--topic',
      'mixed-confluent',
      '--from-beginning',
      '--max',
      '2',
      '--log-level',
      'warn',
    ];
    const json = await runCli(base);
    expect(json.code).toBe(0);
    const printed = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Printed);
    // Which record comes first depends on the partitions: a v1 (id 21) or a v2 (id 22) one.
    expect(printed[0]?.error).toMatch(/^a Confluent-framed value \(schema id 2[12]\) and no schema id file to decode it \(--schema-ids\)$/);
    const text = await runCli([...base, '--format', 'text']);
    expect(text.code).toBe(0);
    const errors = text.stderr.trim().split('\n');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(
      /^rxflume consume: mixed-confluent\/\d+@\d+: a Confluent-framed value \(schema id 2[12]\) and no schema id file to decode it \(--schema-ids\)$/,
    );
  });

  it('dead-letters (permanent error) a batch whose version has no Confluent id', { timeout: 60_000 }, async () => {
    const t = await tempDir();
    try {
      const partial = join(t.dir, 'ids.json');
      await writeFile(partial, '{"smartcar.DrivingEvent": {"1": 21}}');
      const { sink } = kafkaSink({
        brokers: broker.bootstrap,
        topic: 'no-id',
        format: 'avro',
        wireFormat: 'confluent',
        schemaIds: partial,
      });
      await sink.start();
      await expect(sink.write(batchOf(v2, v2Lines.slice(0, 2), 0))).rejects.toMatchObject({
        code: 'RXF_SINK_PERMANENT',
        message: `kafka sink kafka: no Confluent schema id for smartcar.DrivingEvent v2 in ${partial} (wireFormat confluent)`,
      });
      await sink.close();
    } finally {
      await t.cleanup();
    }
  });
});
