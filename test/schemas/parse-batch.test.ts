import type avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { createCsvParser } from '../../src/schemas/csv-parser.js';
import { createBatchEncoder, type EncodedLines, type ParseWorkerData } from '../../src/schemas/parse-batch.js';
import { loadSchemaRegistry } from '../../src/schemas/registry.js';

const registry = loadSchemaRegistry();
const v1 = registry.get('smartcar.CarStatus', 1);
const v2 = registry.get('smartcar.CarStatus', 2);
// What parse-worker-client.ts sends the worker for a CarStatus v2 pipeline.
const data: ParseWorkerData = {
  schemaName: v2.name,
  schema: v2.schema,
  delimiter: ',',
  version: 2,
  earlier: [{ version: 1, schema: v1.schema }],
};

function pack(lines: readonly Buffer[]): { bodies: Buffer; ends: Int32Array } {
  const ends = new Int32Array(lines.length);
  let at = 0;
  lines.forEach((line, i) => {
    at += line.length;
    ends[i] = at;
  });
  return { bodies: Buffer.concat(lines), ends };
}

/** Line i of an answer: its bytes, or its failure. */
function lineOf(answer: EncodedLines, i: number): unknown {
  const failure = answer.failures.find((f) => f.index === i);
  if (failure) return { ok: false, code: failure.code, reason: failure.reason };
  const start = i === 0 ? 0 : (answer.encodedEnds[i - 1] as number);
  return { ok: true, bytes: Buffer.from(answer.encoded, start, (answer.encodedEnds[i] as number) - start) };
}

const GOOD = '20160101000000,K0001,88,91,90,87,1,1,1,1,A,B,77,20160101';
const lines = [
  GOOD,
  '20160101000000,K0002,140,91,90,87,1,1,1,1,A,B,77', // tire_fl out of range
  '', // empty
  '20160101000000,K0003,10,11,12,13,2,1,2,1,C,A,5',
  'SmartCar Status Information,CarNum', // wrong column count
  '20160101000000,K0004,10,11,12,13,2,1,2,1,C,A,5,48213.7,3.2.1,20160102', // a v2 line
  '20160101000000,K0005,1234567890,11,12,13,2,1,2,1,C,A,5', // 10 digits: declined, then refused by the parser
  `\ufeff${GOOD}`, // valid, not ASCII: the parser's path
].map((l) => Buffer.from(l));
lines.push(Buffer.concat([Buffer.from(GOOD.slice(0, 30)), Buffer.from([0xff, 0xfe]), Buffer.from(GOOD.slice(30))]));

describe('batch encoder of the parse worker', () => {
  it('answers, line by line, the bytes and failures of the main-thread parser + avsc', () => {
    const parser = createCsvParser(v2, { worker: false });
    const type = v2.type as avro.Type;
    const { bodies, ends } = pack(lines);
    const answer = createBatchEncoder(data)(bodies, ends);
    lines.forEach((line, i) => {
      const result = parser.parse(line);
      expect(lineOf(answer, i)).toEqual(result.ok ? { ok: true, bytes: type.toBuffer(result.record) } : result);
    });
    expect(answer.failures.map((f) => f.index)).toEqual([1, 2, 4, 6, 8]);
    expect(answer.failures.find((f) => f.index === 8)?.reason).toBe('line is not valid UTF-8: first invalid byte at offset 30');
  });

  it('gives the same answer with and without the direct encoder, for mixed and all-ASCII batches', () => {
    const asciiOnly = lines.filter((line) => line.every((b) => b < 0x80));
    expect(asciiOnly.length).toBe(lines.length - 2);
    for (const batch of [lines, asciiOnly, [...asciiOnly].reverse()]) {
      const { bodies, ends } = pack(batch);
      const direct = createBatchEncoder(data)(bodies, ends);
      const parsed = createBatchEncoder(data, { direct: false })(bodies, ends);
      expect(Buffer.from(direct.encoded)).toEqual(Buffer.from(parsed.encoded));
      expect(direct.encodedEnds).toEqual(parsed.encodedEnds);
      expect(direct.failures).toEqual(parsed.failures);
    }
  });

  it('grows its scratch for batches larger than it, on either path, and keeps earlier records', () => {
    const encode = createBatchEncoder(data);
    const huge = Buffer.from(`20160101000000,K0001,88,91,90,87,1,1,1,1,A,B,77,1,${'9'.repeat(800_000)}.1.2,20160101`); // 800 kB firmware
    const many = Array.from({ length: 30_000 }, () => Buffer.from(GOOD)); // 1.7 MB of records
    const batch = [Buffer.from(GOOD), huge, ...many, Buffer.from(`\ufeff${GOOD}`), huge];
    const { bodies, ends } = pack(batch);
    const answer = encode(bodies, ends);
    expect(answer.failures).toEqual([]);
    const first = lineOf(answer, 0);
    expect(lineOf(answer, 2)).toEqual(first);
    expect(lineOf(answer, batch.length - 2)).toEqual(first);
    const decoded = (v2.type as avro.Type).fromBuffer((lineOf(answer, batch.length - 1) as { bytes: Buffer }).bytes) as Record<
      string,
      unknown
    >;
    expect(decoded.firmware_version).toHaveLength(800_004);
    // Past the 1 MiB scratch on the parser's path (a BOM sends a line there).
    const bomHuge = Buffer.concat([Buffer.from('\ufeff'), huge]);
    const viaParser = pack([bomHuge, bomHuge]);
    const parsed = createBatchEncoder(data)(viaParser.bodies, viaParser.ends);
    expect(parsed.failures).toEqual([]);
    const hugeBytes = (lineOf(answer, 1) as { bytes: Buffer }).bytes;
    expect((lineOf(parsed, 0) as { bytes: Buffer }).bytes.equals(hugeBytes)).toBe(true);
    expect((lineOf(parsed, 1) as { bytes: Buffer }).bytes.equals(hugeBytes)).toBe(true);
    // The scratch is reused: a small batch afterwards still answers its own records only.
    const small = pack([Buffer.from(GOOD)]);
    expect(lineOf(encode(small.bodies, small.ends), 0)).toEqual(first);
  });
});
