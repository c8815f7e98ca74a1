/**
 * openContainerFile on damaged files: a file cut inside a block (a copy interrupted, a disk
 * full) must fail naming the file and how many bytes were left over, after the records before
 * the cut, never end quietly short; a header whose writer schema is not valid Avro fails naming
 * the file, and so does one cut inside its header. Files are written by avsc's container encoder
 * with our codecs, several small blocks each.
 */
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContainerFile } from '../../src/schemas/container-reader.js';
import { loadSchemaRegistry } from '../../src/schemas/registry.js';
import { type AvroCodec, blockCompressor } from '../../src/sinks/formats/avro-codecs.js';
import { tempDir } from '../support/wait.js';

const registry = loadSchemaRegistry();
const v1 = registry.get('smartcar.CarStatus', 1);
const N = 200;

const record = (i: number) => ({
  reg_date: '20160101000000',
  car_number: `K${String(i).padStart(4, '0')}`,
  tire_fl: i % 101,
  tire_fr: 90,
  tire_bl: 80,
  tire_br: 70,
  light_fl: 1,
  light_fr: 1,
  light_bl: 1,
  light_br: 2,
  engine: 'A',
  break: 'B',
  battery: 55,
  collect_date: '20160102',
});

async function writeContainer(path: string, codec: string): Promise<void> {
  // Small blocks: the file holds many, so a cut lands inside one that is not the first.
  const compressor = blockCompressor(codec as AvroCodec);
  const codecs = compressor
    ? { [codec]: (data: Buffer, cb: (err: Error | null, out?: Buffer) => void) => cb(null, compressor.sync(data)) }
    : undefined;
  const encoder = new avro.streams.BlockEncoder(v1.schema as avro.Schema, { codec, blockSize: 512, ...(codecs ? { codecs } : {}) });
  await pipeline(Readable.from(Array.from({ length: N }, (_, i) => record(i))), encoder, createWriteStream(path));
}

async function readAll(path: string): Promise<{ records: unknown[]; error?: Error }> {
  const records: unknown[] = [];
  try {
    for await (const r of openContainerFile(path, { registry, readerVersion: 1 }).records()) records.push(r);
  } catch (err) {
    return { records, error: err as Error };
  }
  return { records };
}

describe('openContainerFile on damaged files', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(async () => cleanup());

  for (const codec of ['null', 'deflate', 'snappy']) {
    it(`fails on a file cut inside its last block (${codec}), after the records before the cut`, async () => {
      const whole = join(dir, `whole-${codec}.avro`);
      await writeContainer(whole, codec);
      const bytes = await readFile(whole);
      for (const cut of [1, 10, 17, 100]) {
        const path = join(dir, `cut-${codec}-${cut}.avro`);
        await writeFile(path, bytes.subarray(0, bytes.length - cut));
        const { records, error } = await readAll(path);
        expect(error, `cut ${cut}`).toMatchObject({ code: 'RXF_IO' });
        expect(error?.message).toContain(path);
        expect(error?.message).toMatch(/ends inside a block: \d+ bytes? after the last complete block/);
        expect(records.length).toBeGreaterThan(0);
        expect(records.length).toBeLessThan(N);
        expect(records.at(-1)).toEqual(record(records.length - 1));
      }
    });
  }

  it('reads a whole file of each codec to its end without an error', async () => {
    for (const codec of ['null', 'deflate', 'snappy']) {
      const { records, error } = await readAll(join(dir, `whole-${codec}.avro`));
      expect(error, codec).toBeUndefined();
      expect(records).toHaveLength(N);
      expect(records.at(-1)).toEqual(record(N - 1));
    }
  });

  it('fails naming the file when it ends inside its header', async () => {
    const bytes = await readFile(join(dir, 'whole-null.avro'));
    const path = join(dir, 'cut-header.avro');
    await writeFile(path, bytes.subarray(0, 60));
    expect(() => openContainerFile(path, { registry })).toThrow(
      expect.objectContaining({ code: 'RXF_IO', message: `${path}: the file ends inside its header (60 bytes)` }),
    );
  });

  it('names the file when the embedded writer schema is not valid Avro', async () => {
    const bytes = await readFile(join(dir, 'whole-null.avro'));
    // Same length, so the header still decodes; the schema text now names an invalid type.
    const broken = Buffer.from(bytes.toString('latin1').replace('"name":"CarStatus"', '"name":"Car-tatus"'), 'latin1');
    expect(broken.equals(bytes)).toBe(false);
    const path = join(dir, 'bad-schema.avro');
    await writeFile(path, broken);
    expect(() => openContainerFile(path, { registry })).toThrow(
      expect.objectContaining({ code: 'RXF_IO', message: expect.stringContaining(`${path}: invalid writer schema in the header:`) }),
    );
  });
});
