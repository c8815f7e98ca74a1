/**
 * Turns split lines of one file into an admitted, tracked batch of events.
 *
 * Invariants: lines are admitted through the flow gate before any event exists; an admitted line
 * is registered with the file's progress, whose settle gives the gate credit back. A `dropped`
 * answer (whenFull: drop_newest) still registers the lines and settles them `rejected`, counted as
 * `buffer_full`, so the checkpoint can move past them; `closed` registers nothing, so the lines are
 * read again after a restart.
 */
import type { FlowGate } from '../buffers/memory.js';
import { ErrorCodes } from '../core/errors.js';
import {
  type Ack,
  type AckOutcome,
  type BodySuffixHolder,
  type EncodedRecordHolder,
  type EncodedRecords,
  type EventBatch,
  type EventPosition,
  eventId,
  type FlumeEvent,
  type Headers,
  type SharedHeadersHolder,
  settleAll,
} from '../core/event.js';
import type { FileProgress } from '../core/progress.js';
import type { Metrics } from '../metrics/metrics.js';
import type { SplitLine } from './line-splitter.js';

export interface LineOrigin {
  readonly sourceId: string;
  readonly fileKey: string;
  readonly path: string;
  /** Headers every event of this file starts with: shared by its events, never modified after. */
  readonly headers?: Readonly<Headers>;
}

const NO_HEADERS: Readonly<Headers> = Object.freeze({});
const HEADERS_SHARED = 1;
const SETTLED = 2;

/** What the lines of one admitted batch share: their file's origin and progress. */
interface LineFile {
  readonly origin: LineOrigin;
  readonly progress: FileProgress;
}

/**
 * A line read from a file, and its own acknowledgement: one object per line instead of an event,
 * an ack, a closure, a position and an id string. Lines stay in memory for as long as they are in
 * flight (often long enough to be promoted out of V8's young generation), so their size is what
 * garbage collection pays for. `id` and `position` are derived on demand, and `record` may be held
 * as its Avro encoding (from a parse worker) and decoded only when read. Headers start as the
 * file's shared object and stay shared while interceptors replace them with shared objects
 * (`shareHeaders`); reading `headers` takes a private copy first, so writes never reach another line.
 */
class LineEvent implements FlumeEvent, Ack, EncodedRecordHolder, SharedHeadersHolder, BodySuffixHolder {
  error?: FlumeEvent['error'];
  // The body is bytes[from, to) (a read chunk, no view per line until `body` is read), then any
  // bytes appended (append_field) and their text, joined only when `body` is read.
  private bytes: Buffer;
  private from: number;
  private to: number;
  private suffix: Buffer | undefined = undefined;
  private currentHeaders: Headers;
  // HEADERS_SHARED | SETTLED bits: one field instead of two (every field is paid per line in flight).
  private flags = HEADERS_SHARED;
  // The record, or its encoding (set by a parse worker) decoded on first read of `record`.
  private parsed: Record<string, unknown> | undefined = undefined;
  private encoded: EncodedRecords | undefined = undefined;
  private encodedStart = 0;
  private encodedEnd = 0;
  /** Body length when admitted: the credit this line gives back, whatever interceptors do to the body. */
  private readonly credit: number;

  constructor(
    private readonly file: LineFile,
    private readonly seq: number,
    private readonly offset: number,
    private readonly end: number,
    line: SplitLine,
  ) {
    this.bytes = line.bytes;
    this.from = line.from;
    this.to = line.to;
    this.credit = line.to - line.from;
    this.currentHeaders = (file.origin.headers ?? NO_HEADERS) as Headers;
  }

  get body(): Buffer {
    const suffix = this.suffix;
    const length = this.to - this.from;
    let body: Buffer;
    if (suffix !== undefined) {
      body = Buffer.allocUnsafe(length + suffix.length);
      this.bytes.copy(body, 0, this.from, this.to);
      body.set(suffix, length);
      this.suffix = undefined;
    } else if (this.from === 0 && this.to === this.bytes.length) {
      return this.bytes;
    } else {
      body = this.bytes.subarray(this.from, this.to);
    }
    this.body = body;
    return body;
  }

  set body(value: Buffer) {
    this.bytes = value;
    this.from = 0;
    this.to = value.length;
    this.suffix = undefined;
  }

  appendToBody(bytes: Buffer): void {
    if (this.suffix !== undefined) {
      // A second append: join the first (rare: one append_field per chain in practice).
      this.body = this.body;
    }
    this.suffix = bytes;
  }

  appendedLength(): number {
    return this.suffix === undefined ? 0 : this.suffix.length;
  }

  bodyLength(): number {
    return this.to - this.from + (this.suffix === undefined ? 0 : this.suffix.length);
  }

  copyBodyInto(target: Uint8Array, pos: number): number {
    const length = this.to - this.from;
    target.set(new Uint8Array(this.bytes.buffer, this.bytes.byteOffset + this.from, length), pos);
    if (this.suffix === undefined) return length;
    target.set(this.suffix, pos + length);
    return length + this.suffix.length;
  }

