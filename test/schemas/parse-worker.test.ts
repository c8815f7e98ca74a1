import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type avro from 'avsc';
import { afterEach, describe, expect, it } from 'vitest';
import type { EncodedBatch } from '../../src/core/component.js';
import { ErrorCodes, RxfError } from '../../src/core/errors.js';
import { createCsvParser } from '../../src/schemas/csv-parser.js';
import { ParseWorkerClient } from '../../src/schemas/parse-worker-client.js';
import { loadSchemaRegistry } from '../../src/schemas/registry.js';
import { writeStatusDay } from '../../src/simulator/status.js';
import { STATUS_DATE } from '../support/status-day.js';
import { tempDir } from '../support/wait.js';

const schema = loadSchemaRegistry().get('smartcar.CarStatus', 1);
const type = schema.type as avro.Type;
const syncParser = createCsvParser(schema, { worker: false });

const GOOD = '20160101000000,K0001,88,91,90,87,1,1,1,1,A,B,77,20160101';
const lines = [
  GOOD,
  '20160101000000,K0002,140,91,90,87,1,1,1,1,A,B,77', // tire_fl out of range
  '20160101000000,K0003,10,11,12,13,2,1,2,1,C,A,5',
  'SmartCar Status Information,CarNum', // wrong column count
  '20160101000000,K0004,10,11,12,13,2,1,2,1,D,A,5', // engine not an enum symbol
  '20160101240000,Z9999,0,100,0,100,1,2,1,2,B,C,100,20161231',
];

/** Decodes line i of a worker answer, or answers the failure for it. */
function lineOf(result: EncodedBatch, i: number): unknown {
  const failure = result.failures.find((f) => f.index === i);
  if (failure) return { ok: false, code: failure.code, reason: failure.reason };
  const start = i === 0 ? 0 : (result.encodedEnds[i - 1] as number);
  return { ok: true, record: type.fromBuffer(result.encoded.subarray(start, result.encodedEnds[i])) };
}

/** A worker that answers its first request like an empty batch, then throws. */
const CRASHING = new URL(
  `data:text/javascript,${encodeURIComponent(`
  import { parentPort } from 'node:worker_threads';
  let n = 0;
  parentPort.on('message', (m) => {
    if (n++ > 0) throw new Error('boom in worker');
    parentPort.postMessage({ id: m.id, encoded: new ArrayBuffer(0), encodedEnds: new Int32Array(m.ends.length), failures: [] });
  });`)}`,
);

describe('ParseWorkerClient', () => {
  const clients: ParseWorkerClient[] = [];
  const open = (script?: URL) => {
    const client = script ? new ParseWorkerClient(schema, ',', script) : new ParseWorkerClient(schema, ',');
    clients.push(client);
    return client;
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });

  it('answers exactly what the main-thread parser answers, line by line', async () => {
    const result = await open().parseBatch(lines.map((l) => Buffer.from(l)));
    expect(result.encodedEnds).toHaveLength(lines.length);
    lines.forEach((line, i) => {
      expect(lineOf(result, i)).toEqual(syncParser.parse(Buffer.from(line)));
    });
    expect(result.failures.map((f) => f.index)).toEqual([1, 3, 4]);
    expect(result.failures[0]?.reason).toContain('tire_fl');
    expect(result.failures[2]?.reason).toContain('engine');
  });

  it('answers a pilot status day under CarStatus v2 byte for byte as the main-thread parser + avsc', async () => {
    const latest = loadSchemaRegistry().get('smartcar.CarStatus');
    const latestType = latest.type as avro.Type;
    const parser = createCsvParser(latest, { worker: false });
    const { dir, cleanup } = await tempDir();
    try {
      const file = join(dir, 'status.txt');
      writeStatusDay({ date: STATUS_DATE, cars: 1, file, seed: 7 });
      // As the pilot's interceptors leave them: header lines dropped, the collection day appended.
      const day = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => /^\d{14}/.test(l))
        .map((l) => Buffer.from(`${l},${STATUS_DATE}`));
      const client = new ParseWorkerClient(latest, ',');
      clients.push(client);
      for (let from = 0; from < day.length; from += 1000) {
        const bodies = day.slice(from, from + 1000);
        const result = await client.parseBatch(bodies);
        expect(result.failures).toEqual([]);
        const expected = Buffer.concat(bodies.map((b) => latestType.toBuffer((parser.parse(b) as { record: object }).record)));
        expect(Buffer.from(result.encoded).equals(expected)).toBe(true);
      }
    } finally {
      await cleanup();
    }
  });

  it('keeps the order of many batches sent before any answer came back', async () => {
    const client = open();
    const batches = Array.from({ length: 20 }, (_, b) =>
      Array.from({ length: 50 }, (_, i) => Buffer.from(`20160101000000,K${String(b * 50 + i).padStart(4, '0')},1,2,3,4,1,1,1,1,A,A,9`)),
    );
    const answers = await Promise.all(batches.map((bodies) => client.parseBatch(bodies)));
    const cars = answers.flatMap((r) =>
      Array.from(r.encodedEnds, (_, i) => (lineOf(r, i) as { record: { car_number: string } }).record.car_number),
    );
    expect(cars).toEqual(Array.from({ length: 1000 }, (_, i) => `K${String(i).padStart(4, '0')}`));
    expect(client.inFlight).toBe(0);
  });

  it('handles an empty body and invalid UTF-8 like the main-thread parser', async () => {
    const bodies = [Buffer.alloc(0), Buffer.from([0x32, 0xff, 0x30])];
    const result = await open().parseBatch(bodies);
    expect(result.failures).toEqual([
      { index: 0, ...pick(syncParser.parse(bodies[0] as Buffer)) },
      { index: 1, ...pick(syncParser.parse(bodies[1] as Buffer)) },
    ]);
  });

  it('rejects the batches in flight and every later one when the worker dies, never hangs', async () => {
    const client = open(CRASHING);
    await expect(client.parseBatch([Buffer.from(GOOD)])).resolves.toBeDefined();
    const inFlight = client.parseBatch([Buffer.from(GOOD)]);
    await expect(inFlight).rejects.toThrow(/parse worker failed: boom in worker/);
    await expect(inFlight).rejects.toBeInstanceOf(RxfError);
    await expect(client.parseBatch([Buffer.from(GOOD)])).rejects.toMatchObject({ code: ErrorCodes.PARSE_FAILED });
  });

  it('rejects with RXF_SHUTDOWN what is in flight when closed, and refuses work after', async () => {
    const client = open();
    const many = Array.from({ length: 20_000 }, () => Buffer.from(GOOD));
    const inFlight = client.parseBatch(many).catch((err: unknown) => err);
    await client.close();
    expect(await inFlight).toMatchObject({ code: ErrorCodes.SHUTDOWN });
    await expect(client.parseBatch([Buffer.from(GOOD)])).rejects.toMatchObject({ code: ErrorCodes.SHUTDOWN });
  });
});

function pick(result: ReturnType<typeof syncParser.parse>): { code: string; reason: string } {
  if (result.ok) throw new Error('expected a failure');
  return { code: result.code, reason: result.reason };
}
