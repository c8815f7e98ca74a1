/**
 * Avro object container file writer with explicit block control (Avro 1.x spec, "Object
 * Container Files").
 *
 * On-disk format:
 *   header = 'Obj' 0x01, metadata map<bytes> { avro.schema: <writer schema JSON>, avro.codec:
 *            'null' | 'deflate' }, 16-byte sync marker (random per file)
 *   block  = long record count, long byte size, data (records, raw DEFLATE for 'deflate'),
 *            the file's sync marker
 * Every call to `blocks` returns whole blocks only, so a file cut at a length the caller recorded
 * between calls ends on a block boundary and stays readable by any Avro reader.
 *
 * Records are encoded with the avsc Type's `encode` into one reusable scratch buffer (grown on
 * demand); a block is cut once its uncompressed data passes `blockBytes`.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';

export type AvroCodec = 'null' | 'deflate';

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
  private scratch: Buffer;

  constructor(private readonly opts: AvroContainerOptions) {
    this.sync = opts.syncMarker ?? randomBytes(16);
    if (this.sync.length !== 16) throw new RangeError('Avro sync marker must be 16 bytes');
    this.blockBytes = opts.blockBytes ?? 64 * 1024;
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
    const out: Buffer[] = [];
    let pos = 0;
    let count = 0;
    for (const item of items) {
      pos = this.encodeAt(item, pos, write);
      count++;
      if (pos >= this.blockBytes) {
        this.pushBlock(out, count, pos);
        pos = 0;
        count = 0;
      }
    }
    if (count > 0) this.pushBlock(out, count, pos);
    return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
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

  private pushBlock(out: Buffer[], count: number, size: number): void {
    const raw = this.scratch.subarray(0, size);
    const data = this.opts.codec === 'deflate' ? deflateRawSync(raw) : Buffer.from(raw);
    out.push(Buffer.concat([encodeLong(count), encodeLong(data.length), data, this.sync]));
  }
}