  testReadBody(test: (buf: Uint8Array, start: number, end: number) => boolean): boolean {
    return test(this.bytes, this.from, this.to);
  }

  bodyText(encoding: 'latin1' | 'utf8', part: 'whole' | 'read' = 'whole'): string {
    const head = this.bytes.toString(encoding, this.from, this.to);
    if (this.suffix === undefined || part === 'read') return head;
    return head + this.suffix.toString(encoding);
  }

  get headers(): Headers {
    if (this.flags & HEADERS_SHARED) {
      this.currentHeaders = { ...this.currentHeaders };
      this.flags &= ~HEADERS_SHARED;
    }
    return this.currentHeaders;
  }

  set headers(value: Headers) {
    this.currentHeaders = value;
    this.flags &= ~HEADERS_SHARED;
  }

  peekHeaders(): Readonly<Headers> {
    return this.currentHeaders;
  }

  shareHeaders(headers: Readonly<Headers>): void {
    this.currentHeaders = headers as Headers;
    this.flags |= HEADERS_SHARED;
  }

  get id(): string {
    const { origin } = this.file;
    return eventId(origin.sourceId, origin.fileKey, this.offset);
  }

  get position(): EventPosition {
    const { origin } = this.file;
    return { fileKey: origin.fileKey, path: origin.path, offset: this.offset, end: this.end };
  }

  get ack(): Ack {
    return this;
  }

  get record(): Record<string, unknown> | undefined {
    if (this.parsed === undefined && this.encoded !== undefined) {
      const { bytes, decoder } = this.encoded;
      this.parsed = decoder.decode(bytes.subarray(this.encodedStart, this.encodedEnd)).value as Record<string, unknown>;
    }
    return this.parsed;
  }

  set record(value: Record<string, unknown> | undefined) {
    this.parsed = value;
    this.encoded = undefined;
  }

  holdEncodedRecord(records: EncodedRecords, start: number, end: number): void {
    this.parsed = undefined;
    this.encoded = records;
    this.encodedStart = start;
    this.encodedEnd = end;
  }

  encodedRecord(): Buffer | undefined {
    return this.encoded?.bytes.subarray(this.encodedStart, this.encodedEnd);
  }

  encodedRecordLength(): number {
    return this.encoded === undefined ? -1 : this.encodedEnd - this.encodedStart;
  }

  encodedRecordBuffer(): Buffer {
    return (this.encoded as EncodedRecords).bytes;
  }

  encodedRecordStart(): number {
    return this.encodedStart;
  }

  get settled(): boolean {
    return (this.flags & SETTLED) !== 0;
  }

  settle(outcome: AckOutcome): void {
    if (this.flags & SETTLED) return;
    this.flags |= SETTLED;
    this.file.progress.settleLine(this.seq, this.credit, outcome);
  }
}

export type EmitResult = { kind: 'batch'; batch: EventBatch } | { kind: 'dropped' } | { kind: 'closed' };

export async function admitLines(
  lines: readonly SplitLine[],
  origin: LineOrigin,
  progress: FileProgress,
  gate: FlowGate,
  metrics: Metrics,
): Promise<EmitResult> {
  let bytes = 0;
  for (const l of lines) bytes += l.to - l.from;
  const answer = await gate.admit(lines.length, bytes);
  if (answer === 'closed') return { kind: 'closed' };
  metrics.eventsReceived(origin.sourceId, 'source', lines.length, bytes);
  if (answer === 'dropped') {
    // Dropped lines never took credit, so they must not give any back: settle outside the gate.
    for (const l of lines) progress.register(l.end, 0, false).settle('rejected');
    metrics.eventsRejected(origin.sourceId, 'buffer', 'buffer_full', lines.length);
    return { kind: 'dropped' };
  }
  const events: FlumeEvent[] = new Array(lines.length);
  const file: LineFile = { origin, progress };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as SplitLine;
    const event = new LineEvent(file, progress.registerLine(l.end), l.offset, l.end, l);
    if (l.oversize) {
      event.error = { code: ErrorCodes.LINE_TOO_LONG, reason: `line of ${l.length} bytes exceeds maxLineBytes` };
    }
    events[i] = event;
  }
  return { kind: 'batch', batch: { sourceId: origin.sourceId, events } };
}

/**
 * An admission the source stopped waiting for (stop won the race): if the gate grants it later,
 * its events were never emitted, so they are settled `failed` at once (the gate credit returns and
 * the checkpoint stays before them: read again after a restart). admitLines already counted them
 * read, so they are counted rejected (reason "stopped") too: read = passed on + rejected holds.
 */
export function failLateAdmission(pending: Promise<EmitResult>, sourceId: string, metrics: Metrics): void {
  pending
    .then((late) => {
      if (late.kind !== 'batch') return;
      metrics.eventsRejected(sourceId, 'source', 'stopped', late.batch.events.length);
      settleAll(late.batch.events, 'failed');
    })
    .catch(() => undefined);
}
