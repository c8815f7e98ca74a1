/**
 * Reads an Avro object container file (what the HDFS sink's avro format writes) and resolves its
 * embedded writer schema to a reader version from the registry — `rxflume cat`.
 *
 * Reader choice: `readerVersion` of the writer's full name when the registry has the name
 * (default its latest); the writer schema itself when the name is not in the registry (asking
 * for a reader version then is an error). The writer is labelled by the registry version whose
 * canonical-form fingerprint it has (`smartcar.CarStatus v1`), else `<name> (embedded)`.
 *
 * Codecs: null, deflate, snappy (avro-codecs.ts `blockDecompressor`, which checks snappy's CRC-32).
 * Records stream block by block (avsc's file decoder), never the whole file in memory.
 *
 * Failure modes (RxfError, thrown before any record for the first three): not a container file
 * (no `Obj\x01` magic), unreadable, a header cut short or a writer schema that is not valid Avro →
 * RXF_IO naming the file; an unknown codec or name/version → RXF_CONFIG_INVALID; a reader that
 * cannot read the writer → RXF_SCHEMA_INCOMPATIBLE naming each problem; a corrupt block → the
 * iteration throws RXF_IO with avsc's or the codec's reason; a file that ends inside a block (a
 * copy cut short) → the iteration throws RXF_IO after the records of the complete blocks. avsc's
 * decoder ignores such trailing bytes, so the bytes of each block (`block` events: the count and
 * size varints, the data, the 16-byte sync marker) are added up and compared with the bytes read.
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import avro from 'avsc';
import { ErrorCodes, RxfError } from '../core/errors.js';
import { blockDecompressor } from '../sinks/formats/avro-codecs.js';
import { schemaFingerprintHex } from './fingerprint.js';
import type { SchemaRegistry } from './registry.js';
import { resolvingDecoder } from './resolution.js';

export interface ContainerReadOptions {
  readonly registry: SchemaRegistry;
  readonly readerVersion?: number;
}

export interface ContainerFile {
  readonly codec: string;
  /** e.g. `smartcar.CarStatus v1`, or `demo.Thing (embedded)` when not in the registry. */
  readonly writer: string;
  readonly reader: string;
  /** Field names of the reader record, in order (empty when the reader is not a record). */
  readonly fields: readonly string[];
  /** The records, resolved to the reader. */
  records(): AsyncIterable<unknown>;
}

type NodeCallback = (err: Error | null, out?: Buffer) => void;

const MAGIC = Buffer.from('Obj\x01', 'latin1');
/** The container header (Avro specification, "Object Container Files"). */
const HEADER_TYPE = avro.Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});
/** Headers hold a schema and a few attributes; past this the file is not a container file. */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;

interface Header {
  readonly meta: Record<string, Buffer>;
  /** Bytes of the header, where the first block starts. */
  readonly size: number;
}

/** The decoded header, or null without the magic; reads only as much of the file as it needs. */
function readHeader(path: string): Header | null {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.alloc(0);
    for (let want = 4096; ; want *= 2) {
      const more = Buffer.allocUnsafe(want);
      const n = readSync(fd, more, 0, want, buf.length);
      buf = Buffer.concat([buf, more.subarray(0, n)]);
      if (buf.length >= MAGIC.length && !buf.subarray(0, MAGIC.length).equals(MAGIC)) return null;
      if (buf.length >= MAGIC.length) {
        const { value, offset } = HEADER_TYPE.decode(buf, 0) as { value: { meta: Record<string, Buffer> }; offset: number };
        if (offset >= 0) return { meta: value.meta, size: offset };
      }
      if (n < want) {
        if (buf.length < MAGIC.length) return null;
        throw new Error(`the file ends inside its header (${buf.length} bytes)`);
      }
      if (buf.length > MAX_HEADER_BYTES) throw new Error(`no complete header in its first ${buf.length} bytes`);
    }
  } finally {
    closeSync(fd);
  }
}

/** Bytes of a long in Avro's zig-zag varint encoding (count and size are never negative). */
function varintBytes(n: number): number {
  let bytes = 1;
  for (let v = n * 2; v >= 128; v = Math.floor(v / 128)) bytes++;
  return bytes;
}

