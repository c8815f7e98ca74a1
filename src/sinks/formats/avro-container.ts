/**
 * Avro object container file writer with explicit block control (Avro 1.x spec, "Object
 * Container Files").
 *
 * On-disk format:
 *   header = 'Obj' 0x01, metadata map<bytes> { avro.schema: <writer schema JSON>, avro.codec:
 *            'null' | 'deflate' | 'snappy' }, 16-byte sync marker (random per file)
 *   block  = long record count, long byte size, data (records, compressed by the codec: see
 *            avro-codecs.ts), the file's sync marker
 * Every call to `blocks` returns whole blocks only, so a file cut at a length the caller recorded
 * between calls ends on a block boundary and stays readable by any Avro reader.
 *
 * Records are encoded with the avsc Type's `encode` into one reusable scratch buffer (grown on
 * demand); a block is cut once its uncompressed data passes `blockBytes`.
 *
 * Compression: `blocksOfAsync` compresses its blocks asynchronously on a thread pool (zlib's
 * deflate on libuv's, snappy on napi-rs's), so the main thread keeps reading and parsing
 * meanwhile; the blocks of one call are compressed concurrently and framed in order. The bytes are
 * identical to the synchronous `blocksOf`. Encoding errors are thrown synchronously by both,
 * before any compression starts.
 */
import { randomBytes } from 'node:crypto';
import { type AvroCodec, type BlockCompressor, blockCompressor } from './avro-codecs.js';

export type { AvroCodec } from './avro-codecs.js';

/** A cut block: its record count and its uncompressed data (owned, not a view of the scratch). */
interface RawBlock {
  readonly count: number;
  readonly data: Buffer;
}

/** The part of an avsc Type the writer needs. */
export interface AvroRecordEncoder {
  /** Writes `value` at `pos`; answers the new position, or a negative number when `buf` is too small. */
  encode(value: unknown, buf: Buffer, pos: number): number;
}

export interface AvroContainerOptions {
  readonly schemaJson: string;
  readonly codec: AvroCodec;
  readonly type: AvroRecordEncoder;
  /** Uncompressed bytes after which a block is cut (default 64 KiB, close to Java's 64000). */
  readonly blockBytes?: number;
  /** Fixed sync marker (tests); random otherwise. */
  readonly syncMarker?: Buffer;
}

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);

/** Avro `long` (zig-zag varint) for a non-negative safe integer. */
export function encodeLong(n: number): Buffer {
  const bytes: number[] = [];
  let z = n * 2; // zig-zag of a non-negative value; arithmetic keeps 53-bit precision
  while (z >= 0x80) {
    bytes.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  bytes.push(z);
  return Buffer.from(bytes);
}

function encodeBytes(b: Buffer): Buffer[] {
  return [encodeLong(b.length), b];
}

export class AvroContainerWriter {
  readonly sync: Buffer;
  private readonly blockBytes: number;
  private readonly compressor: BlockCompressor | undefined;
  private scratch: Buffer;

  constructor(private readonly opts: AvroContainerOptions) {
    this.sync = opts.syncMarker ?? randomBytes(16);
    if (this.sync.length !== 16) throw new RangeError('Avro sync marker must be 16 bytes');
    this.blockBytes = opts.blockBytes ?? 64 * 1024;
    this.compressor = blockCompressor(opts.codec);
    this.scratch = Buffer.allocUnsafe(this.blockBytes + 16 * 1024);
  }

  header(): Buffer {
    const meta: Buffer[] = [encodeLong(2)];
    meta.push(...encodeBytes(Buffer.from('avro.schema')), ...encodeBytes(Buffer.from(this.opts.schemaJson, 'utf8')));
    meta.push(...encodeBytes(Buffer.from('avro.codec')), ...encodeBytes(Buffer.from(this.opts.codec)));
    meta.push(encodeLong(0));
    return Buffer.concat([MAGIC, ...meta, this.sync]);
  }

  /** Whole blocks holding `records` in order (an empty input gives an empty buffer). */
  blocks(records: Iterable<unknown>): Buffer {
    const type = this.opts.type;
    return this.blocksOf(records, (record, buf, pos) => type.encode(record, buf, pos));
  }

  /**
   * Whole blocks of `items` in order, each written by `write` (same contract as
   * `AvroRecordEncoder.encode`: the new position, or minus the bytes missing when `buf` is too
   * small), e.g. copying a record's ready-made encoding.
   */
  blocksOf<T>(items: Iterable<T>, write: (item: T, buf: Buffer, pos: number) => number): Buffer {
    const raw = this.cut(items, write, false);
    const compressor = this.compressor;
    return this.frame(raw, compressor ? raw.map((b) => compressor.sync(b.data)) : undefined);
  }

  /**
   * Same bytes as `blocksOf`, with compression done off the main thread (see module header).
   * Records are encoded before this returns, so `items` may change afterwards.
   */
  blocksOfAsync<T>(items: Iterable<T>, write: (item: T, buf: Buffer, pos: number) => number): Promise<Buffer> {
    const compressor = this.compressor;
    if (!compressor) return Promise.resolve(this.blocksOf(items, write));
    const raw = this.cut(items, write, true);
    return Promise.all(raw.map((b) => compressor.async(b.data))).then((compressed) => this.frame(raw, compressed));
  }

  /**
   * Encodes `items` into blocks of about `blockBytes`. `own`: every block is the caller's (it
   * outlives this call, e.g. while compressed on the thread pool); otherwise the last block is a
   * view of the scratch, valid until the next call.
   */
  private cut<T>(items: Iterable<T>, write: (item: T, buf: Buffer, pos: number) => number, own: boolean): RawBlock[] {
    const blocks: RawBlock[] = [];
    let pos = 0;
    let count = 0;
    for (const item of items) {
      pos = this.encodeAt(item, pos, write);
      count++;
      if (pos >= this.blockBytes) {
        blocks.push({ count, data: this.takeScratch(pos, own) });
        pos = 0;
        count = 0;
      }
    }
    // The last block is usually partial (small): copied, so the scratch stays for the next call.
    if (count > 0) blocks.push({ count, data: own ? Buffer.from(this.scratch.subarray(0, pos)) : this.scratch.subarray(0, pos) });
    return blocks;
  }

  /** The first `size` scratch bytes (a full block) as a buffer the caller may keep. */
  private takeScratch(size: number, own: boolean): Buffer {
    if (!own) return Buffer.from(this.scratch.subarray(0, size));
    // Handing the scratch over and taking a fresh one costs an allocation instead of a copy.
    const data = this.scratch.subarray(0, size);
    this.scratch = Buffer.allocUnsafe(this.scratch.length);
    return data;
  }

  /** Frames blocks (count, size, data, sync) in order into one buffer; `compressed[i]` replaces block i's data. */
  private frame(raw: readonly RawBlock[], compressed: readonly Buffer[] | undefined): Buffer {
    if (raw.length === 0) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    for (let i = 0; i < raw.length; i++) {
      const block = raw[i] as RawBlock;
      const data = compressed ? (compressed[i] as Buffer) : block.data;
      parts.push(encodeLong(block.count), encodeLong(data.length), data, this.sync);
    }
    return Buffer.concat(parts);
  }

  private encodeAt<T>(item: T, pos: number, write: (item: T, buf: Buffer, pos: number) => number): number {
    for (;;) {
      const next = write(item, this.scratch, pos);
      if (next >= 0) return next;
      // Too small: grow (keeping what this block has so far) and encode the record again.
      const grown = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.scratch.length - next + 1024));
      this.scratch.copy(grown, 0, 0, pos);
      this.scratch = grown;
    }
  }
}
