/**
 * The event model shared by every component.
 *
 * Invariants:
 * - `id` is stable across replays: `<sourceId>:<fileKey>:<offset>`, so a line read again after a
 *   crash carries the same id and duplicates can be counted and removed downstream.
 * - `body` is the line as bytes without its line terminator; interceptors may replace it.
 * - `ack` settles exactly once; the first outcome wins and later calls are ignored.
 * - `error`, when a source sets it, means the line cannot be carried (too long, unreadable):
 *   the validation stage dead-letters it instead of parsing it.
 */

export type AckOutcome = 'delivered' | 'rejected' | 'failed';

export interface Ack {
  /** Settle once. `delivered`: every sink has it durably; `rejected`: filtered or dead-lettered
   *  (done, never replayed); `failed`: not delivered, so checkpoints must not pass it. */
  settle(outcome: AckOutcome): void;
  readonly settled: boolean;
}

export interface EventPosition {
  /** File identity key (device:inode:fingerprint) or another source-specific stream key. */
  readonly fileKey: string;
  /** Path of the file when the line was read (for dead letters and logs). */
  readonly path: string;
  /** Byte offset of the first byte of the line. */
  readonly offset: number;
  /** Byte offset just past the line terminator (the checkpoint value once this line is done). */
  readonly end: number;
}

export interface EventError {
  readonly code: string;
  readonly reason: string;
}

export type Headers = Record<string, string>;

export interface FlumeEvent {
  readonly id: string;
  body: Buffer;
  headers: Headers;
  /** The parsed Avro record, set by the validation stage. */
  record?: Record<string, unknown>;
  readonly position: EventPosition;
  readonly ack: Ack;
  /** Set by a source for a line it could not read whole (see module header). */
  error?: EventError;
  /**
   * The record's Avro binary encoding against the batch schema, when the parse stage produced
   * one and `record` was not replaced since (a sink may copy it instead of encoding `record`).
   */
  encodedRecord?(): Buffer | undefined;
}

/** The encoded records of one parsed batch and the decoder for them (the schema's avsc Type). */
export interface EncodedRecords {
  readonly bytes: Buffer;
  readonly decoder: { decode(buf: Buffer, pos?: number): { value: unknown; offset: number } };
}

/**
 * An event that can carry its record as `records.bytes[start, end)` and decode it only when
 * `record` is read (sources' line events): a sink that copies the encoding never builds it.
 */
export interface EncodedRecordHolder {
  holdEncodedRecord(records: EncodedRecords, start: number, end: number): void;
  /** Length of the held encoding, or -1 when none is held (no view made, unlike `encodedRecord`). */
  encodedRecordLength(): number;
  /**
   * The buffer holding the encoding (the batch's, shared with the other events of its parse
   * batch, consecutive records adjacent) and where in it the encoding starts: a writer may copy
   * a run of records at once. Meaningful only while `encodedRecordLength() >= 0`.
   */
  encodedRecordBuffer(): Buffer;
  encodedRecordStart(): number;
}

export function canHoldEncodedRecord(event: FlumeEvent): event is FlumeEvent & EncodedRecordHolder {
  return typeof (event as Partial<EncodedRecordHolder>).holdEncodedRecord === 'function';
}

/** Whether the event has a parsed record, without decoding one that is held encoded. */
export function hasRecord(event: FlumeEvent): boolean {
  if (canHoldEncodedRecord(event)) return event.encodedRecordLength() >= 0 || event.record !== undefined;
  return event.encodedRecord?.() !== undefined || event.record !== undefined;
}

/**
 * An event whose headers may be one object shared with other events (sources' line events): a
 * batch stamped alike by interceptors then holds one headers object, not one per event.
 * `headers` stays a plain mutable object to every reader (the holder copies a shared object on
 * first access), so code that writes `event.headers[k] = v` is unaffected; hot paths read with
 * `peekHeaders` and replace with `shareHeaders` to avoid that copy.
 */
export interface SharedHeadersHolder {
  /** The current headers, possibly shared: read them, never modify them. */
  peekHeaders(): Readonly<Headers>;
  /** Replaces the headers by `headers`, which the caller shares and must never modify again. */
  shareHeaders(headers: Readonly<Headers>): void;
}

export function canShareHeaders(event: FlumeEvent): event is FlumeEvent & SharedHeadersHolder {
  return typeof (event as Partial<SharedHeadersHolder>).shareHeaders === 'function';
}

/** The event's headers for reading only, without the private copy `event.headers` may make. */
export function peekHeaders(event: FlumeEvent): Readonly<Headers> {
  return canShareHeaders(event) ? event.peekHeaders() : event.headers;
}

/**
 * An event that can carry bytes appended to its body without rebuilding it (sources' line
 * events): reading `body` joins them once; hot paths use the helpers below, which never join.
 */
export interface BodySuffixHolder {
  /** Appends `bytes` to the body. */
  appendToBody(bytes: Buffer): void;
  /** Length of the body with anything appended. */
  bodyLength(): number;
  /** Copies the body with anything appended into `target` at `pos`; answers the bytes copied. */
  copyBodyInto(target: Uint8Array, pos: number): number;
  /** The body decoded as `encoding`: with anything appended (`whole`), or only as read (`read`). */
  bodyText(encoding: 'latin1' | 'utf8', part?: 'whole' | 'read'): string;
  /** Bytes appended and not joined into the body yet (0: `read` and `whole` are the same). */
  appendedLength(): number;
  /** `test` on the body as read (without anything appended), as a byte range: no copy, no view. */
  testReadBody(test: (buf: Uint8Array, start: number, end: number) => boolean): boolean;
}

export function canHoldBodySuffix(event: FlumeEvent): event is FlumeEvent & BodySuffixHolder {
  return typeof (event as Partial<BodySuffixHolder>).appendToBody === 'function';
}

/** The body's length, without joining an appended suffix. */
export function bodyLength(event: FlumeEvent): number {
  return canHoldBodySuffix(event) ? event.bodyLength() : event.body.length;
}

/** Copies the body into `target` at `pos` without joining an appended suffix; answers the bytes copied. */
export function copyBodyInto(event: FlumeEvent, target: Uint8Array, pos: number): number {
  if (canHoldBodySuffix(event)) return event.copyBodyInto(target, pos);
  target.set(event.body, pos);
  return event.body.length;
}

/** The body decoded as `encoding`, without joining an appended suffix into a new buffer. */
export function bodyText(event: FlumeEvent, encoding: 'latin1' | 'utf8'): string {
  return canHoldBodySuffix(event) ? event.bodyText(encoding) : event.body.toString(encoding);
}

/** The Avro schema the records of a batch were validated against (set by the validation stage). */
export interface SchemaRef {
  /** Full name, e.g. `smartcar.CarStatus`. */
  readonly name: string;
  /** The avsc Type (kept as `unknown` here so core does not depend on avsc). */
  readonly type: unknown;
  /** The schema JSON as written in the .avsc file. */
  readonly schema: object;
}

export interface EventBatch {
  readonly sourceId: string;
  readonly events: FlumeEvent[];
  readonly schema?: SchemaRef;
}

export function eventId(sourceId: string, fileKey: string, offset: number): string {
  return `${sourceId}:${fileKey}:${offset}`;
}

/** Sum of body lengths: the byte measure used by the bounded buffer. */
export function batchBytes(events: readonly FlumeEvent[]): number {
  let n = 0;
  for (const e of events) n += bodyLength(e);
  return n;
}

/** Settles every event of a batch with the same outcome. */
export function settleAll(events: readonly FlumeEvent[], outcome: AckOutcome): void {
  for (const e of events) e.ack.settle(outcome);
}
