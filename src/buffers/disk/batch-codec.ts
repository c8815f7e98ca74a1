/**
 * Encodes a batch of events as one frame payload and decodes it back into events after a
 * restart (or when a sink reads behind the writer).
 *
 * What is kept per event: id (only when it differs from the id derived from source id, file key
 * and offset, which is the usual case for file sources), position (file key, path, offset, end),
 * headers, body, and the record's Avro encoding against the batch schema. Records are stored
 * encoded rather than re-parsed on replay: the sinks copy the encoding as it is (no CSV parsing
 * on the way out) and a replayed event is exactly the event that was acknowledged to the source.
 * The batch schema is identified by its Avro fingerprint; a reader whose schema differs (the
 * config changed between runs) re-parses the bodies instead (see stage.ts).
 *
 * Payload layout (little-endian): `u8 version=1 | u8 flags (bit0: has schema fingerprint) |
 * [8 bytes fingerprint] | u32 events | u16 origins | origins: str fileKey, str path | events:
 * u8 flags (bit0 record, bit1 explicit id) | u16 origin | f64 offset | f64 end | [str id] |
 * u16 headers | (str key, str value)* | bytes body | [bytes record]`, where str and bytes are
 * `u32 length | bytes`.
 *
 * Events reaching the buffer have passed validation, so `error` (set only by sources for lines
 * the validation stage dead-letters) is not carried.
 */

import { crc32 } from 'node:zlib';
import {
  type Ack,
  bodyLength,
  copyBodyInto,
  type EventBatch,
  type EventPosition,
  eventId,
  type FlumeEvent,
  type Headers,
  peekHeaders,
  type SchemaRef,
} from '../../core/event.js';
import { fingerprintBytesLE, schemaFingerprint } from '../../schemas/fingerprint.js';
import { FRAME_HEADER_BYTES } from './segment-format.js';

const VERSION = 1;
const HAS_RECORD = 1;
const EXPLICIT_ID = 2;

interface AvroLike {
  toBuffer(value: unknown): Buffer;
  decode(buf: Buffer, pos?: number): { value: unknown; offset: number };
}

const fingerprints = new WeakMap<SchemaRef, Buffer>();

/** The schema's 8-byte fingerprint (cached per SchemaRef object). */
export function schemaKey(schema: SchemaRef): Buffer {
  let fp = fingerprints.get(schema);
  if (!fp) {
    fp = fingerprintBytesLE(schemaFingerprint(schema.schema));
    fingerprints.set(schema, fp);
  }
  return fp;
}

/** A growable little-endian writer; one per buffer, reused across batches. */
export class PayloadWriter {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private pos = 0;

  /** Starts a new frame: room for its header, then the payload. */
  reset(): void {
    this.pos = FRAME_HEADER_BYTES;
  }

  /**
   * The frame written since `reset` (header with length and CRC-32, then the payload), as one
   * new buffer: the scratch buffer is reused, and the frame goes to disk without another copy.
   */
  takeFrame(): Buffer {
    const payload = this.buf.subarray(FRAME_HEADER_BYTES, this.pos);
    this.buf.writeUInt32LE(payload.length, 0);
    this.buf.writeUInt32LE(crc32(payload), 4);
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }
  u16(v: number): void {
    this.room(2);
    this.pos = this.buf.writeUInt16LE(v, this.pos);
  }
  u32(v: number): void {
    this.room(4);
    this.pos = this.buf.writeUInt32LE(v, this.pos);
  }
  f64(v: number): void {
    this.room(8);
    this.pos = this.buf.writeDoubleLE(v, this.pos);
  }
  str(s: string): void {
    this.room(4 + s.length * 3);
    const n = this.buf.write(s, this.pos + 4, 'utf8');
    this.buf.writeUInt32LE(n, this.pos);
    this.pos += 4 + n;
  }
  bytes(b: Uint8Array): void {
    this.room(4 + b.length);
    this.buf.writeUInt32LE(b.length, this.pos);
    this.buf.set(b, this.pos + 4);
    this.pos += 4 + b.length;
  }
  /** `bytes(event.body)` without joining a suffix the event holds appended (core/event.ts). */
  body(event: FlumeEvent): void {
    const n = bodyLength(event);
    this.room(4 + n);
    this.buf.writeUInt32LE(n, this.pos);
    copyBodyInto(event, this.buf, this.pos + 4);
    this.pos += 4 + n;
  }
}

