import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsvParser } from '../../src/schemas/csv-parser.js';
import { loadSchemaRegistry } from '../../src/schemas/registry.js';
import { firstInvalidUtf8Offset } from '../../src/schemas/utf8.js';
import { DRIVING_V1_RECORD } from '../support/samples.js';
import { tempDir } from '../support/wait.js';

const registry = loadSchemaRegistry();
const status = createCsvParser(registry.get('smartcar.CarStatus', 1));
const driving = createCsvParser(registry.get('smartcar.DrivingEvent', 1));
const line = (text: string) => Buffer.from(text, 'utf8');

const STATUS_EXAMPLE = '20160101000004,K0001,81,97,88,90,1,1,1,1,A,A,83';
const STATUS_RECORD = {
  reg_date: '20160101000004',
  car_number: 'K0001',
  tire_fl: 81,
  tire_fr: 97,
  tire_bl: 88,
  tire_br: 90,
  light_fl: 1,
  light_fr: 1,
  light_bl: 1,
  light_br: 1,
  engine: 'A',
  break: 'A',
  battery: 83,
  collect_date: null,
};

describe('CSV parser: valid lines', () => {
  it('parses the status example from smartcar-data.md, collect_date defaulting to null', () => {
    expect(status.parse(line(STATUS_EXAMPLE))).toEqual({ ok: true, record: STATUS_RECORD });
  });

  it('reads the collect day the append_field interceptor adds', () => {
    expect(status.parse(line(`${STATUS_EXAMPLE},20240101`))).toEqual({ ok: true, record: { ...STATUS_RECORD, collect_date: '20240101' } });
  });

  it('accepts the simulator quirk: the last line of a car at hour 24', () => {
    const result = status.parse(line('20160101240000,Z0100,0,69,100,70,2,2,1,2,C,B,0,20160102'));
    expect(result).toEqual({
      ok: true,
      record: {
        ...STATUS_RECORD,
        reg_date: '20160101240000',
        car_number: 'Z0100',
        tire_fl: 0,
        tire_fr: 69,
        tire_bl: 100,
        tire_br: 70,
        light_fl: 2,
        light_fr: 2,
        light_br: 2,
        engine: 'C',
        break: 'B',
        battery: 0,
        collect_date: '20160102',
      },
    });
  });

  it('takes an empty trailing optional column as null', () => {
    expect(status.parse(line(`${STATUS_EXAMPLE},`))).toEqual({ ok: true, record: STATUS_RECORD });
  });

  it.each([
    ['20190101000000,B0004,2,0,L3,L,10,A01', DRIVING_V1_RECORD],
    [
      '20190101000000,C0019,0,1,F,N,0,A07',
      {
        date: '20190101000000',
        car_number: 'C0019',
        speed_pedal: 0,
        break_pedal: 1,
        steer_angle: 'F',
        direct_light: 'N',
        speed: 0,
        area_number: 'A07',
      },
    ],
    [
      '20190101235958,Z0100,5,0,R3,R,250,F10',
      {
        date: '20190101235958',
        car_number: 'Z0100',
        speed_pedal: 5,
        break_pedal: 0,
        steer_angle: 'R3',
        direct_light: 'R',
        speed: 250,
        area_number: 'F10',
      },
    ],
  ])('parses the driving line %s', (text, record) => {
    expect(driving.parse(line(text))).toEqual({ ok: true, record });
  });

  it('parses every line a status simulator could write (property)', () => {
    const grade = fc.constantFrom('A', 'B', 'C');
    const score = fc.integer({ min: 0, max: 100 });
    const lamp = fc.constantFrom(1, 2);
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{14}$/),
        fc.stringMatching(/^[A-Z]\d{4}$/),
        fc.tuple(score, score, score, score),
        fc.tuple(lamp, lamp, lamp, lamp),
        grade,
        grade,
        score,
        fc.option(fc.stringMatching(/^\d{8}$/), { nil: null }),
        (reg, car, tires, lamps, engine, brake, battery, collect) => {
          const cols = [reg, car, ...tires, ...lamps, engine, brake, battery, ...(collect === null ? [] : [collect])];
          const result = status.parse(line(cols.join(',')));
          expect(result).toEqual({
            ok: true,
            record: {
              reg_date: reg,
              car_number: car,
              tire_fl: tires[0],
              tire_fr: tires[1],
              tire_bl: tires[2],
              tire_br: tires[3],
              light_fl: lamps[0],
              light_fr: lamps[1],
              light_bl: lamps[2],
              light_br: lamps[3],
              engine,
              break: brake,
              battery,
              collect_date: collect,
            },
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('CSV parser: rejected lines name the problem', () => {
  const replaceColumn = (text: string, i: number, value: string) => {
    const cols = text.split(',');
    cols[i] = value;
    return cols.join(',');
  };

  it.each([
    ['an empty line', '', 'RXF_PARSE_FAILED', 'empty line'],
    ['too few columns', '20160101000004,K0001,81,97,88', 'RXF_PARSE_FAILED', 'expected 13 or 14 columns, got 5'],
    ['too many columns', `${STATUS_EXAMPLE},20240101,extra`, 'RXF_PARSE_FAILED', 'expected 13 or 14 columns, got 15'],
    [
      'the header line',
      'SmartCar Status Information,CarNum,TireFL,TireFR,TireBL,TireBR,LightFL,LightFR,LightBL,LightBR,EngineInfo,BreakInfo,BatteryInfo',
      'RXF_VALIDATION_FAILED',
      'reg_date: "SmartCar Status Information" does not match ^\\d{14}$',
    ],
    [
      'a short date',
      replaceColumn(STATUS_EXAMPLE, 0, '2016010100000'),
      'RXF_VALIDATION_FAILED',
      'reg_date: "2016010100000" does not match ^\\d{14}$',
    ],
    [
      'a lower-case car',
      replaceColumn(STATUS_EXAMPLE, 1, 'k0001'),
      'RXF_VALIDATION_FAILED',
      'car_number: "k0001" does not match ^[A-Z]\\d{4}$',
    ],
    ['a tyre above range', replaceColumn(STATUS_EXAMPLE, 2, '140'), 'RXF_VALIDATION_FAILED', 'tire_fl: 140 is above the maximum 100'],
    ['a negative battery', replaceColumn(STATUS_EXAMPLE, 12, '-1'), 'RXF_VALIDATION_FAILED', 'battery: -1 is below the minimum 0'],
    ['a lamp that is not 1 or 2', replaceColumn(STATUS_EXAMPLE, 8, '3'), 'RXF_VALIDATION_FAILED', 'light_bl: 3 is above the maximum 2'],
    ['a lamp 0', replaceColumn(STATUS_EXAMPLE, 9, '0'), 'RXF_VALIDATION_FAILED', 'light_br: 0 is below the minimum 1'],
    ['a non-integer tyre', replaceColumn(STATUS_EXAMPLE, 3, '8x'), 'RXF_VALIDATION_FAILED', 'tire_fr: "8x" is not an integer'],
    ['a decimal tyre', replaceColumn(STATUS_EXAMPLE, 4, '88.5'), 'RXF_VALIDATION_FAILED', 'tire_bl: "88.5" is not an integer'],
    ['a padded tyre', replaceColumn(STATUS_EXAMPLE, 5, ' 90'), 'RXF_VALIDATION_FAILED', 'tire_br: " 90" is not an integer'],
    ['an empty tyre', replaceColumn(STATUS_EXAMPLE, 2, ''), 'RXF_VALIDATION_FAILED', 'tire_fl: "" is not an integer'],
    ['a lone minus', replaceColumn(STATUS_EXAMPLE, 2, '-'), 'RXF_VALIDATION_FAILED', 'tire_fl: "-" is not an integer'],
    [
      'an int overflow',
      replaceColumn(STATUS_EXAMPLE, 2, '99999999999'),
      'RXF_VALIDATION_FAILED',
      'tire_fl: 99999999999 is outside the int range',
    ],
    ['a bad engine grade', replaceColumn(STATUS_EXAMPLE, 10, 'D'), 'RXF_VALIDATION_FAILED', 'engine: "D" is not one of A, B, C'],
    ['a lower-case brake grade', replaceColumn(STATUS_EXAMPLE, 11, 'a'), 'RXF_VALIDATION_FAILED', 'break: "a" is not one of A, B, C'],
    ['a bad collect day', `${STATUS_EXAMPLE},2024-01-01`, 'RXF_VALIDATION_FAILED', 'collect_date: "2024-01-01" does not match ^\\d{8}$'],
  ])('status: %s', (_what, text, code, reason) => {
    expect(status.parse(line(text))).toEqual({ ok: false, code, reason });
  });

  it.each([
    [
      'the header line',
      'Driver Status Infomation,CarNum,AccStep,BrkStep,WheelStep,DirLightStep,Speed,AreaNum',
      'RXF_VALIDATION_FAILED',
      'date: "Driver Status Infomation" does not match ^\\d{14}$',
    ],
    ['too few columns', '20190101000000,B0004,2,0,L3,L,10', 'RXF_PARSE_FAILED', 'expected 8 columns, got 7'],
    ['a status line', STATUS_EXAMPLE, 'RXF_PARSE_FAILED', 'expected 8 columns, got 13'],
    [
      'a bad steering',
      '20190101000000,B0004,2,0,X9,L,10,A01',
      'RXF_VALIDATION_FAILED',
      'steer_angle: "X9" is not one of F, L1, L2, L3, R1, R2, R3',
    ],
    ['a bad turn signal', '20190101000000,B0004,2,0,L3,X,10,A01', 'RXF_VALIDATION_FAILED', 'direct_light: "X" is not one of N, L, R'],
    ['accelerator step 6', '20190101000000,B0004,6,0,L3,L,10,A01', 'RXF_VALIDATION_FAILED', 'speed_pedal: 6 is above the maximum 5'],
    ['brake step 4', '20190101000000,B0004,0,4,L3,L,10,A01', 'RXF_VALIDATION_FAILED', 'break_pedal: 4 is above the maximum 3'],
    ['speed 251', '20190101000000,B0004,2,0,L3,L,251,A01', 'RXF_VALIDATION_FAILED', 'speed: 251 is above the maximum 250'],
    ['area G01', '20190101000000,B0004,2,0,L3,L,10,G01', 'RXF_VALIDATION_FAILED', 'area_number: "G01" does not match ^[A-F](0[1-9]|10)$'],
    ['area A11', '20190101000000,B0004,2,0,L3,L,10,A11', 'RXF_VALIDATION_FAILED', 'area_number: "A11" does not match ^[A-F](0[1-9]|10)$'],
    ['area A00', '20190101000000,B0004,2,0,L3,L,10,A00', 'RXF_VALIDATION_FAILED', 'area_number: "A00" does not match ^[A-F](0[1-9]|10)$'],
  ])('driving: %s', (_what, text, code, reason) => {
    expect(driving.parse(line(text))).toEqual({ ok: false, code, reason });
  });

  it('reports invalid UTF-8 with the offset of the first bad byte', () => {
    const body = Buffer.concat([line('20160101000004,'), Buffer.from([0xff, 0xfe]), line('0001,81,97,88,90,1,1,1,1,A,A,83')]);
    expect(status.parse(body)).toEqual({
      ok: false,
      code: 'RXF_INVALID_UTF8',
      reason: 'line is not valid UTF-8: first invalid byte at offset 15',
    });
  });

  it('reports the column count before any field problem', () => {
    expect(status.parse(line('x,y,z'))).toEqual({ ok: false, code: 'RXF_PARSE_FAILED', reason: 'expected 13 or 14 columns, got 3' });
  });

  it('cuts long column text in reasons', () => {
    const garbage = 'g'.repeat(10_000);
    const result = status.parse(line(replaceColumn(STATUS_EXAMPLE, 0, garbage)));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toBe(`reg_date: "${'g'.repeat(80)}…" does not match ^\\d{14}$`);
  });

  it('leaves neighbours unaffected: a bad line between good ones', () => {
    const results = [STATUS_EXAMPLE, 'garbage', STATUS_EXAMPLE].map((t) => status.parse(line(t)).ok);
    expect(results).toEqual([true, false, true]);
  });
});

describe('CSV parser: other Avro types and options', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await mkdir(join(dir, 'demo'));
    const fields = [
      { name: 'id', type: 'long' },
      { name: 'ratio', type: 'double', 'rxflume.min': 0, 'rxflume.max': 1 },
      { name: 'weight', type: 'float' },
      { name: 'active', type: 'boolean' },
      { name: 'label', type: 'string' },
      { name: 'count', type: ['null', 'int'], default: null, 'rxflume.min': 1 },
      { name: 'note', type: ['null', 'string'], default: null },
    ];
    await writeFile(join(dir, 'demo', 'Mixed.v1.avsc'), JSON.stringify({ type: 'record', name: 'Mixed', namespace: 'demo', fields }));
    await writeFile(
      join(dir, 'demo', 'Nested.v1.avsc'),
      JSON.stringify({
        type: 'record',
        name: 'Nested',
        namespace: 'demo',
        fields: [{ name: 'tags', type: { type: 'array', items: 'string' } }],
      }),
    );
  });
  afterAll(() => cleanup());

  const mixed = () => createCsvParser(loadSchemaRegistry(dir).get('demo.Mixed'), { delimiter: '|' });

  it('converts long, double, float, boolean, string and nullable fields', () => {
    expect(mixed().parse(line('9007199254740990|0.25|-1.5e3|true|héllo, world|7|note'))).toEqual({
      ok: true,
      record: { id: 9007199254740990, ratio: 0.25, weight: -1500, active: true, label: 'héllo, world', count: 7, note: 'note' },
    });
    expect(mixed().parse(line('-3|1|.5|false|'))).toEqual({
      ok: true,
      record: { id: -3, ratio: 1, weight: 0.5, active: false, label: '', count: null, note: null },
    });
    expect(mixed().parse(line('1|0|0|true|x||'))).toEqual({
      ok: true,
      record: { id: 1, ratio: 0, weight: 0, active: true, label: 'x', count: null, note: null },
    });
  });

  it.each([
    ['1|0|0|true', 'expected 5 to 7 columns, got 4'],
    ['1|0|0|true|x|1|n|extra', 'expected 5 to 7 columns, got 8'],
    ['9007199254740991|0|0|true|x', 'id: 9007199254740991 is outside the long range carried (±9007199254740990)'],
    ['1|1.5|0|true|x', 'ratio: 1.5 is above the maximum 1'],
    ['1|NaN|0|true|x', 'ratio: "NaN" is not a number'],
    ['1|0x1|0|true|x', 'ratio: "0x1" is not a number'],
    ['1|0|1e39|true|x', 'weight: 1e39 is outside the float range'],
    ['1|0|0|yes|x', 'active: "yes" is not true or false'],
    ['1|0|0|true|x|0', 'count: 0 is below the minimum 1'],
    ['1|0|0|true|x|two', 'count: "two" is not an integer'],
  ])('rejects %s', (text, reason) => {
    const result = mixed().parse(line(text));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toBe(reason);
  });

  it('refuses a schema a CSV column cannot carry, naming the field', () => {
    expect(() => createCsvParser(loadSchemaRegistry(dir).get('demo.Nested'))).toThrow('tags: a CSV column cannot carry Avro type array');
  });
});

describe('firstInvalidUtf8Offset', () => {
  it.each([
    ['ASCII', [0x61, 0x62], -1],
    ['2-, 3- and 4-byte characters', [...Buffer.from('é한😀', 'utf8')], -1],
    ['a stray continuation byte', [0x61, 0x80], 1],
    ['an overlong 2-byte form', [0xc0, 0xaf], 0],
    ['an overlong 3-byte form', [0xe0, 0x80, 0xaf], 0],
    ['a UTF-16 surrogate', [0x61, 0xed, 0xa0, 0x80], 1],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a truncated character at the end', [0x61, 0xe4, 0xb8], 1],
    ['0xFF', [0xff], 0],
  ])('%s', (_what, bytes, offset) => {
    expect(firstInvalidUtf8Offset(Uint8Array.from(bytes))).toBe(offset);
  });
});
