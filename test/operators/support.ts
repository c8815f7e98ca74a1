/**
 * Real, small implementations of the contracts for operator tests: acks that record every settle
 * call (so "exactly once" can be asserted), in-memory sinks with scripted failures, an Avro parser.
 */
import avro from 'avsc';
import type { DeadLetterEntry, DeadLetterSink, ParseResult, RecordParser, Sink } from '../../src/core/component.js';
import { ErrorCodes, type RxfError } from '../../src/core/errors.js';
import type { Ack, AckOutcome, EventBatch, FlumeEvent, SchemaRef } from '../../src/core/event.js';
import { eventId } from '../../src/core/event.js';

/** Records every settle call, including ones after the first (which a correct pipeline never makes). */
export class RecordingAck implements Ack {
  readonly calls: AckOutcome[] = [];
  get settled(): boolean {
    return this.calls.length > 0;
  }
  get outcome(): AckOutcome | undefined {
    return this.calls[0];
  }
  settle(outcome: AckOutcome): void {
    this.calls.push(outcome);
  }
}

export function makeEvent(sourceId: string, offset: number, body: string): FlumeEvent & { ack: RecordingAck } {
  const bytes = Buffer.from(body);
  return {
    id: eventId(sourceId, 'f1', offset),
    body: bytes,
    headers: {},
    position: { fileKey: 'f1', path: '/in/f1', offset, end: offset + bytes.length + 1 },
    ack: new RecordingAck(),
  };
}

let nextOffset = 0;

/** A batch of fresh events with unique offsets. */
export function makeBatch(sourceId: string, bodies: readonly string[], schema?: SchemaRef): EventBatch {
  const events = bodies.map((b) => {
    const e = makeEvent(sourceId, nextOffset, b);
    nextOffset += b.length + 1;
    return e;
  });
  return schema ? { sourceId, events, schema } : { sourceId, events };
}

export function acksOf(batches: readonly EventBatch[]): RecordingAck[] {
  return batches.flatMap((b) => b.events.map((e) => e.ack as RecordingAck));
}

export function bodiesOf(batch: EventBatch): string[] {
  return batch.events.map((e) => e.body.toString());
}

/**
 * An in-memory sink. `failures` are thrown by the next writes in turn (one per attempt); `hold`
 * makes writes wait until `release()` (a slow or hung destination).
 */
export class ArraySink implements Sink {
  readonly batches: EventBatch[] = [];
  attempts = 0;
  concurrent = 0;
  maxConcurrent = 0;
  private held: Array<() => void> = [];
  constructor(
    readonly id: string,
    private readonly opts: { failures?: Array<RxfError | Error>; hold?: boolean; delayMs?: number } = {},
  ) {}
  async start(): Promise<void> {}
  async close(): Promise<void> {}
  async write(batch: EventBatch): Promise<void> {
    this.attempts++;
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    try {
      if (this.opts.hold) await new Promise<void>((r) => this.held.push(r));
      if (this.opts.delayMs) await new Promise((r) => setTimeout(r, this.opts.delayMs));
      const failure = this.opts.failures?.shift();
      if (failure) throw failure;
      this.batches.push(batch);
    } finally {
      this.concurrent--;
    }
  }
  get pendingWrites(): number {
    return this.held.length;
  }
  /** Lets every held write continue. */
  release(): void {
    for (const r of this.held.splice(0)) r();
  }
  get events(): string[] {
    return this.batches.flatMap((b) => b.events.map((e) => e.body.toString()));
  }
}

/** An in-memory dead-letter sink that fails its first `failFirst` writes. */
export class ArrayDeadLetter implements DeadLetterSink {
  readonly entries: DeadLetterEntry[] = [];
  writes = 0;
  constructor(private failFirst = 0) {}
  async write(entries: readonly DeadLetterEntry[]): Promise<void> {
    this.writes++;
    if (this.failFirst > 0) {
      this.failFirst--;
      throw Object.assign(new Error('dead-letter disk hiccup'), { code: 'EIO' });
    }
    this.entries.push(...entries);
  }
  async close(): Promise<void> {}
}

const readingSchema = {
  type: 'record',
  name: 'Reading',
  namespace: 'test',
  fields: [
    { name: 'car', type: 'string' },
    { name: 'speed', type: 'int' },
  ],
};

/** Parses `car,speed` lines with avsc; speed must be an int 0..250. */
export class ReadingParser implements RecordParser {
  readonly schema: SchemaRef = { name: 'test.Reading', type: avro.Type.forSchema(readingSchema as avro.Schema), schema: readingSchema };
  parse(body: Buffer): ParseResult {
    const fields = body.toString('utf8').split(',');
    if (fields.length !== 2) return { ok: false, code: ErrorCodes.PARSE_FAILED, reason: `expected 2 fields, got ${fields.length}` };
    const speed = Number(fields[1]);
    const record = { car: fields[0], speed };
    if (!(this.schema.type as avro.Type).isValid(record))
      return { ok: false, code: ErrorCodes.VALIDATION_FAILED, reason: `speed: ${fields[1]} is not an int` };
    if (speed < 0 || speed > 250) return { ok: false, code: ErrorCodes.VALIDATION_FAILED, reason: `speed: ${speed} is above 250` };
    return { ok: true, record };
  }
}
