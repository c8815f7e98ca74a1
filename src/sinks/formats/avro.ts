/**
 * Avro format: each file is an Avro object container (avro-container.ts) whose writer schema is
 * the schema of the batch that opened it (`batch.schema.schema`), records encoded with
 * `batch.schema.type` (an avsc Type).
 *
 * An event whose record arrives already Avro-encoded (`encodedRecord()`, from a parse worker, made
 * with the same schema as the batch's) has those bytes copied into the block as they are; others
 * are encoded here.
 *
 * Invariants: one schema per file; a batch with another schema is not accepted by an open file,
 * so the sink rolls it first. Schemas are compared by identity, then by their JSON text.
 *
 * `encode` answers a promise: 'deflate' blocks are compressed off the main thread
 * (avro-container.ts); records are encoded before it returns. With a compressing codec `prepare`
 * cuts and compresses a group's blocks before the file is chosen (one BlockCutter per format,
 * i.e. per sink), and the file's encoder only frames them with its sync marker.
 *
 * Failure modes (permanent RxfError RXF_SINK_PERMANENT, the batch can never be written):
 * a batch without a schema, an event without a parsed record, a record the type cannot encode
 * (thrown synchronously by `encode`).
 */
import { ErrorCodes, RxfError } from '../../core/errors.js';
import { canHoldEncodedRecord, type EventBatch, type FlumeEvent, hasRecord, type SchemaRef } from '../../core/event.js';
import {
  type AvroCodec,
  AvroContainerWriter,
  type AvroRecordEncoder,
  BlockCutter,
  type ContainerBlock,
  type DeferringWriter,
} from './avro-container.js';
import type { FileEncoder, FileFormat, PreparedEvents } from './format.js';

const schemaJsonCache = new WeakMap<SchemaRef, string>();

function schemaJson(ref: SchemaRef): string {
  let json = schemaJsonCache.get(ref);
  if (json === undefined) {
    json = JSON.stringify(ref.schema);
    schemaJsonCache.set(ref, json);
  }
  return json;
}

function permanent(message: string, cause?: unknown): RxfError {
  return new RxfError(ErrorCodes.SINK_PERMANENT, message, { retriable: false, cause });
}

/**
 * Writes events' records: the ready-made encoding when the parse stage kept one, else encoded
 * now. Encodings adjacent in one parse batch's buffer (the usual case: a batch's events in
 * order) are copied as one run when flushed, not one view and copy per record. One per cut.
 */
class EventRecordWriter implements DeferringWriter<FlumeEvent> {
  // The run held back: source[start, end) goes to the cutter's buffer at `at`.
  private source: Buffer | undefined = undefined;
  private start = 0;
  private end = 0;
  private at = 0;

  constructor(private readonly type: AvroRecordEncoder) {}

  write(event: FlumeEvent, buf: Buffer, pos: number): number {
    if (canHoldEncodedRecord(event)) {
      const length = event.encodedRecordLength();
      if (length >= 0) {
        const end = pos + length;
        if (end > buf.length) return buf.length - end;
        const source = event.encodedRecordBuffer();
        const start = event.encodedRecordStart();
        if (source === this.source && start === this.end && pos === this.at + (this.end - this.start)) {
          this.end += length;
        } else {
          this.flush(buf);
          this.source = source;
          this.start = start;
          this.end = start + length;
          this.at = pos;
        }
        return end;
      }
    }
    this.flush(buf);
    // Other events with an encoding (e.g. read back from the disk buffer) are copied one by one.
    const encoded = canHoldEncodedRecord(event) ? undefined : event.encodedRecord?.();
    if (encoded === undefined) return this.type.encode(event.record, buf, pos);
    const end = pos + encoded.length;
    if (end > buf.length) return buf.length - end;
    buf.set(encoded, pos);
    return end;
  }

  flush(buf: Buffer): void {
    const source = this.source;
    if (source === undefined) return;
    buf.set(new Uint8Array(source.buffer, source.byteOffset + this.start, this.end - this.start), this.at);
    this.source = undefined;
  }
}

class AvroFileEncoder implements FileEncoder {
  private readonly writer: AvroContainerWriter;
  private readonly json: string;

  constructor(
    private readonly schema: SchemaRef,
    codec: AvroCodec,
    deflateLevel: number | undefined,
  ) {
    this.json = schemaJson(schema);
    this.writer = new AvroContainerWriter({
      schemaJson: this.json,
      codec,
      ...(deflateLevel === undefined ? {} : { deflateLevel }),
      type: schema.type as AvroRecordEncoder,
    });
  }

  header(): Buffer {
    return this.writer.header();
  }

  accepts(batch: EventBatch): boolean {
    return batch.schema === this.schema || (batch.schema !== undefined && schemaJson(batch.schema) === this.json);
  }

  encode(events: readonly FlumeEvent[]): Promise<Buffer> {
    try {
      return this.writer.blocksOfAsync(events, new EventRecordWriter(this.schema.type as AvroRecordEncoder));
    } catch (err) {
      throw encodingFailed(this.schema, err);
    }
  }

  encodePrepared(prepared: PreparedEvents): Promise<Buffer> {
    return (prepared.work as Promise<ContainerBlock[]>).then((blocks) => this.writer.frame(blocks));
  }
}

function encodingFailed(schema: SchemaRef, err: unknown): RxfError {
  return permanent(`cannot encode a record with Avro schema ${schema.name}: ${(err as Error).message}`, err);
}

/** Avro container files with `codec` blocks (deflate at `deflateLevel`, default 6). */
export function avroFormat(codec: AvroCodec, deflateLevel?: number): FileFormat {
  const cutter = new BlockCutter({ codec, ...(deflateLevel === undefined ? {} : { deflateLevel }) });
  const prepare = (batch: EventBatch, events: readonly FlumeEvent[]): PreparedEvents => {
    const schema = batch.schema as SchemaRef;
    let work: Promise<ContainerBlock[]>;
    try {
      work = cutter.blocksLater(events, new EventRecordWriter(schema.type as AvroRecordEncoder));
    } catch (err) {
      work = Promise.reject(encodingFailed(schema, err));
    }
    // Awaited by the write that uses it, if any: never an unhandled rejection meanwhile.
    work.catch(() => undefined);
    return { events, work };
  };
  return {
    name: 'avro',
    check(batch: EventBatch): void {
      const type = batch.schema?.type as Partial<AvroRecordEncoder> | undefined;
      if (!batch.schema || typeof type?.encode !== 'function') {
        throw permanent(`avro format needs a batch schema (source ${batch.sourceId} sent a batch without one)`);
      }
      for (const e of batch.events) {
        if (!hasRecord(e)) throw permanent(`avro format needs a parsed record; event ${e.id} has none`);
      }
    },
    open(batch: EventBatch): FileEncoder {
      return new AvroFileEncoder(batch.schema as SchemaRef, codec, deflateLevel);
    },
    // Only compression is worth starting early: without it there is nothing to overlap.
    ...(cutter.compresses ? { prepare } : {}),
  };
}