function recordBytes(event: FlumeEvent, avro: AvroLike | undefined): Buffer | undefined {
  const encoded = event.encodedRecord?.();
  if (encoded !== undefined) return encoded;
  const record = event.record;
  return record !== undefined && avro ? avro.toBuffer(record) : undefined;
}

/**
 * `true` when `id` is `<sourceId>:<fileKey>:<offset>` (`prefix` = `<sourceId>:<fileKey>:`), checked
 * without building the expected string: the usual case, where the id need not be stored.
 */
function isDerivedId(id: string, prefix: string, offset: number): boolean {
  if (id.length <= prefix.length || !id.startsWith(prefix)) return false;
  let n = 0;
  for (let i = prefix.length; i < id.length; i++) {
    const c = id.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return false;
    n = n * 10 + c;
  }
  return n === offset && (id.charCodeAt(prefix.length) !== 48 || id.length === prefix.length + 1);
}

/** Encodes `batch` as one frame (header + payload), see the module header. */
export function frameBatch(batch: EventBatch, w: PayloadWriter): Buffer {
  w.reset();
  w.u8(VERSION);
  const schema = batch.schema;
  w.u8(schema ? 1 : 0);
  if (schema) for (const b of schemaKey(schema)) w.u8(b);
  const events = batch.events;
  w.u32(events.length);
  // Origins (file key + path) are shared by the events of a file: written once per batch.
  const positions: EventPosition[] = new Array(events.length);
  const origins: EventPosition[] = [];
  const eventOrigin = new Uint16Array(events.length);
  let last: EventPosition | undefined;
  let lastIndex = 0;
  for (let i = 0; i < events.length; i++) {
    const p = (events[i] as FlumeEvent).position;
    positions[i] = p;
    if (!last || p.fileKey !== last.fileKey || p.path !== last.path) {
      let index = origins.findIndex((o) => o.fileKey === p.fileKey && o.path === p.path);
      if (index < 0) {
        index = origins.length;
        if (index > 0xffff) throw new RangeError('a batch spans more than 65535 files');
        origins.push(p);
      }
      last = p;
      lastIndex = index;
    }
    eventOrigin[i] = lastIndex;
  }
  w.u16(origins.length);
  const idPrefixes: string[] = [];
  for (const o of origins) {
    w.str(o.fileKey);
    w.str(o.path);
    idPrefixes.push(`${batch.sourceId}:${o.fileKey}:`);
  }
  const avro = schema?.type as AvroLike | undefined;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as FlumeEvent;
    const p = positions[i] as EventPosition;
    const origin = eventOrigin[i] as number;
    const record = recordBytes(e, avro);
    const id = e.id;
    const explicitId = !isDerivedId(id, idPrefixes[origin] as string, p.offset);
    w.u8((record ? HAS_RECORD : 0) | (explicitId ? EXPLICIT_ID : 0));
    w.u16(origin);
    w.f64(p.offset);
    w.f64(p.end);
    if (explicitId) w.str(id);
    // Read without the private copy `headers` makes of a shared headers object.
    const headers = peekHeaders(e);
    let count = 0;
    for (const _ in headers) count++;
    w.u16(count);
    for (const k in headers) {
      w.str(k);
      w.str(headers[k] as string);
    }
    w.body(e);
    if (record) w.bytes(record);
  }
  return w.takeFrame();
}

/** Events in a batch payload, read from its header without decoding it (see the layout above). */
export function payloadEventCount(payload: Buffer): number {
  const hasFingerprint = ((payload[1] as number) & 1) === 1;
  const at = 2 + (hasFingerprint ? 8 : 0);
  return payload.length >= at + 4 ? payload.readUInt32LE(at) : 0;
}

/** The payload of `frameBatch` (for tests and tools that handle payloads without the frame). */
export function encodeBatch(batch: EventBatch, w: PayloadWriter): Buffer {
  return frameBatch(batch, w).subarray(FRAME_HEADER_BYTES);
}