const SYNC_BYTES = 16;

export function openContainerFile(path: string, options: ContainerReadOptions): ContainerFile {
  const ioError = (problem: string, cause?: unknown) =>
    new RxfError(ErrorCodes.IO, `${path}: ${problem}`, cause === undefined ? {} : { cause });
  let header: Header | null;
  try {
    header = readHeader(path);
  } catch (err) {
    throw ioError((err as Error).message, err);
  }
  if (header === null) throw ioError('not an Avro container file (no Obj\\x01 magic)');
  const headerSize = header.size;
  const codec = header.meta['avro.codec']?.toString('utf8') ?? 'null';
  const decompress = blockDecompressor(codec);
  if (!decompress) throw new RxfError(ErrorCodes.CONFIG_INVALID, `${path}: codec "${codec}" is not one of null, deflate, snappy`);
  let writerSchema: object;
  let writerType: avro.Type;
  try {
    const text = header.meta['avro.schema']?.toString('utf8');
    if (text === undefined) throw new Error('no avro.schema entry');
    writerSchema = JSON.parse(text) as object;
    writerType = avro.Type.forSchema(writerSchema as avro.Schema, { registry: {} });
  } catch (err) {
    throw ioError(`invalid writer schema in the header: ${(err as Error).message}`, err);
  }
  const name = writerType.name ?? writerType.typeName;
  const { registry, readerVersion } = options;

  const known = registry.byFingerprint(schemaFingerprintHex(writerSchema));
  const writer = known?.name === name ? `${name} v${known.version}` : `${name} (embedded)`;
  let readerType = writerType;
  let readerSchema: object = writerSchema;
  let reader = writer;
  if (registry.has(name)) {
    if (readerVersion !== undefined && !registry.has(name, readerVersion)) {
      throw new RxfError(
        ErrorCodes.CONFIG_INVALID,
        `${name} has no version ${readerVersion} (versions: ${registry.versions(name).join(', ')})`,
      );
    }
    const chosen = registry.get(name, readerVersion);
    readerType = chosen.type;
    readerSchema = chosen.schema;
    reader = `${name} v${chosen.version}`;
  } else if (readerVersion !== undefined) {
    throw new RxfError(ErrorCodes.CONFIG_INVALID, `${name} is not in the schema folder, so it has no version ${readerVersion}`);
  }
  // Throws RXF_SCHEMA_INCOMPATIBLE now, before any output, when the reader cannot read the writer.
  resolvingDecoder(readerType, writerType, { reader, writer });
  const fields = ((readerType as unknown as { fields?: { name: string }[] }).fields ?? []).map((f) => f.name);
  const codecs = {
    [codec]: (data: Buffer, cb: NodeCallback): void => {
      decompress(data).then(
        (out) => cb(null, out),
        (err: Error) => cb(err),
      );
    },
  };

  return {
    codec,
    writer,
    reader,
    fields,
    async *records() {
      const input = createReadStream(path);
      const decoder = new avro.streams.BlockDecoder({
        codecs,
        // The schema as written (avsc's Type#schema() would drop the defaults resolution needs).
        ...(readerType === writerType ? {} : { readerSchema }),
      });
      // pipe() does not forward a read error; without this the iteration would wait forever.
      input.on('error', (err) => decoder.destroy(err));
      let blockBytes = headerSize;
      decoder.on('block', (info: { valueCount: number; compressedDataLength: number }) => {
        blockBytes += varintBytes(info.valueCount) + varintBytes(info.compressedDataLength) + info.compressedDataLength + SYNC_BYTES;
      });
      input.pipe(decoder);
      try {
        for await (const record of decoder) yield record;
      } catch (err) {
        throw ioError((err as Error).message, err);
      } finally {
        decoder.destroy();
        input.destroy();
      }
      const left = input.bytesRead - blockBytes;
      if (left > 0) {
        throw ioError(`the file ends inside a block: ${left} ${left === 1 ? 'byte' : 'bytes'} after the last complete block (cut short?)`);
      }
    },
  };
}
