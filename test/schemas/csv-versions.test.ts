/**
 * CSV lines of several schema versions under one configured version (the shared decision for
 * smart-car v2): each line is parsed by the version its column count matches and resolved to
 * the configured one; the fast path, the generic path and the parse worker agree; a line no
 * version accepts still fails; newer versions than the configured one are never used.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type avro from 'avsc';
import { afterAll, describe, expect, it } from 'vitest';
import type { ParseResult } from '../../src/core/component.js';
import { createCsvParser } from '../../src/schemas/csv-parser.js';
import { ParseWorkerClient } from '../../src/schemas/parse-worker-client.js';
import { loadSchemaRegistry } from '../../src/schemas/registry.js';
import { STATUS_V1_FIELDS } from '../support/samples.js';
import { tempDir } from '../support/wait.js';

const registry = loadSchemaRegistry();
const statusV2 = registry.get('smartcar.CarStatus');
const drivingV2 = registry.get('smartcar.DrivingEvent');

const V1_STATUS = '20160101000000,K0001,88,91,90,87,1,1,1,1,A,B,77';
const V2_STATUS = `${V1_STATUS},48213.7,3.2.1`;
const V1_DRIVING = '20190101000000,B0004,2,0,L3,L,10,A01';
const V2_DRIVING = `${V1_DRIVING},37.512345,127.012345`;

const parse = (p: { parse(b: Buffer): ParseResult }, line: string) => p.parse(Buffer.from(line));

describe('CSV lines of older versions under CarStatus v2 (the default latest)', () => {
  const parser = createCsvParser(statusV2, { worker: false });

  it('uses version 2 by default', () => {
    expect(statusV2.version).toBe(2);
  });

  it.each([
    ['a raw v1 line (13 columns)', V1_STATUS, { odometer_km: null, firmware_version: null, collect_date: null }],
    [
      'a v1 line with collect_date appended (14)',
      `${V1_STATUS},20160102`,
      { odometer_km: null, firmware_version: null, collect_date: '20160102' },
    ],
    ['a raw v2 line (15)', V2_STATUS, { odometer_km: 48213.7, firmware_version: '3.2.1', collect_date: null }],
    [
      'a v2 line with collect_date appended (16)',
      `${V2_STATUS},20160102`,
      { odometer_km: 48213.7, firmware_version: '3.2.1', collect_date: '20160102' },
    ],
  ])('parses %s into a v2 record', (_name, line, added) => {
    const result = parse(parser, line);
    expect(result).toEqual({ ok: true, record: { ...STATUS_V1_FIELDS, ...added } });
    if (!result.ok) return;
    // Fields in v2 order, valid against v2.
    expect(Object.keys(result.record)).toEqual((statusV2.type as unknown as { fields: { name: string }[] }).fields.map((f) => f.name));
    expect(statusV2.type.isValid(result.record)).toBe(true);
  });

  it('still fails a line that matches no version, with the configured version range', () => {
    expect(parse(parser, V1_STATUS.split(',').slice(0, 12).join(','))).toEqual({
      ok: false,
      code: 'RXF_PARSE_FAILED',
      reason: 'expected 13 to 16 columns, got 12',
    });
    expect(parse(parser, `${V2_STATUS},20160102,x`)).toMatchObject({ ok: false, reason: 'expected 13 to 16 columns, got 17' });
  });

  it('checks the new fields and names them', () => {
    expect(parse(parser, `${V1_STATUS},48213.7,3.2`)).toMatchObject({
      ok: false,
      code: 'RXF_VALIDATION_FAILED',
      reason: expect.stringMatching(/^firmware_version: "3\.2" does not match/),
    });
    expect(parse(parser, `${V1_STATUS},-1.5,3.2.1`)).toMatchObject({ ok: false, reason: 'odometer_km: -1.5 is below the minimum 0' });
    // A v1-shaped line is checked by v1's rules: a bad tyre is named as before.
    expect(parse(parser, V1_STATUS.replace(',88,', ',140,'))).toMatchObject({ ok: false, reason: 'tire_fl: 140 is above the maximum 100' });
  });

  it('pinned to version 1, refuses v2 lines (their extra fields would be lost) and keeps its v1 records', () => {
    const v1 = createCsvParser(registry.get('smartcar.CarStatus', 1), { worker: false });
    expect(parse(v1, V2_STATUS)).toEqual({ ok: false, code: 'RXF_PARSE_FAILED', reason: 'expected 13 or 14 columns, got 15' });
    expect(parse(v1, V1_STATUS)).toEqual({ ok: true, record: { ...STATUS_V1_FIELDS, collect_date: null } });
  });

  it('answers the same with and without the fast path', () => {
    const generic = createCsvParser(statusV2, { worker: false, fastPath: false });
    const lines = [
      V1_STATUS,
      `${V1_STATUS},20160102`,
      V2_STATUS,
      `${V2_STATUS},20160102`,
      `${V1_STATUS},,`,
      `${V1_STATUS},1,2`,
      'x',
      `${V2_STATUS},2016`,
    ];
    for (const line of lines) expect(parse(parser, line), line).toEqual(parse(generic, line));
  });
});

describe('DrivingEvent v2', () => {
  const parser = createCsvParser(drivingV2, { worker: false });

  it('takes null GPS for a v1 line and reads both coordinates of a v2 line', () => {
    expect(parse(parser, V1_DRIVING)).toMatchObject({ ok: true, record: { area_number: 'A01', gps_lat: null, gps_lon: null } });
    expect(parse(parser, V2_DRIVING)).toMatchObject({ ok: true, record: { area_number: 'A01', gps_lat: 37.512345, gps_lon: 127.012345 } });
    expect(parse(parser, `${V1_DRIVING},95.1,127.0`)).toMatchObject({ ok: false, reason: 'gps_lat: 95.1 is above the maximum 90' });
    expect(parse(parser, '20190101000000,B0004,2')).toMatchObject({ ok: false, reason: 'expected 8 to 10 columns, got 3' });
  });
});

describe('the parse worker picks versions as the main thread does', () => {
  it('answers the same records, Avro-encoded against the configured version', { timeout: 60_000 }, async () => {
    const lines = [V1_STATUS, `${V1_STATUS},20160102`, V2_STATUS, `${V2_STATUS},20160102`, 'bad', `${V1_STATUS},48213.7,3.2`];
    const main = createCsvParser(statusV2, { worker: false });
    const client = new ParseWorkerClient(statusV2, ',');
    try {
      const answer = await client.parseBatch(lines.map((l) => Buffer.from(l)));
      const type = statusV2.type as avro.Type;
      lines.forEach((line, i) => {
        const failure = answer.failures.find((f) => f.index === i);
        const start = i === 0 ? 0 : (answer.encodedEnds[i - 1] as number);
        const fromWorker = failure
          ? { ok: false, code: failure.code, reason: failure.reason }
          : { ok: true, record: type.fromBuffer(answer.encoded.subarray(start, answer.encodedEnds[i])) };
        expect(fromWorker, line).toEqual(parse(main, line));
      });
      expect(answer.failures.map((f) => f.index)).toEqual([4, 5]);
    } finally {
      await client.close();
    }
  });
});

describe('versions in a schema folder of our own', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  async function registryOf(versions: unknown[][]) {
    const t = await tempDir('rxflume-csv-versions-');
    cleanups.push(t.cleanup);
    await mkdir(join(t.dir, 'demo'));
    for (const [i, fields] of versions.entries()) {
      await writeFile(join(t.dir, 'demo', `M.v${i + 1}.avsc`), JSON.stringify({ type: 'record', name: 'M', namespace: 'demo', fields }));
    }
    return loadSchemaRegistry(t.dir);
  }

  it('promotes a field an older version typed narrower (int → long, float → double)', async () => {
    const r = await registryOf([
      [
        { name: 'n', type: 'int' },
        { name: 'x', type: 'float' },
      ],
      [
        { name: 'n', type: 'long' },
        { name: 'x', type: 'double' },
        { name: 'tag', type: 'string', default: 'none' },
      ],
    ]);
    const parser = createCsvParser(r.get('demo.M'), { worker: false });
    // 2 columns = v1's full count: parsed by v1, then resolved (v2 alone would also accept 2 columns).
    expect(parse(parser, '7,0.5')).toEqual({ ok: true, record: { n: 7, x: 0.5, tag: 'none' } });
    expect(parse(parser, '7,0.5,t')).toEqual({ ok: true, record: { n: 7, x: 0.5, tag: 't' } });
  });

  it('leaves out an older version the configured one cannot read: its lines fail on the count', async () => {
    const r = await registryOf([
      [{ name: 'a', type: 'string' }],
      [
        { name: 'a', type: 'string' },
        { name: 'b', type: 'int' },
      ],
    ]);
    const parser = createCsvParser(r.get('demo.M'), { worker: false });
    expect(parse(parser, 'x')).toEqual({ ok: false, code: 'RXF_PARSE_FAILED', reason: 'expected 2 columns, got 1' });
    expect(parse(parser, 'x,3')).toEqual({ ok: true, record: { a: 'x', b: 3 } });
  });
});
