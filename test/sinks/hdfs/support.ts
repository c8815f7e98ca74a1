/** Builders and readers shared by the HDFS sink and format tests (real files, avsc's own reader). */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { crc32, inflateRaw } from 'node:zlib';
import avro from 'avsc';
import { uncompressSync as snappyUncompress } from 'snappy';
import { OnceAck } from '../../../src/core/ack.js';
import type { AckOutcome, EventBatch, FlumeEvent, Headers, SchemaRef } from '../../../src/core/event.js';

export const carSchemaJson = {
  type: 'record',
  name: 'CarStatus',
  namespace: 'smartcar',
  fields: [
    { name: 'reg_date', type: 'string' },
    { name: 'car_number', type: 'string' },
    { name: 'tire_fl', type: 'int' },
    { name: 'battery', type: 'int' },
  ],
};

export const carSchema: SchemaRef = {
  name: 'smartcar.CarStatus',
  type: avro.Type.forSchema(carSchemaJson as avro.Schema),
  schema: carSchemaJson,
};

export interface CarRecord extends Record<string, unknown> {
  reg_date: string;
  car_number: string;
  tire_fl: number;
  battery: number;
}

export function carRecord(i: number): CarRecord {
  return {
    reg_date: `20160101${String(i % 1_000_000).padStart(6, '0')}`,
    car_number: `K${String(i % 10_000).padStart(4, '0')}`,
    tire_fl: i % 101,
    battery: (i * 7) % 101,
  };
}

export function carLine(r: CarRecord): string {
  return `${r.reg_date},${r.car_number},${r.tire_fl},${r.battery}`;
}

/** An event whose body is `body` (or the record's CSV line), with a recording ack. */
export function makeEvent(
  i: number,
  opts: { body?: string; headers?: Headers; record?: Record<string, unknown> } = {},
): FlumeEvent & { outcomes: AckOutcome[] } {
  const outcomes: AckOutcome[] = [];
  const record = opts.record;
  const body = opts.body ?? (record ? carLine(record as CarRecord) : `line-${i}`);
  return {
    id: `src:test:${i}`,
    body: Buffer.from(body),
    headers: opts.headers ?? {},
    record,
    position: { fileKey: 'test', path: '/in/test.txt', offset: i * 100, end: i * 100 + body.length + 1 },
    ack: new OnceAck((o) => outcomes.push(o)),
    outcomes,
  };
}

export function textBatch(from: number, count: number, headers: Headers = {}): EventBatch {
  const events: FlumeEvent[] = [];
  for (let i = from; i < from + count; i++) events.push(makeEvent(i, { headers }));
  return { sourceId: 'src', events };
}

export function avroBatch(from: number, count: number, headers: Headers = {}): EventBatch {
  const events: FlumeEvent[] = [];
  for (let i = from; i < from + count; i++) events.push(makeEvent(i, { headers, record: carRecord(i) }));
  return { sourceId: 'src', events, schema: carSchema };
}

/** Every file under `root`, as paths relative to it, sorted. */
export async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isFile()) out.push(relative(root, join(e.parentPath, e.name)));
  return out.sort();
}

export async function readLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  if (text.length === 0) return [];
  if (!text.endsWith('\n')) throw new Error(`${path} does not end with a newline (partial record)`);
  return text.slice(0, -1).split('\n');
}

/** Decodes an Avro container file with avsc's own reader (the acceptance oracle). */
const DEFAULT_CODECS = {
  null: (buf: Buffer, cb: (err: Error | null, out?: Buffer) => void) => cb(null, buf),
  deflate: (buf: Buffer, cb: (err: Error | null, out?: Buffer) => void) => inflateRaw(buf, cb),
};

/**
 * The Avro spec's snappy block: Snappy data, then the big-endian CRC-32 of the uncompressed data,
 * checked here with zlib's crc32 (an implementation independent of the writer's).
 */
function decodeSnappyBlock(buf: Buffer, cb: (err: Error | null, out?: Buffer) => void): void {
  try {
    const data = snappyUncompress(buf.subarray(0, buf.length - 4)) as Buffer;
    const want = buf.readUInt32BE(buf.length - 4);
    if (crc32(data) !== want) throw new Error(`snappy block CRC mismatch: ${crc32(data)} != ${want}`);
    cb(null, data);
  } catch (err) {
    cb(err as Error);
  }
}

/** Decodes a container file with avsc (codecs null, deflate, snappy). */
export function decodeAvroFile(path: string): Promise<{ records: unknown[]; codec: string | undefined; schema: unknown }> {
  return new Promise((resolve, reject) => {
    const records: unknown[] = [];
    let codec: string | undefined;
    let schema: unknown;
    avro
      .createFileDecoder(path, { codecs: { ...DEFAULT_CODECS, snappy: decodeSnappyBlock } })
      .on('metadata', (_type: avro.Type, c: string, header: { meta: Record<string, Buffer> }) => {
        codec = c;
        schema = JSON.parse(String(header.meta['avro.schema']));
      })
      .on('data', (r: unknown) => records.push(r))
      .on('error', reject)
      .on('end', () => resolve({ records, codec, schema }));
  });
}
