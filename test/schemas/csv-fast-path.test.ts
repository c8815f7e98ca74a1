import avro from 'avsc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SchemaRef } from '../../src/core/event.js';
import { compileFastPath } from '../../src/schemas/csv-fast-path.js';
import { createCsvParser } from '../../src/schemas/csv-parser.js';
import { buildColumnFields } from '../../src/schemas/field-converters.js';
import { loadSchemaRegistry } from '../../src/schemas/registry.js';
import { everythingSchema } from './everything-schema.js';

// Every kind a column can carry, with constraints, nullables and optional trailing fields.
const schemaJson = everythingSchema([
  { name: 'day', type: ['null', 'string'], default: null, 'rxflume.pattern': '^\\d{8}$' },
  { name: 'extra', type: 'long', default: 7 },
]);
const schema: SchemaRef = { name: 'test.Everything', type: avro.Type.forSchema(schemaJson as avro.Schema), schema: schemaJson };

// Tricky column texts: int range edges, 9/10/15/16 digits, signs, -0, blanks, decimals, symbols.
const token = fc.constantFrom(
  '',
  '0',
  '-0',
  '-',
  '+1',
  '7',
  '-5',
  '-6',
  '100',
  '101',
  '999999999',
  '2147483647',
  '2147483648',
  '-2147483648',
  '-2147483649',
  '999999999999999',
  '9007199254740990',
  '9007199254740993',
  '1.5',
  '2.5',
  '1e3',
  'NaN',
  'true',
  'false',
  'A',
  'B',
  'D',
  'K12',
  'k12',
  'K123',
  '20160101',
  '2016010',
  ' 1',
  'é',
);

describe('CSV fast path', () => {
  it('answers exactly what the generic converters answer, for any line', () => {
    const fast = createCsvParser(schema, { worker: false });
    const generic = createCsvParser(schema, { worker: false, fastPath: false });
    fc.assert(
      fc.property(fc.array(token, { minLength: 8, maxLength: 14 }), (columns) => {
        const body = Buffer.from(columns.join(','));
        expect(fast.parse(body)).toEqual(generic.parse(body));
      }),
      { numRuns: 3000 },
    );
  });

  it('answers the generic result for lines close to valid (one column changed)', () => {
    const fast = createCsvParser(schema, { worker: false });
    const generic = createCsvParser(schema, { worker: false, fastPath: false });
    const valid = ['K12', '50', '123456789012', '-3', '1.25', '3.5e-3', 'true', 'C', '', 'hello', '20240101', '9'];
    expect(fast.parse(Buffer.from(valid.join(',')))).toMatchObject({ ok: true });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: valid.length - 1 }), token, fc.integer({ min: 10, max: 12 }), (at, text, keep) => {
        const columns = valid.slice(0, keep);
        if (at < keep) columns[at] = text;
        const body = Buffer.from(columns.join(','));
        expect(fast.parse(body)).toEqual(generic.parse(body));
      }),
      { numRuns: 3000 },
    );
  });

  it('gives -0 and defaults exactly as the generic path does', () => {
    const fast = createCsvParser(schema, { worker: false });
    const result = fast.parse(Buffer.from('K12,-0,-0,0,0,0,false,A,,x'));
    expect(result).toEqual({
      ok: true,
      record: {
        code: 'K12',
        score: -0,
        big: -0,
        plain_int: 0,
        ratio: 0,
        precise: 0,
        flag: false,
        grade: 'A',
        maybe: null,
        note: 'x',
        day: null,
        extra: 7,
      },
    });
  });

  it('takes a valid line itself and leaves an unusual one to the generic path', () => {
    const fields = buildColumnFields(schema.type as avro.Type, schemaJson.fields);
    const fastColumns = compileFastPath(fields, 10);
    const columnsOf = (text: string) => {
      const starts = new Int32Array(13);
      const ends = new Int32Array(13);
      let from = 0;
      const parts = text.split(',');
      parts.forEach((p, i) => {
        starts[i] = from;
        ends[i] = from + p.length;
        from += p.length + 1;
      });
      return fastColumns(text, starts, ends, parts.length);
    };
    expect(columnsOf('K12,50,123,-3,1.25,0.5,true,C,4,hi')).toMatchObject({ code: 'K12', maybe: 4, day: null, extra: 7 });
    expect(columnsOf('K12,50,123,-3,1.25,0.5,true,C,,hi,20240101,8')).toMatchObject({ maybe: null, day: '20240101', extra: 8 });
    expect(columnsOf('K12,1234567890,123,-3,1.25,0.5,true,C,4,hi')).toBeUndefined(); // 10 digits: generic path decides
    expect(columnsOf('K12,50,123,-3,1.25,0.5,true,Z,4,hi')).toBeUndefined();
    expect(columnsOf('K12,50,123')).toBeUndefined();
  });

  it('matches the generic path on the pilot schema with a multi-character delimiter', () => {
    const ref = loadSchemaRegistry().get('smartcar.CarStatus', 1);
    const fast = createCsvParser(ref, { worker: false, delimiter: '||' });
    const generic = createCsvParser(ref, { worker: false, delimiter: '||', fastPath: false });
    const line = '20160101000000||K0001||88||91||90||87||1||1||1||1||A||B||77';
    for (const body of [line, `${line}||20160101`, `${line}||2016`, line.replace('88', '101'), `${line}||`]) {
      expect(fast.parse(Buffer.from(body))).toEqual(generic.parse(Buffer.from(body)));
    }
    expect(fast.parse(Buffer.from(line))).toMatchObject({ ok: true });
  });
});
