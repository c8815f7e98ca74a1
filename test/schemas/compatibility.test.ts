/**
 * The compatibility walk and reader resolution: smart-car v1 data read as v2 and v2 data read as
 * v1 (full compatibility), exact paths for nested changes, enum defaults, agreement with avsc's
 * own resolver on every pair, and the Confluent schema id file.
 */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { checkPair, resolutionProblems } from '../../src/schemas/compatibility.js';
import { loadSchemaRegistry } from '../../src/schemas/registry.js';
import { compileRecordUpgrader, resolvingDecoder } from '../../src/schemas/resolution.js';
import { confluentHeader, confluentIdOf, parseSchemaIds } from '../../src/schemas/schema-ids.js';
import { STATUS_V1_FIELDS } from '../support/samples.js';

const registry = loadSchemaRegistry();
const type = (schema: unknown) => avro.Type.forSchema(schema as avro.Schema, { registry: {} });
const rec = (fields: unknown[], extra: Record<string, unknown> = {}) =>
  type({ type: 'record', name: 'R', namespace: 'n', fields, ...extra });

describe('smart-car v1 ↔ v2', () => {
  const v1 = registry.get('smartcar.CarStatus', 1);
  const v2 = registry.get('smartcar.CarStatus', 2);
  const record1 = { ...STATUS_V1_FIELDS, collect_date: '20160102' };
  const record2 = { ...record1, odometer_km: 48213.7, firmware_version: '3.2.1' };

  it('are fully compatible', () => {
    for (const name of registry.names()) {
      expect(checkPair(registry.get(name, 2).type, registry.get(name, 1).type, 'full')).toEqual([]);
    }
  });

  it('reads v1 data as v2 (new fields null) and v2 data as v1 (new fields dropped)', () => {
    const asV2 = resolvingDecoder(v2.type, v1.type)(v1.type.toBuffer(record1));
    expect(asV2).toEqual({ ...record1, odometer_km: null, firmware_version: null });
    const asV1 = resolvingDecoder(v1.type, v2.type)(v2.type.toBuffer(record2));
    expect(asV1).toEqual(record1);
  });

  it('upgrades a v1 record object to v2 the same way the binary resolution does', () => {
    const upgraded = compileRecordUpgrader(v2.type, v1.type)(record1);
    expect(upgraded).toEqual(resolvingDecoder(v2.type, v1.type)(v1.type.toBuffer(record1)));
    expect(Object.keys(upgraded)).toEqual(Object.keys(v2.type.fromBuffer(v2.type.toBuffer(record2)) as object));
  });
});

