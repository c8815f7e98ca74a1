/**
 * Turns a batch into Kafka produce requests.
 *
 * Message layout:
 * - value: `text` → the event body as read (bytes, no line terminator); `avro` → Avro binary of
 *   the parsed record, encoded with the batch's schema (no container, no single-object prefix).
 * - key: the record field `keyField` (stringified), or the header `keyHeader` when set; null when
 *   absent (e.g. a source without a schema has no record).
 * - headers: the event headers (when `headers` is on), always `rxflume.event.id` (the stable event
 *   id, so consumers can drop the duplicates a retry may cause), and for avro
 *   `rxflume.schema` (full name), `rxflume.schema.version`, `rxflume.schema.fingerprint` (hex
 *   CRC-64-AVRO of the canonical form, see src/schemas/fingerprint.ts).
 * - topic: the `topic` template with %{header} escapes expanded per event (Flume: missing → "").
 *
 * Requests: events are cut, in batch order, into requests of at most `requestMaxEvents` events and
 * `requestMaxBytes` key+value bytes (one event alone may exceed it: the broker then decides).
 * A write smaller than `maxInFlight` full requests is spread evenly over `maxInFlight` requests
 * (of at least MIN_SPLIT events), so every in-flight slot is used: writes are sequential, so a
 * write of 2,700 events as 1000+1000+700 would leave two slots idle and wait on the largest.
 * The cut is deterministic, so a retried batch yields the same requests (the sink relies on that
 * to skip requests already acknowledged).
 *
 * Failure modes (permanent, the batch is dead-lettered): avro format without a batch schema or an
 * event without a record or one the schema cannot encode; a template that expands to no topic.
 */
import { ErrorCodes, RxfError } from '../../core/errors.js';
import type { EventBatch, FlumeEvent, SchemaRef } from '../../core/event.js';
import { schemaFingerprintHex } from '../../schemas/fingerprint.js';
import type { KafkaSinkConfig } from './config.js';
import type { KafkaMessage, TopicMessages } from './producer.js';

export const HEADER_EVENT_ID = 'rxflume.event.id';
export const HEADER_SCHEMA = 'rxflume.schema';
export const HEADER_SCHEMA_VERSION = 'rxflume.schema.version';
export const HEADER_SCHEMA_FINGERPRINT = 'rxflume.schema.fingerprint';

/** Fewer events than this per request are not worth a request of their own. */
const MIN_SPLIT = 100;

export interface ProduceRequest {
  readonly topicMessages: TopicMessages[];
  readonly events: number;
}

type TopicPart = string | { header: string };

function parseTopic(template: string): TopicPart[] {
  const parts: TopicPart[] = [];
  const re = /%\{([^}]+)\}/g;
  let last = 0;
  for (let m = re.exec(template); m !== null; m = re.exec(template)) {
    if (m.index > last) parts.push(template.slice(last, m.index));
    parts.push({ header: m[1] as string });
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}

interface AvroEncoder {
  toBuffer(value: unknown): Buffer;
}

function permanent(message: string, cause?: unknown): RxfError {
  return new RxfError(ErrorCodes.SINK_PERMANENT, message, { retriable: false, cause });
}

export class MessageEncoder {
  private readonly topicParts: TopicPart[];
  private readonly staticTopic: string | undefined;

  constructor(
    private readonly config: Pick<
      KafkaSinkConfig,
      'topic' | 'keyField' | 'keyHeader' | 'format' | 'headers' | 'requestMaxEvents' | 'requestMaxBytes' | 'maxInFlight'
    >,
    private readonly sinkId: string,
  ) {
    this.topicParts = parseTopic(config.topic);
    this.staticTopic = this.topicParts.every((p) => typeof p === 'string') ? config.topic : undefined;
  }

  encode(batch: EventBatch): ProduceRequest[] {
    const schemaHeaders = this.config.format === 'avro' ? this.schemaHeaders(batch) : undefined;
    const encoder = schemaHeaders ? (batch.schema?.type as AvroEncoder) : undefined;
    const { requestMaxBytes, maxInFlight } = this.config;
    const n = batch.events.length;
    const requestMaxEvents = Math.min(this.config.requestMaxEvents, Math.max(MIN_SPLIT, Math.ceil(n / maxInFlight)));
    const requests: ProduceRequest[] = [];
    let byTopic = new Map<string, KafkaMessage[]>();
    let events = 0;
    let bytes = 0;
    const cut = () => {
      if (events === 0) return;
      requests.push({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })), events });
      byTopic = new Map();
      events = 0;
      bytes = 0;
    };
    for (const event of batch.events) {
      const value = encoder ? this.avroValue(encoder, event, batch.schema as SchemaRef) : event.body;
      const key = this.keyOf(event);
      const size = value.length + (key === null ? 0 : key.length);
      if (events > 0 && (events >= requestMaxEvents || bytes + size > requestMaxBytes)) cut();
      const headers: Record<string, string> = this.config.headers ? { ...event.headers } : {};
      headers[HEADER_EVENT_ID] = event.id;
      if (schemaHeaders) Object.assign(headers, schemaHeaders);
      const topic = this.topicOf(event);
      let list = byTopic.get(topic);
      if (!list) {
        list = [];
        byTopic.set(topic, list);
      }
      list.push({ key, value, headers });
      events++;
      bytes += size;
    }
    cut();
    return requests;
  }

  private topicOf(event: FlumeEvent): string {
    if (this.staticTopic !== undefined) return this.staticTopic;
    let topic = '';
    for (const p of this.topicParts) topic += typeof p === 'string' ? p : (event.headers[p.header] ?? '');
    if (topic === '')
      throw permanent(`kafka sink ${this.sinkId}: topic template "${this.config.topic}" expands to nothing for event ${event.id}`);
    return topic;
  }

  private keyOf(event: FlumeEvent): string | null {
    const { keyHeader, keyField } = this.config;
    if (keyHeader !== undefined) return event.headers[keyHeader] ?? null;
    if (keyField === '' || event.record === undefined) return null;
    const v = event.record[keyField];
    return v === undefined || v === null ? null : String(v);
  }

  private avroValue(encoder: AvroEncoder, event: FlumeEvent, schema: SchemaRef): Buffer {
    if (event.record === undefined)
      throw permanent(`kafka sink ${this.sinkId}: avro format needs a parsed record; event ${event.id} has none`);
    try {
      return encoder.toBuffer(event.record);
    } catch (err) {
      throw permanent(
        `kafka sink ${this.sinkId}: cannot encode event ${event.id} with Avro schema ${schema.name}: ${(err as Error).message}`,
        err,
      );
    }
  }

  private schemaHeaders(batch: EventBatch): Record<string, string> {
    const schema = batch.schema;
    if (!schema || typeof (schema.type as Partial<AvroEncoder> | undefined)?.toBuffer !== 'function') {
      throw permanent(`kafka sink ${this.sinkId}: avro format needs a batch schema (source ${batch.sourceId} sent a batch without one)`);
    }
    const version = (schema as { version?: unknown }).version;
    const headers: Record<string, string> = {
      [HEADER_SCHEMA]: schema.name,
      [HEADER_SCHEMA_FINGERPRINT]: schemaFingerprintHex(schema.schema),
    };
    if (typeof version === 'number') headers[HEADER_SCHEMA_VERSION] = String(version);
    return headers;
  }
}