/** An event read back from the log; its record is decoded from the stored encoding on first read. */
export class StoredEvent implements FlumeEvent {
  private parsed: Record<string, unknown> | undefined;
  private storedId: string | undefined;

  constructor(
    private readonly sourceId: string,
    readonly position: EventPosition,
    readonly ack: Ack,
    public headers: Headers,
    public body: Buffer,
    private encoded: Buffer | undefined,
    private readonly decoder: AvroLike | undefined,
    id: string | undefined,
  ) {
    this.storedId = id;
  }

  get id(): string {
    this.storedId ??= eventId(this.sourceId, this.position.fileKey, this.position.offset);
    return this.storedId;
  }

  get record(): Record<string, unknown> | undefined {
    if (this.parsed === undefined && this.encoded !== undefined && this.decoder) {
      this.parsed = this.decoder.decode(this.encoded).value as Record<string, unknown>;
    }
    return this.parsed;
  }

  set record(value: Record<string, unknown> | undefined) {
    this.parsed = value;
    this.encoded = undefined;
  }

  encodedRecord(): Buffer | undefined {
    return this.decoder ? this.encoded : undefined;
  }
}

export interface DecodedBatch {
  readonly events: StoredEvent[];
  /** Whether the stored records were encoded with `schema` (else they need re-parsing). */
  readonly schemaMatches: boolean;
  readonly bytes: number;
}

/**
 * Decodes a payload the caller owns (events keep views into it). `schema`: the schema the reader's sinks expect; records stored under
 * another fingerprint are not attached (`schemaMatches: false`). Throws a RangeError on a
 * payload that does not decode (a checksum collision or a bug; the caller treats it as torn).
 */
export function decodeBatch(payload: Buffer, sourceId: string, schema: SchemaRef | undefined, ack: Ack): DecodedBatch {
  let pos = 0;
  const u8 = () => payload[pos++] as number;
  const u16 = () => {
    const v = payload.readUInt16LE(pos);
    pos += 2;
    return v;
  };
  const u32 = () => {
    const v = payload.readUInt32LE(pos);
    pos += 4;
    return v;
  };
  const f64 = () => {
    const v = payload.readDoubleLE(pos);
    pos += 8;
    return v;
  };
  const bytes = () => {
    const n = u32();
    if (pos + n > payload.length) throw new RangeError('stored field runs past the frame');
    const b = payload.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  const str = () => bytes().toString('utf8');

  if (u8() !== VERSION) throw new RangeError('unknown batch payload version');
  const hasFingerprint = (u8() & 1) === 1;
  let schemaMatches = false;
  if (hasFingerprint) {
    schemaMatches = schema !== undefined && payload.subarray(pos, pos + 8).equals(schemaKey(schema));
    pos += 8;
  }
  const decoder = schemaMatches ? (schema?.type as AvroLike) : undefined;
  const count = u32();
  const originCount = u16();
  const origins: { fileKey: string; path: string }[] = [];
  for (let i = 0; i < originCount; i++) origins.push({ fileKey: str(), path: str() });
  const events: StoredEvent[] = new Array(count);
  let totalBytes = 0;
  for (let i = 0; i < count; i++) {
    const flags = u8();
    const origin = origins[u16()];
    if (!origin) throw new RangeError('stored event names an unknown origin');
    const offset = f64();
    const end = f64();
    const id = flags & EXPLICIT_ID ? str() : undefined;
    const headerCount = u16();
    const headers: Headers = {};
    for (let h = 0; h < headerCount; h++) {
      const k = str();
      headers[k] = str();
    }
    // Views into the payload, which the caller hands over (it is not a reused read buffer).
    const body = bytes();
    totalBytes += body.length;
    const record = flags & HAS_RECORD ? bytes() : undefined;
    const position: EventPosition = { fileKey: origin.fileKey, path: origin.path, offset, end };
    events[i] = new StoredEvent(sourceId, position, ack, headers, body, record, decoder, id);
  }
  return { events, schemaMatches: schemaMatches || !hasFingerprint, bytes: totalBytes };
}