describe('the walk', () => {
  it('names nested paths: record fields, array items, map values', () => {
    const inner = (t: string) => ({ type: 'record', name: 'Pos', fields: [{ name: 'lat', type: t }] });
    const reader = rec([
      { name: 'pos', type: inner('int') },
      { name: 'tags', type: { type: 'array', items: 'int' } },
      { name: 'm', type: { type: 'map', values: 'int' } },
    ]);
    const writer = rec([
      { name: 'pos', type: inner('double') },
      { name: 'tags', type: { type: 'array', items: 'string' } },
      { name: 'm', type: { type: 'map', values: 'long' } },
    ]);
    expect(resolutionProblems(reader, writer, 'backward').map((p) => p.path)).toEqual(['n.R.pos.lat', 'n.R.tags[]', 'n.R.m{}']);
  });

  it('names the field inside a record that sits in a union (an optional nested record)', () => {
    // A v2 GPS position as an optional record, then a v3 adding a field without a default to it:
    // the problem is that field, not "the type changed" from [null, record] to the same.
    const pos = (fields: unknown[]) => ['null', { type: 'record', name: 'Pos', fields }];
    const older = rec([{ name: 'gps', type: pos([{ name: 'lat', type: 'double' }]), default: null }]);
    const newer = rec([
      {
        name: 'gps',
        type: pos([
          { name: 'lat', type: 'double' },
          { name: 'alt', type: 'double' },
        ]),
        default: null,
      },
    ]);
    expect(resolutionProblems(newer, older, 'backward')).toEqual([{ path: 'n.R.gps.alt', reason: 'added field without a default' }]);
    // The same under a non-union reader: a writer union whose record branch lacks the field.
    const plainReader = rec([{ name: 'gps', type: { type: 'record', name: 'Pos', fields: [{ name: 'lat', type: 'long' }] } }]);
    const unionWriter = rec([{ name: 'gps', type: pos([{ name: 'lat', type: 'double' }]) }]);
    expect(resolutionProblems(plainReader, unionWriter, 'backward')).toEqual([
      {
        path: 'n.R.gps',
        reason:
          'type changed from [null, record n.Pos] to record n.Pos: its branch null has no match (promotions: int→long→float→double, string↔bytes)',
      },
      {
        path: 'n.R.gps.lat',
        reason: 'type changed from double to long: double cannot be read as long (promotions: int→long→float→double, string↔bytes)',
      },
    ]);
  });

  it('lets an enum default absorb symbols the reader lacks', () => {
    const withDefault = rec([{ name: 'g', type: { type: 'enum', name: 'G', symbols: ['A', 'B', 'Z'], default: 'Z' } }]);
    const more = rec([{ name: 'g', type: { type: 'enum', name: 'G', symbols: ['A', 'B', 'C'] } }]);
    expect(resolutionProblems(withDefault, more, 'forward')).toEqual([]);
    expect(resolvingDecoder(withDefault, more)(more.toBuffer({ g: 'C' }))).toEqual({ g: 'Z' });
  });

  it('agrees with avsc on whether a resolver can be built, pair by pair', () => {
    const variants = [
      rec([{ name: 'a', type: 'int' }]),
      rec([{ name: 'a', type: 'long' }]),
      rec([{ name: 'a', type: 'string' }]),
      rec([{ name: 'a', type: ['null', 'int'], default: null }]),
      rec([{ name: 'b', type: 'int', aliases: ['a'] }]),
      rec([{ name: 'b', type: 'int' }]),
      rec([
        { name: 'a', type: 'int' },
        { name: 'c', type: 'double', default: 1 },
      ]),
      rec([{ name: 'a', type: { type: 'enum', name: 'E', symbols: ['X'] } }]),
      rec([{ name: 'a', type: { type: 'enum', name: 'E', symbols: ['X', 'Y'] } }]),
      rec([{ name: 'a', type: 'float' }]),
      rec([{ name: 'a', type: 'bytes' }]),
    ];
    for (const [i, reader] of variants.entries()) {
      for (const [j, writer] of variants.entries()) {
        let avscBuilds = true;
        try {
          reader.createResolver(writer);
        } catch {
          avscBuilds = false;
        }
        expect(resolutionProblems(reader, writer, 'backward').length === 0, `reader ${i} writer ${j}`).toBe(avscBuilds);
      }
    }
  });

  it('refuses to build a decoder or an upgrader for data the reader cannot read, naming why', () => {
    const reader = rec([{ name: 'a', type: 'int' }]);
    const writer = rec([{ name: 'a', type: 'string' }]);
    const expected =
      'v2 cannot read data written with v1: n.R.a: type changed from string to int: string cannot be read as int (promotions: int→long→float→double, string↔bytes)';
    expect(() => resolvingDecoder(reader, writer, { reader: 'v2', writer: 'v1' })).toThrow(expected);
    expect(() => compileRecordUpgrader(reader, writer, { reader: 'v2', writer: 'v1' })).toThrow(
      expect.objectContaining({ code: 'RXF_SCHEMA_INCOMPATIBLE' }),
    );
  });
});

describe('Confluent schema ids', () => {
  it('reads a YAML or JSON map and answers both ways', () => {
    const ids = parseSchemaIds('{ "smartcar.CarStatus": { "1": 11, "2": 12 } }');
    expect(ids.idOf('smartcar.CarStatus', 2)).toBe(12);
    expect(ids.byId(11)).toEqual({ name: 'smartcar.CarStatus', version: 1 });
    expect(parseSchemaIds('smartcar.DrivingEvent:\n  1: 21\n').idOf('smartcar.DrivingEvent', 1)).toBe(21);
  });

  it.each([
    ['[1, 2]', 'must map schema full names to { version: id }'],
    ['a.B: 3', 'a.B: must map versions to ids'],
    ['a.B: { x: 3 }', 'a.B: version "x" is not a positive integer'],
    ['a.B: { 1: -3 }', 'a.B v1: id -3 is not an integer 0-2147483647'],
    ['a.B: { 1: 3 }\nc.D: { 1: 3 }', 'id 3 is given to both a.B v1 and c.D v1'],
  ])('refuses %j', (text, message) => {
    expect(() => parseSchemaIds(text, 'ids.yaml')).toThrow(`schema id file ids.yaml: ${message}`);
  });

  it('frames magic 0 and the big-endian id, and reads it back', () => {
    expect([...confluentHeader(0x01020304)]).toEqual([0, 1, 2, 3, 4]);
    expect(confluentIdOf(Buffer.from([0, 0, 0, 0, 12, 99]))).toBe(12);
    expect(confluentIdOf(Buffer.from([1, 0, 0, 0, 12]))).toBeUndefined();
    expect(confluentIdOf(Buffer.from([0, 0, 0]))).toBeUndefined();
  });
});
