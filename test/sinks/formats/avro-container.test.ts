import { randomBytes } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RxfError } from '../../../src/core/errors.js';
import { crc32 } from '../../../src/sinks/formats/avro-codecs.js';
import { AvroContainerWriter, encodeLong } from '../../../src/sinks/formats/avro-container.js';
import { createFormat } from '../../../src/sinks/formats/index.js';
import { tempDir } from '../../support/wait.js';
import { avroBatch, carRecord, carSchema, carSchemaJson, decodeAvroFile, makeEvent, textBatch } from '../hdfs/support.js';

describe('Avro container writer (read back with avsc createFileDecoder)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  it('encodes longs as zig-zag varints', () => {
    expect([...encodeLong(0)]).toEqual([0]);
    expect([...encodeLong(1)]).toEqual([2]);
    expect([...encodeLong(63)]).toEqual([126]);
    expect([...encodeLong(64)]).toEqual([0x80, 0x01]);
    expect([...encodeLong(300)]).toEqual([0xd8, 0x04]);
  });

  for (const codec of ['deflate', 'snappy', 'null'] as const) {
    it(`round-trips records in several blocks with codec ${codec}`, async () => {
      const writer = new AvroContainerWriter({
        schemaJson: JSON.stringify(carSchemaJson),
        codec,
        type: carSchema.type as never,
        blockBytes: 512,
      });
      const records = Array.from({ length: 1000 }, (_, i) => carRecord(i));
      const file = join(dir, `cars-${codec}.avro`);
      // Three appends = the sink's three batches.
      await writeFile(
        file,
        Buffer.concat([
          writer.header(),
          writer.blocks(records.slice(0, 10)),
          writer.blocks(records.slice(10, 600)),
          writer.blocks(records.slice(600)),
        ]),
      );
      const decoded = await decodeAvroFile(file);
      expect(decoded.codec).toBe(codec);
      expect(decoded.schema).toEqual(carSchemaJson);
      expect(decoded.records).toEqual(records);
    });
  }

  it('a file cut at a recorded batch boundary is still a valid container', async () => {
    const writer = new AvroContainerWriter({
      schemaJson: JSON.stringify(carSchemaJson),
      codec: 'deflate',
      type: carSchema.type as never,
      blockBytes: 256,
    });
    const records = Array.from({ length: 300 }, (_, i) => carRecord(i));
    const first = Buffer.concat([writer.header(), writer.blocks(records.slice(0, 120))]);
    const file = join(dir, 'cut.avro');
    await writeFile(file, Buffer.concat([first, writer.blocks(records.slice(120))]));
    const fh = await open(file, 'r+');
    await fh.truncate(first.length);
    await fh.close();
    expect((await decodeAvroFile(file)).records).toEqual(records.slice(0, 120));
  });

  it.each(['deflate', 'snappy'] as const)(
    'compresses (%s) off the main thread into the same bytes as the synchronous writer, blocks in order',
    async (codec) => {
      const syncMarker = Buffer.alloc(16, 7);
      const options = {
        schemaJson: JSON.stringify(carSchemaJson),
        codec,
        type: carSchema.type as never,
        blockBytes: 300,
        syncMarker,
      };
      const records = Array.from({ length: 700 }, (_, i) => carRecord(i));
      const write = (record: unknown, buf: Buffer, pos: number) =>
        (carSchema.type as { encode(v: unknown, b: Buffer, p: number): number }).encode(record, buf, pos);
      const expected = new AvroContainerWriter(options).blocksOf(records, write);
      const writer = new AvroContainerWriter(options);
      // Two calls in flight at once: each encodes before returning, so they never share scratch bytes.
      const [first, second] = await Promise.all([
        writer.blocksOfAsync(records.slice(0, 350), write),
        writer.blocksOfAsync(records.slice(350), write),
      ]);
      const asyncBytes = Buffer.concat([first, second]);
      const single = await new AvroContainerWriter(options).blocksOfAsync(records, write);
      expect(single.equals(expected)).toBe(true);
      const file = join(dir, `async-${codec}.avro`);
      await writeFile(file, Buffer.concat([writer.header(), asyncBytes]));
      expect((await decodeAvroFile(file)).records).toEqual(records);
      // A cut at the first call's length leaves exactly its records.
      const fh = await open(file, 'r+');
      await fh.truncate(writer.header().length + first.length);
      await fh.close();
      expect((await decodeAvroFile(file)).records).toEqual(records.slice(0, 350));
      expect((await new AvroContainerWriter(options).blocksOfAsync([], write)).length).toBe(0);
    },
  );

  it('throws an encoding error synchronously from the asynchronous writer, before compressing', () => {
    const writer = new AvroContainerWriter({ schemaJson: '{}', codec: 'deflate', type: carSchema.type as never });
    const type = carSchema.type as { encode(v: unknown, b: Buffer, p: number): number };
    expect(() => writer.blocksOfAsync([{ reg_date: 5 }], (r, b, p) => type.encode(r, b, p))).toThrow();
  });

  it('grows its scratch buffer for records larger than a block', async () => {
    const schema = { type: 'record', name: 'Big', fields: [{ name: 's', type: 'string' }] };
    const avro = (await import('avsc')).default;
    const type = avro.Type.forSchema(schema as never);
    const writer = new AvroContainerWriter({ schemaJson: JSON.stringify(schema), codec: 'null', type, blockBytes: 64 });
    const records = [{ s: 'x'.repeat(200_000) }, { s: 'small' }, { s: 'y'.repeat(70_000) }];
    const file = join(dir, 'big.avro');
    await writeFile(file, Buffer.concat([writer.header(), writer.blocks(records)]));
    expect((await decodeAvroFile(file)).records).toEqual(records);
  });

  it('uses one random 16-byte sync marker per file and rejects other lengths', () => {
    const a = new AvroContainerWriter({ schemaJson: '{}', codec: 'null', type: carSchema.type as never });
    const b = new AvroContainerWriter({ schemaJson: '{}', codec: 'null', type: carSchema.type as never });
    expect(a.sync.length).toBe(16);
    expect(a.sync.equals(b.sync)).toBe(false);
    expect(a.header().subarray(-16).equals(a.sync)).toBe(true);
    expect(
      () => new AvroContainerWriter({ schemaJson: '{}', codec: 'null', type: carSchema.type as never, syncMarker: Buffer.alloc(8) }),
    ).toThrow(/16 bytes/);
  });
});

