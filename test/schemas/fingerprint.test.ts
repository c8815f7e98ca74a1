/**
 * Schema fingerprints against the Avro project's published vectors
 * (share/test/data/schema-tests.txt: input → canonical form → signed 64-bit CRC-64-AVRO).
 */
import { describe, expect, it } from 'vitest';
import {
  crc64Avro,
  fingerprintBytesLE,
  fingerprintHex,
  parsingCanonicalForm,
  schemaFingerprint,
  schemaFingerprintHex,
} from '../../src/schemas/fingerprint.js';
import { loadSchemaRegistry } from '../../src/schemas/registry.js';

/** The spec prints fingerprints as signed longs; ours are unsigned. */
const signed = (fp: bigint) => BigInt.asIntN(64, fp);

const VECTORS: Array<[input: string, canonical: string, fingerprint: bigint]> = [
  ['"null"', '"null"', 7195948357588979594n],
  ['{"type":"null"}', '"null"', 7195948357588979594n],
  ['"boolean"', '"boolean"', -6970731678124411036n],
  ['"int"', '"int"', 8247732601305521295n],
  ['{"type":"int"}', '"int"', 8247732601305521295n],
  ['"long"', '"long"', -3434872931120570953n],
  ['"float"', '"float"', 5583340709985441680n],
  ['"double"', '"double"', -8181574048448539266n],
  ['"bytes"', '"bytes"', 5746618253357095269n],
  ['"string"', '"string"', -8142146995180207161n],
  ['[ "int"  ]', '["int"]', -5232228896498058493n],
  ['[ "int" , {"type":"boolean"} ]', '["int","boolean"]', 5392556393470105090n],
  ['{"fields":[], "type":"record", "name":"foo"}', '{"name":"foo","type":"record","fields":[]}', -4824392279771201922n],
  [
    '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}',
    '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}',
    -4860222112080293046n,
  ],
  ['{"type":"enum", "name":"foo", "symbols":["A1"]}', '{"name":"foo","type":"enum","symbols":["A1"]}', -6342190197741309591n],
  ['{"type":"fixed","name":"foo","size":15}', '{"name":"foo","type":"fixed","size":15}', 1756455273707447556n],
  [
    '{"type":"record","name":"foo","fields":[{"name":"f1","type":"boolean"}]}',
    '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}',
    7843277075252814651n,
  ],
  [
    '{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
    '{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
    -1759257747318642341n,
  ],
];

describe('schema fingerprints (CRC-64-AVRO of the Parsing Canonical Form)', () => {
  it.each(VECTORS)('%s', (input, canonical, fingerprint) => {
    const schema = JSON.parse(input) as unknown;
    expect(parsingCanonicalForm(schema)).toBe(canonical);
    expect(signed(schemaFingerprint(schema))).toBe(fingerprint);
  });

  it('hashes raw bytes like the reference implementation', () => {
    expect(signed(crc64Avro('hello world'))).toBe(2906301498937520992n);
    expect(crc64Avro(Buffer.from('"null"'))).toBe(crc64Avro('"null"'));
  });

  it('writes hex most significant first and the single-object bytes little-endian', () => {
    const fp = schemaFingerprint('null');
    expect(fingerprintHex(fp)).toBe('63dd24e7cc258f8a');
    expect(fingerprintBytesLE(fp).toString('hex')).toBe('8a8f25cce724dd63');
    expect(fingerprintHex(1n)).toBe('0000000000000001');
  });

  it('uses full names, drops docs, defaults, logical types and custom attributes, and names a type once', () => {
    const schema = {
      type: 'record',
      name: 'Outer',
      namespace: 'a.b',
      doc: 'ignored',
      fields: [
        { name: 'when', type: { type: 'long', logicalType: 'timestamp-millis' }, default: 0 },
        { name: 'e', type: { type: 'enum', name: 'E', symbols: ['X'], doc: 'no' }, 'rxflume.pattern': '^x$' },
        { name: 'again', type: 'E' },
        { name: 'other', type: { type: 'fixed', name: 'c.F', size: 2 } },
        { name: 'm', type: { type: 'map', values: { type: 'array', items: 'c.F' } } },
      ],
    };
    expect(parsingCanonicalForm(schema)).toBe(
      '{"name":"a.b.Outer","type":"record","fields":[{"name":"when","type":"long"},' +
        '{"name":"e","type":{"name":"a.b.E","type":"enum","symbols":["X"]}},{"name":"again","type":"a.b.E"},' +
        '{"name":"other","type":{"name":"c.F","type":"fixed","size":2}},' +
        '{"name":"m","type":{"type":"map","values":{"type":"array","items":"c.F"}}}]}',
    );
  });

  it('fingerprints the pilot schemas stably, independent of docs and rxflume attributes', () => {
    const registry = loadSchemaRegistry();
    const driving = registry.get('smartcar.DrivingEvent');
    const hex = schemaFingerprintHex(driving.schema);
    expect(hex).toMatch(/^[0-9a-f]{16}$/);
    expect(schemaFingerprintHex(driving.schema)).toBe(hex);
    const stripped = JSON.parse(JSON.stringify(driving.schema, (k, v) => (k === 'doc' || k.startsWith('rxflume.') ? undefined : v)));
    expect(fingerprintHex(schemaFingerprint(stripped))).toBe(hex);
    expect(schemaFingerprintHex(registry.get('smartcar.CarStatus').schema)).not.toBe(hex);
  });

  it('rejects what is not a schema', () => {
    expect(() => parsingCanonicalForm(42)).toThrow(/not an Avro schema: 42/);
  });
});
