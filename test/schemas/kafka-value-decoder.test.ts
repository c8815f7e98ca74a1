/**
 * KafkaValueDecoder on values it cannot decode: each answers an `error` naming why and the value
 * in base64, never throws — a Confluent body cut short or with bytes left over, an unknown id, an
 * id naming a schema the folder lacks, a version header that is not a number (named as sent).
 */
import type avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { KafkaValueDecoder } from '../../src/schemas/kafka-value-decoder.js';
import { loadSchemaRegistry } from '../../src/schemas/registry.js';
import { confluentHeader, parseSchemaIds } from '../../src/schemas/schema-ids.js';
import { DRIVING_V1_RECORD } from '../support/samples.js';

const registry = loadSchemaRegistry();
const v1 = registry.get('smartcar.DrivingEvent', 1);
const record = DRIVING_V1_RECORD;
const body = (v1.type as avro.Type).toBuffer(record);
const ids = parseSchemaIds('smartcar.DrivingEvent: { 1: 21, 2: 22 }\nsmartcar.Gone: { 1: 5 }');
const decoder = new KafkaValueDecoder(registry, { schemaIds: ids });
const framed = (id: number, bytes: Buffer) => Buffer.concat([confluentHeader(id), bytes]);

describe('KafkaValueDecoder on values it cannot decode', () => {
  it('decodes a Confluent value by its id, resolved to the latest version', () => {
    expect(decoder.decode({}, framed(21, body))).toEqual({
      value: { ...record, gps_lat: null, gps_lon: null },
      schema: 'smartcar.DrivingEvent v1',
      reader: 'smartcar.DrivingEvent v2',
    });
  });

  it('names a Confluent body cut short or with bytes left over', () => {
    const cut = framed(21, body.subarray(0, 5));
    expect(decoder.decode({}, cut)).toMatchObject({
      value: cut.toString('base64'),
      error: 'not valid smartcar.DrivingEvent v1: truncated buffer',
    });
    const extra = framed(21, Buffer.concat([body, Buffer.from([1])]));
    expect(decoder.decode({}, extra)).toMatchObject({ error: 'not valid smartcar.DrivingEvent v1: trailing data' });
  });

  it('names an unknown id and an id whose schema is not in the folder', () => {
    expect(decoder.decode({}, framed(99, body))).toMatchObject({ error: 'unknown Confluent schema id 99' });
    expect(decoder.decode({}, framed(5, body))).toMatchObject({
      error: 'Confluent schema id 5 names smartcar.Gone v1, which is not in the schema folder',
    });
  });

  it('names a version header that is not a number as it was sent', () => {
    const headers = { 'rxflume.schema': 'smartcar.DrivingEvent', 'rxflume.schema.version': 'v1' };
    expect(decoder.decode(headers, body)).toEqual({
      value: body.toString('base64'),
      error: 'unknown schema smartcar.DrivingEvent version "v1" (versions 1, 2)',
    });
  });
});
