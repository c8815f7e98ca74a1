// Block codecs: deflate levels (valid raw DEFLATE at each level, smaller at higher levels, bad
// levels refused) and many blocks compressed at once (queued, each equal to the synchronous bytes).
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { blockCompressor, DEFAULT_DEFLATE_LEVEL, MAX_BLOCKS_COMPRESSING } from '../../../src/sinks/formats/avro-codecs.js';
import { BlockCutter } from '../../../src/sinks/formats/avro-container.js';
import { carLine, carRecord } from '../hdfs/support.js';

const sample = Buffer.from(Array.from({ length: 3000 }, (_, i) => carLine(carRecord(i))).join('\n'));

describe('Avro block codecs', () => {
  it('deflates at every level 1–9 into raw DEFLATE that inflates back; level 1 is larger than 9', async () => {
    const sizes: number[] = [];
    for (let level = 1; level <= 9; level++) {
      const deflate = blockCompressor('deflate', level);
      if (!deflate) throw new Error('deflate has a compressor');
      const sync = deflate.sync(sample);
      expect(await deflate.async(sample)).toEqual(sync);
      expect(inflateRawSync(sync)).toEqual(sample);
      sizes.push(sync.length);
    }
    expect(sizes[0]).toBeGreaterThan(sizes[8] as number);
    expect(DEFAULT_DEFLATE_LEVEL).toBe(6);
    expect(blockCompressor('deflate')?.sync(sample)).toEqual(blockCompressor('deflate', 6)?.sync(sample));
  });

  it('refuses a deflate level outside 1–9', () => {
    for (const level of [0, 10, 2.5, Number.NaN]) expect(() => blockCompressor('deflate', level)).toThrow(/from 1 to 9/);
    expect(blockCompressor('null', 0)).toBeUndefined();
  });

  for (const codec of ['deflate', 'snappy'] as const) {
    it(`${codec}: far more blocks than may run at once all come back, each as the synchronous bytes`, async () => {
      const compressor = blockCompressor(codec);
      if (!compressor) throw new Error(`${codec} has a compressor`);
      const blocks = Array.from({ length: MAX_BLOCKS_COMPRESSING * 20 }, (_, i) => sample.subarray(i * 997, i * 997 + 40_000));
      const results = await Promise.all(blocks.map((b) => compressor.async(b)));
      expect(results).toEqual(blocks.map((b) => compressor.sync(b)));
    });
  }

  it('a cutter makes the same blocks now or later, whatever file frames them', async () => {
    const cutter = new BlockCutter({ codec: 'deflate', deflateLevel: 1, blockBytes: 4096 });
    const items = Array.from({ length: 500 }, (_, i) => Buffer.from(carLine(carRecord(i))));
    const write = (item: Buffer, buf: Buffer, pos: number) => {
      const end = pos + item.length;
      if (end > buf.length) return buf.length - end;
      item.copy(buf, pos);
      return end;
    };
    const later = await cutter.blocksLater(items, write);
    const now = cutter.blocksNow(items, write).map((b) => ({ count: b.count, data: Buffer.from(b.data) }));
    expect(later).toEqual(now);
    expect(later.length).toBeGreaterThan(1);
    expect(later.reduce((n, b) => n + b.count, 0)).toBe(500);
    expect(Buffer.concat(later.map((b) => inflateRawSync(b.data)))).toEqual(Buffer.concat(items));
  });
});
