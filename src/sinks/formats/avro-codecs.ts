/**
 * Block codecs of Avro object container files (Avro spec, "Required Codecs" / "Optional Codecs"):
 *   null    — the block data as is;
 *   deflate — raw DEFLATE (RFC 1951, no zlib header), Node's zlib, at a chosen level (1 fastest …
 *             9 smallest; 6, zlib's and Avro's Java writer's default, unless told);
 *   snappy  — Snappy-compressed data followed by the 4-byte big-endian CRC-32 of the
 *             uncompressed data (the `snappy` package: napi-rs prebuilt binaries, no build step).
 * Each codec compresses synchronously or asynchronously with identical bytes; the asynchronous
 * form runs on libuv's thread pool (zlib, and snappy through napi-rs async work) so the main
 * thread goes on. At most MAX_BLOCKS_COMPRESSING blocks are on the pool at once, the rest wait in
 * order: the pool (4 threads) also runs every file write and fsync, and a sink's fsync queued
 * behind the blocks of batches compressed ahead would stall the sink it is meant to feed.
 * `blockDecompressor` is the reverse, for readers (`rxflume cat`); a snappy block whose CRC-32
 * does not match its uncompressed data is an error naming both values.
 */

import { crc32, deflateRaw, deflateRawSync, inflateRaw } from 'node:zlib';
import { compress as snappyCompress, compressSync as snappyCompressSync, uncompress as snappyUncompress } from 'snappy';

export const AVRO_CODECS = ['null', 'deflate', 'snappy'] as const;
export type AvroCodec = (typeof AVRO_CODECS)[number];

export interface BlockCompressor {
  sync(data: Buffer): Buffer;
  async(data: Buffer): Promise<Buffer>;
}

/** CRC-32 (IEEE 802.3, as zlib and java.util.zip.CRC32): Node's native one. */
export { crc32 };

/** Blocks on the thread pool at once (its other threads stay free for file I/O). */
export const MAX_BLOCKS_COMPRESSING = 2;
let compressing = 0;
const waitingToCompress: (() => void)[] = [];

/** Runs `job` once fewer than MAX_BLOCKS_COMPRESSING jobs run, in the order asked. */
function onPool<T>(job: () => Promise<T>): Promise<T> {
  const run = (): Promise<T> => {
    compressing++;
    return job().finally(() => {
      compressing--;
      waitingToCompress.shift()?.();
    });
  };
  if (compressing < MAX_BLOCKS_COMPRESSING) return run();
  return new Promise<void>((resolve) => waitingToCompress.push(resolve)).then(run);
}

function withCrc(compressed: Buffer, uncompressed: Buffer): Buffer {
  const out = Buffer.allocUnsafe(compressed.length + 4);
  compressed.copy(out, 0);
  out.writeUInt32BE(crc32(uncompressed), compressed.length);
  return out;
}

/** zlib's (and Avro's Java writer's) default deflate level. */
export const DEFAULT_DEFLATE_LEVEL = 6;

function deflateAt(level: number): BlockCompressor {
  if (!Number.isInteger(level) || level < 1 || level > 9)
    throw new RangeError(`deflate level must be an integer from 1 to 9, not ${level}`);
  const options = { level };
  return {
    sync: (data) => deflateRawSync(data, options),
    async: (data) =>
      onPool(() => new Promise((resolve, reject) => deflateRaw(data, options, (err, out) => (err ? reject(err) : resolve(out))))),
  };
}

const snappy: BlockCompressor = {
  sync: (data) => withCrc(snappyCompressSync(data), data),
  async: (data) => onPool(async () => withCrc(await snappyCompress(data), data)),
};

/** The compressor of a codec (deflate at `deflateLevel`); undefined for 'null' (blocks are written as they are). */
export function blockCompressor(codec: AvroCodec, deflateLevel = DEFAULT_DEFLATE_LEVEL): BlockCompressor | undefined {
  return codec === 'deflate' ? deflateAt(deflateLevel) : codec === 'snappy' ? snappy : undefined;
}

/** Decompresses one block's data; rejects on corrupt data (or a snappy CRC mismatch). */
export type BlockDecompressor = (data: Buffer) => Promise<Buffer>;

async function unsnappy(data: Buffer): Promise<Buffer> {
  if (data.length < 4) throw new Error(`snappy block of ${data.length} bytes has no CRC-32`);
  const out = await snappyUncompress(data.subarray(0, data.length - 4));
  const plain = typeof out === 'string' ? Buffer.from(out) : out;
  const expected = data.readUInt32BE(data.length - 4);
  const actual = crc32(plain);
  if (actual !== expected) throw new Error(`snappy block CRC-32 ${actual.toString(16)} does not match ${expected.toString(16)}`);
  return plain;
}

const decompressors: Record<AvroCodec, BlockDecompressor> = {
  null: async (data) => data,
  deflate: (data) => new Promise((resolve, reject) => inflateRaw(data, (err, out) => (err ? reject(err) : resolve(out)))),
  snappy: unsnappy,
};

/** The decompressor of a codec, or undefined for a codec rxflume does not know. */
export function blockDecompressor(codec: string): BlockDecompressor | undefined {
  return (AVRO_CODECS as readonly string[]).includes(codec) ? decompressors[codec as AvroCodec] : undefined;
}
