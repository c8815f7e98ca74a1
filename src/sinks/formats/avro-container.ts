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
 * before any compression starts. A block's data does not depend on the file (only its framing
 * holds the file's sync marker), so `BlockCutter` can make blocks before the file is known and
 * `frame` puts them into any file of the same codec.
 */
import { randomBytes } from 'node:crypto';
import { type AvroCodec, type BlockCompressor, blockCompressor } from './avro-codecs.js';

export type { AvroCodec } from './avro-codecs.js';

/** A block ready to frame: its record count and its data as stored (compressed by the codec). */
export interface ContainerBlock {
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
  /** zlib level of 'deflate' blocks, 1–9 (default 6). */
  readonly deflateLevel?: number;
  readonly type: AvroRecordEncoder;
  /** Uncompressed bytes after which a block is cut (default 64 KiB, close to Java's 64000). */
  readonly blockBytes?: number;
  /** Fixed sync marker (tests); random otherwise. */
  readonly syncMarker?: Buffer;
}

/** Options of the blocks themselves, not of a file. */
export type BlockOptions = Pick<AvroContainerOptions, 'codec' | 'deflateLevel' | 'blockBytes'>;

/** Writes one record at `pos`: the new position, or minus the bytes missing when `buf` is too small. */
export type RecordWriter<T> = (item: T, buf: Buffer, pos: number) => number;

/**
 * A writer that may hold back copying what it wrote (e.g. a run of records adjacent in one
 * source buffer, copied at once): same `write` contract, and `flush(buf)` copies everything held
 * back into `buf` at the positions `write` answered. The cutter flushes before it reads, hands
 * over or grows its scratch.
 */
export interface DeferringWriter<T> {
  write(item: T, buf: Buffer, pos: number): number;
  flush(buf: Buffer): void;
}

type AnyWriter<T> = RecordWriter<T> | DeferringWriter<T>;

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

/**
 * Cuts encoded records into blocks of about `blockBytes` and compresses them. Not reentrant (one
 * scratch), which its synchronous encoding allows.
 */
export class BlockCutter {
  private readonly blockBytes: number;
  private readonly compressor: BlockCompressor | undefined;
  private scratch: Buffer;

  constructor(opts: BlockOptions) {
    this.blockBytes = opts.blockBytes ?? 64 * 1024;
    this.compressor = blockCompressor(opts.codec, opts.deflateLevel);
    this.scratch = Buffer.allocUnsafe(this.blockBytes + 16 * 1024);
  }

  /** Whether the codec compresses (its blocks then cost CPU worth starting early). */
  get compresses(): boolean {
    return this.compressor !== undefined;
  }

  /** The blocks of `items` compressed on this thread; the last may be a view of the scratch, valid until the next call. */
  blocksNow<T>(items: Iterable<T>, write: AnyWriter<T>): ContainerBlock[] {
    const raw = this.cut(items, write, false);
    const compressor = this.compressor;
    return compressor ? raw.map((b) => ({ count: b.count, data: compressor.sync(b.data) })) : raw;
  }

  /** The blocks of `items` compressed off the main thread; records are encoded (and errors thrown) before this returns. */
  blocksLater<T>(items: Iterable<T>, write: AnyWriter<T>): Promise<ContainerBlock[]> {
    const raw = this.cut(items, write, true);
    const compressor = this.compressor;
    if (!compressor) return Promise.resolve(raw);
    return Promise.all(raw.map((b) => compressor.async(b.data))).then((compressed) =>
      raw.map((b, i) => ({ count: b.count, data: compressed[i] as Buffer })),
    );
  }

  /**
   * Encodes `items` into blocks of about `blockBytes`. `own`: every block is the caller's (it
   * outlives this call, e.g. while compressed on the thread pool); otherwise the last block is a
   * view of the scratch, valid until the next call.
   */
  private cut<T>(items: Iterable<T>, writer: AnyWriter<T>, own: boolean): ContainerBlock[] {
    const write: RecordWriter<T> = typeof writer === 'function' ? writer : (item, buf, pos) => writer.write(item, buf, pos);
    const flush = typeof writer === 'function' ? undefined : (buf: Buffer) => writer.flush(buf);
    const blocks: ContainerBlock[] = [];
    let pos = 0;
    let count = 0;
    for (const item of items) {
      pos = this.encodeAt(item, pos, write, flush);
      count++;
      if (pos >= this.blockBytes) {
        flush?.(this.scratch);
        blocks.push({ count, data: this.takeScratch(pos, own) });
        pos = 0;
        count = 0;
      }
    }
    // The last block is usually partial (small): copied, so the scratch stays for the next call.
    flush?.(this.scratch);
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

  private encodeAt<T>(item: T, pos: number, write: RecordWriter<T>, flush: ((buf: Buffer) => void) | undefined): number {
    for (;;) {
      const next = write(item, this.scratch, pos);
      if (next >= 0) return next;
      // Too small: grow (keeping what this block has so far) and encode the record again.
      const grown = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.scratch.length - next + 1024));
      flush?.(this.scratch);
      this.scratch.copy(grown, 0, 0, pos);
      this.scratch = grown;
    }
  }
}

export class AvroContainerWriter {
  readonly sync: Buffer;
  private readonly cutter: BlockCutter;

  constructor(private readonly opts: AvroContainerOptions) {
    this.sync = opts.syncMarker ?? randomBytes(16);
    if (this.sync.length !== 16) throw new RangeError('Avro sync marker must be 16 bytes');
    this.cutter = new BlockCutter(opts);
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
  blocksOf<T>(items: Iterable<T>, write: AnyWriter<T>): Buffer {
    return this.frame(this.cutter.blocksNow(items, write));
  }

  /**
   * Same bytes as `blocksOf`, with compression done off the main thread (see module header).
   * Records are encoded before this returns, so `items` may change afterwards.
   */
  blocksOfAsync<T>(items: Iterable<T>, write: AnyWriter<T>): Promise<Buffer> {
    if (!this.cutter.compresses) return Promise.resolve(this.blocksOf(items, write));
    return this.cutter.blocksLater(items, write).then((blocks) => this.frame(blocks));
  }

  /** Frames blocks (count, size, data, this file's sync marker) in order; they may come from any BlockCutter of this codec. */
  frame(blocks: readonly ContainerBlock[]): Buffer {
    if (blocks.length === 0) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    for (const block of blocks) parts.push(encodeLong(block.count), encodeLong(block.data.length), block.data, this.sync);
    return Buffer.concat(parts);
  }
}