describe('file formats', () => {
  it('text writes each body followed by a newline and accepts any batch', () => {
    const format = createFormat('text', 'deflate');
    const batch = textBatch(0, 3);
    format.check(batch);
    const encoder = format.open(batch);
    expect(encoder.header().length).toBe(0);
    expect(encoder.encode(batch.events).toString()).toBe('line-0\nline-1\nline-2\n');
    expect(encoder.accepts(avroBatch(0, 1))).toBe(true);
  });

  it('avro rejects a batch without a schema or without records as permanent', () => {
    const format = createFormat('avro', 'null');
    const noSchema = textBatch(0, 2);
    expect(() => format.check(noSchema)).toThrow(RxfError);
    try {
      format.check(noSchema);
    } catch (err) {
      expect((err as RxfError).code).toBe('RXF_SINK_PERMANENT');
      expect((err as RxfError).retriable).toBe(false);
    }
    const missingRecord = { sourceId: 'src', schema: carSchema, events: [makeEvent(1, { record: carRecord(1) }), makeEvent(2)] };
    expect(() => format.check(missingRecord)).toThrow(/event src:test:2 has none/);
  });

  it('avro files accept batches of the same schema only (by identity or JSON)', () => {
    const format = createFormat('avro', 'deflate');
    const batch = avroBatch(0, 2);
    const encoder = format.open(batch);
    expect(encoder.accepts(avroBatch(2, 1))).toBe(true);
    const sameJson = { ...avroBatch(3, 1), schema: { ...carSchema } };
    expect(encoder.accepts(sameJson)).toBe(true);
    const other = { type: 'record', name: 'Other', fields: [{ name: 'a', type: 'int' }] };
    expect(encoder.accepts({ sourceId: 's', events: [], schema: { name: 'Other', type: carSchema.type, schema: other } })).toBe(false);
  });

  it('avro encoding of a record that does not fit the schema is a permanent error', () => {
    const format = createFormat('avro', 'null');
    const batch = { sourceId: 'src', schema: carSchema, events: [makeEvent(1, { record: { reg_date: 5 } })] };
    const encoder = format.open(batch);
    expect(() => encoder.encode(batch.events)).toThrow(/cannot encode a record with Avro schema smartcar.CarStatus/);
  });
});

describe('avro header bytes', () => {
  it('starts with the Obj\\x01 magic and names schema and codec', () => {
    const writer = new AvroContainerWriter({ schemaJson: JSON.stringify(carSchemaJson), codec: 'deflate', type: carSchema.type as never });
    const header = writer.header();
    expect(header.subarray(0, 4).toString('latin1')).toBe('Obj\x01');
    expect(header.includes(Buffer.from('avro.schema'))).toBe(true);
    expect(header.includes(Buffer.from('deflate'))).toBe(true);
  });
});

describe('crc32 (the snappy codec checksum)', () => {
  it('matches zlib for the standard check value and random data', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    for (let n = 0; n < 50; n++) {
      const data = randomBytes(n * 37);
      expect(crc32(data)).toBe(zlibCrc32(data));
    }
  });
});
