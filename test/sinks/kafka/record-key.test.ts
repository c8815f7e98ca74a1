/** The message key read from an Avro-encoded record equals the key of the decoded record, without decoding it. */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import type { EventBatch, FlumeEvent, SchemaRef } from '../../../src/core/event.js';
import { MessageEncoder } from '../../../src/sinks/kafka/messages.js';
import { encodedKeyReader } from '../../../src/sinks/kafka/record-key.js';
import { drivingBatch, drivingSchema, sinkConfig } from './support.js';

interface Encodable {
  toBuffer(value: unknown): Buffer;
}

const drivingType = drivingSchema.type as Encodable;

/** Events like the tail source's: the record held encoded; reading `record` decodes it and is counted. */
function heldEncoded(batch: EventBatch): { batch: EventBatch; decodes: () => number } {
  let decodes = 0;
  const events = batch.events.map((e): FlumeEvent => {
    const encoded = drivingType.toBuffer(e.record);
    return {
      id: e.id,
      body: e.body,
      headers: e.headers,
      position: e.position,
      ack: e.ack,
      get record() {
        decodes++;
        return (drivingSchema.type as avro.Type).fromBuffer(encoded) as Record<string, unknown>;
      },
      encodedRecord: () => encoded,
    };
  });
  return { batch: { ...batch, events }, decodes: () => decodes };
}

function schemaRef(json: object): SchemaRef {
  const type = avro.Type.forSchema(json as avro.Schema, { registry: {} });
  return { name: String((json as { name: string }).name), type, schema: json };
}

describe('kafka key from the encoded record', () => {
  it('reads car_number from the encoding of every DrivingEvent shape, equal to the decoded record', () => {
    // 27,300 = lcm(26, 100, 7, 3, 6, 10) lines: every joint combination of car letter, number, steer,
    // light, pedal and area the generator makes.
    const read = encodedKeyReader(drivingSchema, 'car_number');
    expect(read).toBeDefined();
    for (const event of drivingBatch(0, 27_300).events) {
      const record = event.record as Record<string, unknown>;
      expect(read?.(drivingType.toBuffer(record))).toBe(record.car_number);
    }
    // Any field can be the key, the first and the last included.
    expect(encodedKeyReader(drivingSchema, 'date')?.(drivingType.toBuffer(drivingBatch(5, 1).events[0]?.record))).toBe('20190101000010');
    const last = drivingBatch(7, 1).events[0]?.record as Record<string, unknown>;
    expect(encodedKeyReader(drivingSchema, 'area_number')?.(drivingType.toBuffer(last))).toBe(last.area_number);
  });

  it('reads past longs, enums, unions and nested records, and gives null for a null union', () => {
    const json = {
      type: 'record',
      name: 'Nested',
      namespace: 't',
      fields: [
        { name: 'n', type: 'long' },
        { name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B'] } },
        { name: 'u', type: ['null', 'double'] },
        { name: 'inner', type: { type: 'record', name: 'Inner', fields: [{ name: 'x', type: { type: 'array', items: 'string' } }] } },
        { name: 'again', type: 'Inner' },
        { name: 'key', type: ['null', 'string'] },
        { name: 'after', type: 'E' },
      ],
    };
    const ref = schemaRef(json);
    const read = encodedKeyReader(ref, 'key');
    const type = ref.type as Encodable;
    const base = { n: -(2 ** 40), e: 'B', u: 1.5, inner: { x: ['a', 'bc'] }, again: { x: [] }, after: 'A' };
    expect(read?.(type.toBuffer({ ...base, key: 'K1' }))).toBe('K1');
    expect(read?.(type.toBuffer({ ...base, key: null }))).toBeNull();
  });

  it('has no reader for a field the schema lacks, so the encoder falls back to the record', () => {
    expect(encodedKeyReader(drivingSchema, 'no_such_field')).toBeUndefined();
    const { batch } = heldEncoded(drivingBatch(0, 3));
    const messages = new MessageEncoder(sinkConfig({ brokers: 'h:1', topic: 't', keyField: 'no_such_field' }), 'k')
      .encode(batch)
      .flatMap((r) => r.topicMessages.flatMap((t) => t.messages));
    expect(messages.map((m) => m.key)).toEqual([null, null, null]);
  });

  it('keys text messages from the encoding without decoding a record, with the keys of decoded records', () => {
    const plain = drivingBatch(0, 600);
    const { batch, decodes } = heldEncoded(plain);
    const config = sinkConfig({ brokers: 'h:1', topic: 't' });
    const shape = (b: EventBatch) =>
      new MessageEncoder(config, 'k')
        .encode(b)
        .map((r) => [r.lane, r.topicMessages.flatMap((t) => t.messages.map((m) => [m.key, String(m.value)]))]);
    expect(shape(batch)).toEqual(shape(plain));
    expect(decodes()).toBe(0);
  });

  it('sends a held Avro encoding as the avro value as is, equal to encoding the record', () => {
    const plain = drivingBatch(0, 50);
    const { batch, decodes } = heldEncoded(plain);
    const encoder = new MessageEncoder(sinkConfig({ brokers: 'h:1', topic: 't', format: 'avro' }), 'k');
    const values = (b: EventBatch) => encoder.encode(b).flatMap((r) => r.topicMessages.flatMap((t) => t.messages.map((m) => m.value)));
    const held = values(batch);
    expect(held).toEqual(values(plain));
    expect(held[3]).toBe(batch.events[3]?.encodedRecord?.());
    expect(decodes()).toBe(0);
  });
});
