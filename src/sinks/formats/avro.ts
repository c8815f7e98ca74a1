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
 * (avro-container.ts); records are encoded before it returns.
 *
 * Failure modes (permanent RxfError RXF_SINK_PERMANENT, the batch can never be written):
 * a batch without a schema, an event without a parsed record, a record the type cannot encode
 * (thrown synchronously by `encode`).
 */
import { ErrorCodes, RxfError } from '../../core/errors.js';
import { type EventBatch, type FlumeEvent, hasRecord, type SchemaRef } from '../../core/event.js';
import { type AvroCodec, AvroContainerWriter, type AvroRecordEncoder } from './avro-container.js';
import type { FileEncoder, FileFormat } from './format.js';

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

/** Writes an event's record: its ready-made encoding when the parse stage kept one, else encoded now. */
function eventWriter(type: AvroRecordEncoder): (event: FlumeEvent, buf: Buffer, pos: number) => number {
  return (event, buf, pos) => {
    const encoded = event.encodedRecord?.();
    if (encoded === undefined) return type.encode(event.record, buf, pos);
    const end = pos + encoded.length;
    if (end > buf.length) return buf.length - end;
    buf.set(encoded, pos);
    return end;
  };
}

class AvroFileEncoder implements FileEncoder {
  private readonly writer: AvroContainerWriter;
  private readonly json: string;

  constructor(
    private readonly schema: SchemaRef,
    codec: AvroCodec,
  ) {
    this.json = schemaJson(schema);
    this.writer = new AvroContainerWriter({ schemaJson: this.json, codec, type: schema.type as AvroRecordEncoder });
    this.write = eventWriter(schema.type as AvroRecordEncoder);
  }

  private readonly write: (event: FlumeEvent, buf: Buffer, pos: number) => number;

  header(): Buffer {
    return this.writer.header();
  }

  accepts(batch: EventBatch): boolean {
    return batch.schema === this.schema || (batch.schema !== undefined && schemaJson(batch.schema) === this.json);
  }

  encode(events: readonly FlumeEvent[]): Promise<Buffer> {
    try {
      return this.writer.blocksOfAsync(events, this.write);
    } catch (err) {
      throw permanent(`cannot encode a record with Avro schema ${this.schema.name}: ${(err as Error).message}`, err);
    }
  }
}

export function avroFormat(codec: AvroCodec): FileFormat {
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
      return new AvroFileEncoder(batch.schema as SchemaRef, codec);
    },
  };
}
